"""Planned answers: saving, revisions, versions, framework switch, views, progress."""

from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import AnswerVersion, utcnow
from prepple.services import planner
from prepple.services.validation import InvalidInput
from tests.conftest import both_databases

SECTIONS = {
    "situation": "Last spring I ran the front desk of a 120-room hotel in Leeds during a "
    "conference week with every room booked.",
    "task": "I had to rehouse a family of five whose connecting rooms flooded an hour before "
    "they arrived, without upsetting them.",
    "action": "First I called two partner hotels and held rooms. Then I met the family in the "
    "lobby, explained the leak honestly and offered our best suite with a rollaway bed. I "
    "asked the kitchen to send up dinner for the kids and I checked on them myself at nine.",
    "result": "They stayed all five nights, left a five-star review that named me, and came "
    "back the following year; my manager used the case in our training for new staff.",
}


def _save(session, user, **kw):
    args = dict(
        session=session, user_id=user.id, question_id=1, framework="STAR", sections=SECTIONS
    )
    args.update(kw)
    view, conflict = planner.plan_save(**args)
    session.commit()
    return view, conflict


@both_databases
def test_first_save_creates_a_complete_plan_with_script_and_bullets(session, make_user):
    user = make_user()
    view, conflict = _save(session, user)
    assert not conflict and view.revision == 1 and view.status == "complete"
    script = planner.script_of("STAR", view.sections)
    assert script.startswith("Last spring") and script.endswith("new staff.")
    assert view.bullets.count("\n- ") >= 5 and view.bullets.startswith("- ")
    assert all(len(line.split()) <= 21 for line in view.bullets.splitlines())
    assert "…" not in view.bullets and "..." not in view.bullets
    again = planner.plan_get(session=session, user_id=user.id, question_id=1)
    assert again.sections == view.sections


def test_partial_plan_is_a_draft(session, make_user):
    user = make_user()
    view, _ = _save(session, user, sections={"situation": SECTIONS["situation"]})
    assert view.status == "draft"


def test_stale_tab_keeps_the_other_text_as_a_version(session, make_user):
    user = make_user()
    first, _ = _save(session, user)
    tab_b, _ = _save(
        session,
        user,
        sections=dict(SECTIONS, result="Tab B's result, 3 weeks."),
        base_revision=first.revision,
    )
    # Tab A still thinks revision 1 is current.
    tab_a, conflict = _save(
        session,
        user,
        sections=dict(SECTIONS, result="Tab A's result."),
        base_revision=first.revision,
    )
    assert conflict and tab_a.sections["result"] == "Tab A's result."
    kept = session.exec(
        select(AnswerVersion).where(AnswerVersion.reason == "kept from another tab")
    ).one()
    assert "Tab B's result" in kept.sections_json
    assert tab_a.revision == tab_b.revision + 1


def test_one_version_per_editing_session_and_compare(session, make_user):
    user = make_user()
    now = utcnow()
    _save(session, user, now=now)
    # One session: autosaves a minute apart and three framework switches make no versions.
    for i, fw in enumerate(["CARL", "STAR", "SOAR", "STAR"] * 3):
        sections = planner.switch_framework("STAR", fw, SECTIONS) if fw != "STAR" else SECTIONS
        _save(session, user, framework=fw, sections=sections, now=now + timedelta(seconds=20 * i))
    _save(
        session,
        user,
        sections=dict(SECTIONS, result="They stayed."),
        now=now + timedelta(minutes=4),
    )
    assert planner.versions(session=session, user_id=user.id, question_id=1) == []
    # Back after a pause: the text as the last session left it becomes one version.
    _save(
        session,
        user,
        sections=dict(SECTIONS, result="They stayed all week and came back."),
        now=now + timedelta(minutes=30),
    )
    _save(
        session,
        user,
        sections=dict(SECTIONS, result="They stayed all week and came back twice."),
        now=now + timedelta(minutes=31),
    )
    history = planner.versions(session=session, user_id=user.id, question_id=1)
    assert [v.number for v in history] == [1] and history[0].reason == "end of an editing session"
    diff, left, right = planner.compare(
        session=session, user_id=user.id, question_id=1, left=1, right=None
    )
    assert (left, right) == ("version 1", "current")
    kinds = {d.kind for d in diff}
    assert kinds == {"same", "added", "removed"}
    assert any(d.kind == "removed" and "stayed." in d.text for d in diff)
    assert any(d.kind == "added" and "week" in d.text for d in diff)
    with pytest.raises(InvalidInput):
        planner.compare(session=session, user_id=user.id, question_id=1, left=99, right=None)
    # On request, and only once for the same text.
    n = planner.plan_snapshot(session=session, user_id=user.id, question_id=1, reason="mine")
    assert planner.plan_snapshot(session=session, user_id=user.id, question_id=1, reason="x") == n
    assert len(planner.versions(session=session, user_id=user.id, question_id=1)) == 2


def test_switching_framework_shows_text_it_has_no_section_for(session, make_user):
    user = make_user()
    _save(session, user)
    carried = planner.switch_framework("STAR", "CARL", SECTIONS)
    assert carried["context"] == SECTIONS["situation"]
    assert carried["task"] == SECTIONS["task"]  # kept for a switch back
    [aside] = planner.aside_of("CARL", carried)
    assert (aside.key, aside.label, aside.home, aside.home_label) == (
        "task",
        "Task",
        "context",
        "Context",
    )
    assert aside.text == SECTIONS["task"] and aside.words == 20
    assert SECTIONS["task"] not in planner.script_of("CARL", carried)
    view, _ = _save(session, user, framework="CARL", sections=carried)
    assert view.framework == "CARL" and view.sections["task"] == SECTIONS["task"]
    assert planner.versions(session=session, user_id=user.id, question_id=1) == []
    # One click moves it into Context: it is in the answer and no longer listed aside.
    moved = planner.aside_move("CARL", carried, "task")
    assert moved["context"] == SECTIONS["situation"] + " " + SECTIONS["task"]
    assert planner.aside_of("CARL", moved) == []
    assert SECTIONS["task"] in planner.script_of("CARL", moved)
    # Switching back puts it in its own section again: the round trip changes nothing.
    back = planner.switch_framework("CARL", "STAR", moved)
    assert {k: back[k] for k in SECTIONS} == SECTIONS
    with pytest.raises(InvalidInput):
        planner.aside_move("CARL", moved, "task")  # nothing left aside
    with pytest.raises(InvalidInput):
        planner.aside_move("STAR", SECTIONS, "action")


def _sections_of_labelled(answer: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for sentence in answer["sentences"]:
        if sentence["label"] != "other":
            out[sentence["label"]] = (
                out.get(sentence["label"], "") + " " + sentence["text"]
            ).strip()
    return out


def _report(framework, sections, answer):
    from prepple.services.feedback import AnswerInput, analyze
    from prepple.services.feedback.frameworks import sections_of

    return analyze(
        AnswerInput(
            framework,
            sections={s.key: sections.get(s.key, "") for s in sections_of(framework)},
            question=answer["question"],
            competencies=[answer.get("competency", "")],
        )
    )


def test_switching_back_and_forth_keeps_the_score_on_written_answers():
    """On the labelled answers in tests/data (125, all three frameworks): a switch and a switch
    back give exactly the score before, whether the aside text was left out or moved in; with
    the aside text moved in, the new framework's score differs only in structure (the
    section it asks for and the answer lacks, e.g. CARL's Learning): fit, specificity,
    ownership, tone and listenability are those of the same words."""
    import json
    from pathlib import Path

    from prepple.services.feedback.frameworks import FRAMEWORKS

    data_dir = Path(__file__).parent.parent / "data"
    answers = json.loads((data_dir / "labeled_answers.json").read_text())
    answers += json.loads((data_dir / "labeled_answers_extra.json").read_text())
    assert len(answers) >= 100
    fit_kept = 0
    for answer in answers:
        old = answer["framework"]
        sections = _sections_of_labelled(answer)
        before = _report(old, sections, answer)
        for new in set(FRAMEWORKS) - {old}:
            switched = planner.switch_framework(old, new, sections)
            moved = switched
            for aside in planner.aside_of(new, switched):
                moved = planner.aside_move(new, moved, aside.key)
            assert planner.aside_of(new, moved) == []
            for there in (switched, moved):
                back = planner.switch_framework(new, old, there)
                assert _report(old, back, answer).overall == before.overall, answer["id"]
            after = _report(new, moved, answer)
            assert after.scores["fit"] == before.scores["fit"], answer["id"]
            fit_kept += 1
            if old == "STAR":
                for dim in ("specificity", "ownership", "tone", "listenability", "fit"):
                    assert after.scores[dim] == before.scores[dim], (answer["id"], dim)
    assert fit_kept >= 200


def test_restore_a_version_is_undoable(session, make_user):
    user = make_user()
    now = utcnow()
    _save(session, user, now=now)
    _save(
        session,
        user,
        framework="CARL",
        sections=dict(
            planner.switch_framework("STAR", "CARL", SECTIONS), learning="I now ask early."
        ),
        bullets="- my own cue",
        now=now + timedelta(hours=1),
    )
    [v1] = planner.versions(session=session, user_id=user.id, question_id=1)
    assert v1.framework == "STAR"
    view, kept = planner.plan_restore(session=session, user_id=user.id, question_id=1, number=1)
    session.commit()
    assert view.framework == "STAR" and view.sections["task"] == SECTIONS["task"]
    assert not view.bullets_edited and view.bullets == planner.bullets_of(
        planner.script_of("STAR", SECTIONS)
    )
    history = planner.versions(session=session, user_id=user.id, question_id=1)
    assert kept == 2 and history[0].reason == "before restoring version 1"
    assert history[0].framework == "CARL"
    # Undo: restore the version the restore made.
    view, kept = planner.plan_restore(session=session, user_id=user.id, question_id=1, number=2)
    assert view.framework == "CARL" and view.sections["learning"] == "I now ask early."
    assert view.bullets == "- my own cue" and view.bullets_edited and kept == 3
    # Restoring what is already current adds nothing.
    _, kept = planner.plan_restore(session=session, user_id=user.id, question_id=1, number=2)
    assert (
        kept is None and len(planner.versions(session=session, user_id=user.id, question_id=1)) == 3
    )
    for bad in (99, "1", None, True):
        with pytest.raises(InvalidInput):
            planner.plan_restore(session=session, user_id=user.id, question_id=1, number=bad)
    other = make_user()
    with pytest.raises(InvalidInput):
        planner.plan_restore(session=session, user_id=other.id, question_id=1, number=1)


def test_saved_score_is_the_score_for_the_question(session, make_user):
    user = make_user()
    view, _ = _save(session, user)
    from prepple.models import Answer, Question

    answer = session.get(Answer, view.answer_id)
    question = session.get(Question, 1)
    assert answer.overall == planner._score(session, question, "STAR", SECTIONS).overall


def test_edited_bullets_stay_until_regenerated(session, make_user):
    user = make_user()
    _save(session, user)
    view, _ = _save(session, user, bullets="- my own cue")
    assert view.bullets == "- my own cue" and view.bullets_edited
    view, _ = _save(session, user, sections=dict(SECTIONS, result="Changed."))
    assert view.bullets == "- my own cue"
    view = planner.plan_regenerate_bullets(session=session, user_id=user.id, question_id=1)
    assert view.bullets != "- my own cue" and not view.bullets_edited


def test_script_edit_splits_back_into_sections():
    script = planner.script_of("STAR", SECTIONS)
    back = planner.sections_from_script("STAR", script)
    assert "partner hotels" in back["action"]
    assert "five-star review" in back["result"]


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"situation": 123}, "situation"),
        ({"action": "x" * (planner.SECTION_MAX + 10)}, "action"),
    ],
)
def test_bad_sections_are_refused(session, make_user, bad, field):
    user = make_user()
    with pytest.raises(InvalidInput) as err:
        planner.plan_save(
            session=session, user_id=user.id, question_id=1, framework="STAR", sections=bad
        )
    assert err.value.field == field


def test_bad_framework_and_question_refused(session, make_user):
    user = make_user()
    with pytest.raises(InvalidInput, match="STAR, CARL or SOAR"):
        planner.plan_save(
            session=session, user_id=user.id, question_id=1, framework="XYZ", sections={}
        )
    with pytest.raises(InvalidInput, match="no longer exists"):
        planner.plan_save(
            session=session, user_id=user.id, question_id=999_999, framework="STAR", sections={}
        )


def test_hostile_text_is_stored_as_text(session, make_user):
    user = make_user()
    text = "<script>alert(1)</script> 🙂 مرحبا \u202e"
    view, _ = _save(session, user, sections={"situation": text})
    # Markup is stored as text (the UI renders text, not HTML); the RLO override is removed.
    assert view.sections["situation"] == "<script>alert(1)</script> 🙂 مرحبا "


@both_databases
def test_my_answers_search_filter_and_progress(session, make_user):
    user = make_user()
    other = make_user()
    from prepple.services import questions as qs

    amazon = qs.question_search(session=session, company="amazon", limit=3).items
    for q in amazon[:2]:
        planner.plan_save(
            session=session, user_id=user.id, question_id=q.id, framework="STAR", sections=SECTIONS
        )
    planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=amazon[2].id,
        framework="STAR",
        sections={"situation": "Only a start."},
    )
    planner.plan_save(
        session=session,
        user_id=other.id,
        question_id=amazon[0].id,
        framework="STAR",
        sections=SECTIONS,
    )
    session.commit()
    rows = planner.my_answers(session=session, user_id=user.id)
    assert len(rows) == 3
    assert len(planner.my_answers(session=session, user_id=user.id, status="complete")) == 2
    assert len(planner.my_answers(session=session, user_id=user.id, query="partner hotels")) == 2
    assert planner.my_answers(session=session, user_id=user.id, query="%") == []
    assert len(planner.my_answers(session=session, user_id=user.id, company="amazon")) == 3
    cov = planner.progress(session=session, user_id=user.id, company="amazon")
    assert cov.complete == 2 and cov.drafts == 1 and cov.total >= 20
    assert 0 < cov.percent < 100 and cov.by_competency
    assert sum(c for _, c, _ in cov.by_competency) >= 2


def test_visitor_plans_import_without_overwriting(session, make_user):
    user = make_user()
    _save(session, user)
    n = planner.plans_import(
        session=session,
        user_id=user.id,
        plans={
            "1": {"framework": "STAR", "sections": {"situation": "visitor text"}},
            "2": {"framework": "CARL", "sections": {"context": "visitor context"}},
            "x": {"framework": "STAR"},
            "3": "junk",
            "999999": {"framework": "STAR"},
        },
    )
    assert n == 1
    assert (
        planner.plan_get(session=session, user_id=user.id, question_id=1).sections["situation"]
        == SECTIONS["situation"]
    )
    assert planner.plan_get(session=session, user_id=user.id, question_id=2).framework == "CARL"
    assert planner.plans_import(session=session, user_id=user.id, plans="junk") == 0


def test_story_bank_one_story_serves_several_questions(session, make_user):
    user, other = make_user(), make_user()
    story = planner.story_create(
        session=session, user_id=user.id, title="  Hotel flood  ", notes="120 rooms, family of five"
    )
    for qid in (1, 2):
        planner.plan_save(
            session=session, user_id=user.id, question_id=qid, framework="STAR", sections=SECTIONS
        )
        planner.story_link(session=session, user_id=user.id, question_id=qid, story_id=story.id)
    session.commit()
    [view] = planner.stories(session=session, user_id=user.id)
    assert view.title == "Hotel flood" and sorted(view.question_ids) == [1, 2]
    assert view.competencies and len(view.questions) == 2
    assert planner.plan_get(session=session, user_id=user.id, question_id=1).story_id == story.id
    # Another user can't link to it, see it or delete it.
    planner.plan_save(
        session=session, user_id=other.id, question_id=1, framework="STAR", sections=SECTIONS
    )
    with pytest.raises(InvalidInput, match="isn't in your story bank"):
        planner.story_link(session=session, user_id=other.id, question_id=1, story_id=story.id)
    assert planner.stories(session=session, user_id=other.id) == []
    with pytest.raises(InvalidInput):
        planner.story_delete(session=session, user_id=other.id, story_id=story.id)
    planner.story_delete(session=session, user_id=user.id, story_id=story.id)
    session.commit()
    assert planner.plan_get(session=session, user_id=user.id, question_id=1).story_id == 0


@pytest.mark.parametrize("title", ["", "   ", None, 5, "x" * 200])
def test_story_needs_a_sensible_title(session, make_user, title):
    user = make_user()
    with pytest.raises(InvalidInput):
        planner.story_create(session=session, user_id=user.id, title=title)


def _core(word: str) -> str:
    return word.lower().strip(".,;:!?\"'()")


def test_bullets_are_whole_clauses_never_cut_mid_phrase():
    """Every bullet of every sentence in the labelled answers is the sentence's own words in
    order (filler dropped), ends where a clause ends, has no ellipsis, and keeps numbers."""
    import json
    from pathlib import Path

    answers = json.loads(
        (Path(__file__).parent.parent / "data" / "labeled_answers.json").read_text()
    )
    boundary_words = planner._CONJ | planner._PREP
    checked = 0
    for answer in answers:
        for sentence in answer["sentences"]:
            source = sentence["text"].split()
            lines = planner.bullet_of(sentence["text"]).splitlines()
            assert lines, sentence["text"]
            pos = 0
            for line in lines:
                assert "…" not in line and "..." not in line
                assert len(line.split()) <= 24, line
                for word in line.split():
                    while pos < len(source) and _core(source[pos]) != _core(word):
                        pos += 1
                    assert pos < len(source), (word, line, sentence["text"])
                    pos += 1
                # The line ends at the end of a clause of the source.
                last = source[pos - 1]
                after = source[pos] if pos < len(source) else ""
                assert (
                    not after
                    or last[-1] in ",;:)"
                    or _core(after) in boundary_words
                    or after in ("-", "–", "—")  # noqa: RUF001
                    or after.startswith("(")
                ), (line, sentence["text"])
                checked += 1
    assert checked > 800
    cue = planner.bullet_of(
        "As the senior engineer, I had to find the root cause of the outage within two hours "
        "before the Monday launch."
    )
    assert cue == "As senior engineer, I had to find root cause of outage within two hours"
    assert planner.bullet_of(
        "We cut costs by 40%, saving $40,000 a year, so um the team grew."
    ) == ("We cut costs by 40%, saving $40,000 a year, team grew")


def test_plans_saved_with_old_cut_bullets_read_with_whole_ones(session, make_user):
    from prepple.models import Answer

    user = make_user()
    view, _ = _save(session, user)
    row = session.get(Answer, view.answer_id)
    row.bullets = "- Last spring I ran the front desk of a…"  # the old rule's cue card
    session.commit()
    again = planner.plan_get(session=session, user_id=user.id, question_id=1)
    assert "…" not in again.bullets
    assert (
        again.bullets.splitlines()[0]
        == "- Last spring I ran front desk of a 120-room hotel in Leeds"
    )
    row.bullets, row.bullets_edited = "- my own… cue", True  # the user's own stay as written
    session.commit()
    assert planner.plan_get(session=session, user_id=user.id, question_id=1).bullets == (
        "- my own… cue"
    )


def test_plan_actions_without_a_plan_say_so_instead_of_crashing(session, make_user):
    """Found by crafted events (issue 11 red team): regenerate bullets, save a version and
    compare for a question the user has no plan for raised NoResultFound (a traceback)."""
    from prepple.models import Question

    user = make_user("nop@example.com")
    qid = session.exec(select(Question.id)).first()
    mine = {"session": session, "user_id": user.id, "question_id": qid}
    calls = [
        lambda: planner.plan_regenerate_bullets(**mine),
        lambda: planner.plan_snapshot(**mine, reason="x"),
        lambda: planner.compare(**mine, left=1, right=None),
    ]
    for attempt in calls:
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.message == planner.NO_PLAN
