"""Video resumes: slugs, choosing recordings, the publish limit, the public page and the media
tokens that only work while a resume is published and includes the recording."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import select

from prepple.models import Question, Recording, Resume, ResumeItem
from prepple.services import accounts, recordings, resumes, signing
from prepple.services.recordings import RecordingError
from prepple.services.resumes import SLUG_RE, ResumeError
from prepple.services.validation import InvalidInput
from prepple.settings import reset_settings_cache


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Argon2 at a token cost: these tests make many accounts and never log in."""
    fast = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", lambda: fast)


@pytest.fixture
def qids(session):
    return session.exec(select(Question.id).order_by(Question.id)).all()[:4]


def done_recording(session, user, qid, *, text="I led the migration.", status="done"):
    rec = Recording(
        user_id=user.id,
        question_id=qid,
        status=status,
        media_key=f"u{user.id}/q{qid}-{text[:5]}.webm",
        mime="video/webm",
        has_video=True,
        duration_seconds=65.0,
        transcript_json=json.dumps({"text": f"  {text}  ", "words": [{"w": "I"}]}),
        report_json=json.dumps({"overall": 87, "scores": {"clarity": 91}}),
        overall=87,
    )
    session.add(rec)
    session.commit()
    return rec


@pytest.fixture
def ana(make_user):
    return make_user("ana@example.com", name="Ana")


@pytest.fixture
def recs(session, ana, qids):
    return [done_recording(session, ana, q, text=f"Answer number {i}.") for i, q in enumerate(qids)]


def create(session, user, title="Ana's résumé!"):
    resume = resumes.resume_create(session=session, owner_id=user.id, title=title)
    session.commit()
    return resume


def set_items(session, user, resume, ids):
    out = resumes.resume_set_items(
        session=session, owner_id=user.id, resume_id=resume.id, recording_ids=ids
    )
    session.commit()
    return out


def publish(session, user, resume, on=True):
    out = resumes.resume_publish(session=session, owner_id=user.id, resume_id=resume.id, publish=on)
    session.commit()
    return out


# --- slugs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Ana's résumé!", "anas-resume"),
        ("Ana’s Résumé", "anas-resume"),
        ("  Hello,   World!!  ", "hello-world"),
        ("Ünïcödé Çafé — Straße", "unicode-cafe-strae"),
        ("C++ / Go & Rust", "c-go-rust"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("履歴書", "resume"),
        ("", "resume"),
        ("!!!", "resume"),
        ("ﬁnance ① team", "finance-1-team"),
    ],
)
def test_slugify(title, slug):
    assert resumes.slugify(title) == slug


@pytest.mark.parametrize(
    "title", ["Me", "A", "Q&A", "X Y", "é", "a" * 200, "word " * 30, "a-" * 30, "Ab!"]
)
def test_every_slug_is_an_address_the_public_page_accepts(title):
    slug = resumes.slugify(title)
    assert SLUG_RE.match(slug), slug
    assert len(slug) <= 40


def test_a_short_title_still_publishes_at_a_working_address(session, ana, recs):
    resume = create(session, ana, title="Me")
    set_items(session, ana, resume, [recs[0].id])
    publish(session, ana, resume)
    assert resumes.resume_public(session=session, slug=resume.slug).id == resume.id


# --- create and update ----------------------------------------------------------------------------


def test_create_makes_an_unpublished_resume_with_a_unique_slug(session, ana, make_user):
    first = create(session, ana)
    assert (first.slug, first.title, first.published_at, first.intro) == (
        "anas-resume",
        "Ana's résumé!",
        None,
        "",
    )
    second = create(session, make_user("ana2@example.com"))
    assert second.slug != first.slug
    assert second.slug.startswith("anas-resume-") and SLUG_RE.match(second.slug)
    assert [r.id for r in resumes.resumes_of(session=session, owner_id=ana.id)] == [first.id]


@pytest.mark.parametrize("title", ["", "   ", None, 5, "x" * 121, "\x00\u202e\u200b"])
def test_create_refuses_a_bad_title(session, ana, title):
    with pytest.raises(InvalidInput):
        create(session, ana, title=title)
    assert session.exec(select(Resume)).all() == []


def test_control_and_bidi_characters_are_removed_from_titles(session, ana):
    assert create(session, ana, title="a\x00b \u202eevil").title == "ab evil"


def test_create_stops_at_the_resume_limit(session, ana):
    for i in range(resumes.MAX_RESUMES):
        create(session, ana, title=f"Resume {i}")
    with pytest.raises(ResumeError):
        create(session, ana, title="One too many")
    views = resumes.resumes_of(session=session, owner_id=ana.id)
    assert len(views) == resumes.MAX_RESUMES
    assert views[0].title == f"Resume {resumes.MAX_RESUMES - 1}"  # newest first


def test_update_changes_title_intro_and_slug(session, ana):
    resume = create(session, ana)
    resumes.resume_update(
        session=session,
        owner_id=ana.id,
        resume_id=resume.id,
        title="Ana, engineer",
        intro="Hi!\nI build <things>.",
        slug="ana-builds-2",
    )
    session.commit()
    session.refresh(resume)
    assert (resume.title, resume.intro, resume.slug) == (
        "Ana, engineer",
        "Hi!\nI build <things>.",
        "ana-builds-2",
    )
    # the same slug, or none, leaves it alone
    for slug in ("ana-builds-2", None):
        resumes.resume_update(
            session=session, owner_id=ana.id, resume_id=resume.id, title="T", intro="", slug=slug
        )
    assert resume.slug == "ana-builds-2"


@pytest.mark.parametrize(
    "slug",
    [
        "ab",
        "-abc",
        "abc-",
        "ABC",
        "a b c",
        "ábc",
        "a_b_c",
        "a" * 61,
        "../etc",
        "",
        5,
        ["abc"],
        "abc\n",
    ],
)
def test_update_refuses_a_bad_slug(session, ana, slug):
    resume = create(session, ana)
    with pytest.raises(ResumeError):
        resumes.resume_update(
            session=session, owner_id=ana.id, resume_id=resume.id, title="T", intro="", slug=slug
        )
    session.rollback()
    assert session.get(Resume, resume.id).slug == "anas-resume"


def test_update_refuses_a_taken_slug_and_other_peoples_resumes(session, ana, make_user):
    bo = make_user("bo@example.com")
    mine = create(session, ana)
    theirs = create(session, bo, title="Bo rocks")
    with pytest.raises(ResumeError, match="taken"):
        resumes.resume_update(
            session=session,
            owner_id=ana.id,
            resume_id=mine.id,
            title="T",
            intro="",
            slug="bo-rocks",
        )
    for resume_id in (theirs.id, 999_999, str(mine.id), None):
        with pytest.raises(ResumeError) as err:
            resumes.resume_update(
                session=session, owner_id=ana.id, resume_id=resume_id, title="T", intro=""
            )
        assert err.value.status == 404
    with pytest.raises(ResumeError) as err:
        resumes.resume_delete(session=session, owner_id=ana.id, resume_id=theirs.id)
    assert err.value.status == 404


def test_delete_keeps_the_recordings(session, ana, recs):
    resume = create(session, ana)
    set_items(session, ana, resume, [recs[0].id])
    resumes.resume_delete(session=session, owner_id=ana.id, resume_id=resume.id)
    session.commit()
    assert session.get(Resume, resume.id) is None
    assert session.exec(select(ResumeItem)).all() == []
    assert session.get(Recording, recs[0].id) is not None


# --- items --------------------------------------------------------------------------------------


def test_set_items_keeps_the_order_and_replaces_the_set(session, ana, recs):
    resume = create(session, ana)
    order = [recs[2].id, recs[0].id, recs[1].id]
    assert set_items(session, ana, resume, order) == order
    (view,) = resumes.resumes_of(session=session, owner_id=ana.id)
    assert [i.recording_id for i in view.items] == order
    assert set_items(session, ana, resume, (recs[3].id, recs[2].id)) == [recs[3].id, recs[2].id]
    rows = session.exec(select(ResumeItem).order_by(ResumeItem.position)).all()
    assert [(r.recording_id, r.position) for r in rows] == [(recs[3].id, 0), (recs[2].id, 1)]
    assert set_items(session, ana, resume, []) == []
    assert session.exec(select(ResumeItem)).all() == []


def test_set_items_refuses_others_unfinished_duplicates_and_junk(
    session, ana, recs, make_user, qids
):
    resume = create(session, ana)
    set_items(session, ana, resume, [recs[0].id])
    bo = make_user("bo@example.com")
    theirs = done_recording(session, bo, qids[0])
    queued = done_recording(session, ana, qids[1], text="Still processing", status="queued")
    bad = [
        [theirs.id],
        [recs[1].id, theirs.id],
        [queued.id],
        [999_999],
        [recs[1].id, recs[1].id],
        [True],
        [str(recs[1].id)],
        [1.0],
        [None],
        recs[1].id,
        "1,2",
        None,
        {recs[1].id: 1},
    ]
    for ids in bad:
        with pytest.raises(ResumeError):
            set_items(session, ana, resume, ids)
        session.rollback()
    assert [r.recording_id for r in session.exec(select(ResumeItem)).all()] == [recs[0].id]
    with pytest.raises(ResumeError) as err:
        resumes.resume_set_items(
            session=session, owner_id=bo.id, resume_id=resume.id, recording_ids=[theirs.id]
        )
    assert err.value.status == 404


def test_set_items_has_a_limit(session, ana, qids):
    many = [
        done_recording(session, ana, qids[i % 4], text=f"Take {i}")
        for i in range(resumes.MAX_ITEMS + 1)
    ]
    resume = create(session, ana)
    with pytest.raises(ResumeError, match=f"at most {resumes.MAX_ITEMS}"):
        set_items(session, ana, resume, [r.id for r in many])
    assert (
        len(set_items(session, ana, resume, [r.id for r in many[: resumes.MAX_ITEMS]]))
        == resumes.MAX_ITEMS
    )


# --- publishing ---------------------------------------------------------------------------------


def test_publishing_needs_an_answer(session, ana, recs):
    resume = create(session, ana)
    with pytest.raises(ResumeError, match="at least one answer"):
        publish(session, ana, resume)
    assert session.get(Resume, resume.id).published_at is None


def test_the_default_limit_is_one_published_resume(session, ana, recs):
    first, second = create(session, ana, title="First"), create(session, ana, title="Second")
    for resume in (first, second):
        set_items(session, ana, resume, [recs[0].id])
    assert publish(session, ana, first).published_at is not None
    assert publish(session, ana, first).published_at is not None  # publishing again: no change
    with pytest.raises(ResumeError, match="1 published resume\\."):
        publish(session, ana, second)
    assert session.get(Resume, second.id).published_at is None
    publish(session, ana, first, on=False)
    assert session.get(Resume, first.id).published_at is None
    assert publish(session, ana, second).published_at is not None


def test_the_limit_comes_from_settings(session, ana, recs, make_user, monkeypatch):
    monkeypatch.setenv("PREPPLE_MAX_PUBLISHED_RESUMES", "2")
    reset_settings_cache()
    made = [create(session, ana, title=f"Resume {i}") for i in range(3)]
    for resume in made:
        set_items(session, ana, resume, [recs[0].id])
    publish(session, ana, made[0])
    publish(session, ana, made[1])
    with pytest.raises(ResumeError, match="2 published resumes"):
        publish(session, ana, made[2])
    # the limit is per account
    bo = make_user("bo@example.com")
    bos = create(session, bo, title="Bo")
    set_items(session, bo, bos, [done_recording(session, bo, recs[0].question_id).id])
    assert publish(session, bo, bos).published_at is not None


def test_a_resume_whose_only_answer_has_no_media_cannot_publish(session, ana, recs):
    resume = create(session, ana)
    set_items(session, ana, resume, [recs[0].id])
    recs[0].media_key = ""
    session.add(recs[0])
    session.commit()
    with pytest.raises(ResumeError):
        publish(session, ana, resume)


# --- the public page ----------------------------------------------------------------------------


@pytest.fixture
def live(session, ana, recs):
    resume = create(session, ana)
    resumes.resume_update(
        session=session, owner_id=ana.id, resume_id=resume.id, title="Ana Lima", intro="Hello."
    )
    set_items(session, ana, resume, [recs[2].id, recs[0].id])
    publish(session, ana, resume)
    return resume


def test_the_public_page_shows_only_the_picked_answers_and_no_scores(session, ana, recs, live):
    page = resumes.resume_public(session=session, slug=live.slug)
    assert (page.title, page.intro, page.published, page.slug) == (
        "Ana Lima",
        "Hello.",
        True,
        live.slug,
    )
    assert [i.recording_id for i in page.items] == [recs[2].id, recs[0].id]
    first = page.items[0]
    question = session.get(Question, recs[2].question_id).text
    assert (first.question, first.transcript, first.duration, first.has_video) == (
        question,
        "Answer number 2.",
        "1:05",
        True,
    )
    assert {f.name for f in dataclasses.fields(first)} == {
        "recording_id",
        "question",
        "duration",
        "transcript",
        "has_video",
    }
    dumped = json.dumps(dataclasses.asdict(page))
    for secret in (
        "87",
        "91",
        "overall",
        "scores",
        ana.email,
        recs[1].media_key,
        "Answer number 1",
    ):
        assert secret not in dumped


def test_the_public_page_counts_views(session, live):
    for n in range(3):
        resumes.resume_public(session=session, slug=live.slug, visitor=f"visitor-{n}")
    resumes.resume_public(session=session, slug=live.slug, count_view=False, visitor="v-x")
    session.commit()
    session.refresh(live)
    assert live.views == 3


CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


def test_a_view_counts_once_per_visitor_per_day_and_never_for_bots_or_the_owner(session, ana, live):
    """Issue 11: scripted visits inflated view counts."""
    from datetime import timedelta

    from prepple.models import utcnow

    day = utcnow()

    def visit(ip="203.0.113.7", agent=CHROME, viewer_id=None, when=day):
        key = resumes.visitor_key(client_ip=ip, user_agent=agent, viewer_id=viewer_id)
        resumes.resume_public(
            session=session, slug=live.slug, visitor=key, viewer_id=viewer_id, now=when
        )
        session.commit()
        session.refresh(live)
        return live.views

    assert visit() == 1
    for _ in range(50):  # a script reloading the page
        visit()
    assert live.views == 1
    assert visit(ip="198.51.100.9") == 2  # someone else
    assert visit(agent=CHROME + " Firefox") == 3  # another browser on that address
    for bot in ("Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0",
                "python-requests/2.32", "Slackbot-LinkExpanding 1.0", ""):  # fmt: skip
        assert visit(agent=bot) == 3, bot
    assert visit(viewer_id=ana.id) == 3  # the owner
    assert visit(when=day + timedelta(days=1)) == 4  # the first visitor, the next day
    assert visit(when=day + timedelta(days=1)) == 4
    # Signed-in viewers count by account, wherever they are.
    other = 10_000 + ana.id
    assert visit(viewer_id=other, ip="192.0.2.1") == 5
    assert visit(viewer_id=other, ip="192.0.2.2") == 5
    # The stored key is a keyed hash: no address or user agent in the table.
    from prepple.models import ResumeViewMark

    marks = session.exec(select(ResumeViewMark)).all()
    assert marks and all("203.0.113" not in m.visitor and "Mozilla" not in m.visitor for m in marks)
    assert resumes.resume_view_marks_prune(session=session, now=day + timedelta(days=4)) == len(
        marks
    )


def test_the_public_page_drops_answers_that_lost_their_results(session, recs, live):
    recs[2].status = "failed"
    session.add(recs[2])
    session.commit()
    assert [
        i.recording_id for i in resumes.resume_public(session=session, slug=live.slug).items
    ] == [recs[0].id]


@pytest.mark.parametrize(
    "slug",
    [
        "no-such-resume",
        "../etc/passwd",
        "<script>alert(1)</script>",
        "a" * 10_000,
        "ANAS-RESUME",
        "anas-resume\n",
        "anas-resume' OR '1'='1",
        "",
        None,
        5,
        ["anas-resume"],
    ],
)
def test_the_public_page_is_404_for_unknown_or_hostile_slugs(session, live, slug):
    with pytest.raises(ResumeError) as err:
        resumes.resume_public(session=session, slug=slug)
    assert err.value.status == 404
    session.commit()
    session.refresh(live)
    assert live.views == 0


def test_an_unpublished_resume_is_404(session, ana, live):
    publish(session, ana, live, on=False)
    with pytest.raises(ResumeError) as err:
        resumes.resume_public(session=session, slug=live.slug)
    assert err.value.status == 404


# --- media ---------------------------------------------------------------------------------------


def test_resume_media_is_allowed_only_while_published_and_included(session, ana, recs, live):
    allowed = lambda rid, res=live.id: resumes.resume_media_allowed(  # noqa: E731
        session=session,
        resume_id=res,
        recording_id=rid,
        resume_stamp=signing.stamp(live.created_at),
    )
    assert allowed(recs[2].id) and allowed(recs[0].id)
    assert not allowed(recs[1].id)
    assert not allowed(recs[2].id, res=999_999)
    set_items(session, ana, live, [recs[0].id])
    assert not allowed(recs[2].id)
    assert allowed(recs[0].id)
    publish(session, ana, live, on=False)
    assert not allowed(recs[0].id)


def test_resume_media_tokens_play_while_published(session, ana, recs, live):
    stamp = signing.stamp(live.created_at)
    token = recordings.resume_media_token(recs[0].id, live.id, stamp)
    where = recordings.media_for_token(session=session, token=token, recording_id=recs[0].id)
    assert where.owner is False
    assert where.mime == "video/webm"
    assert str(where.path).endswith(recs[0].media_key)
    # the recording's own visibility is untouched: it stays private to sharing
    assert session.get(Recording, recs[0].id).visibility == "private"

    refused = [
        (recordings.resume_media_token(recs[0].id, live.id, stamp), recs[2].id),  # another rec.
        (recordings.resume_media_token(recs[1].id, live.id, stamp), recs[1].id),  # not in it
        (recordings.resume_media_token(recs[0].id, 999_999, stamp), recs[0].id),  # no such resume
        (recordings.resume_media_token(recs[0].id, 0, stamp), recs[0].id),  # no resume at all
        (recordings.resume_media_token(recs[0].id, live.id, stamp + 1), recs[0].id),  # a later one
        (token[:-2] + "AA", recs[0].id),  # forged
    ]
    for bad, rid in refused:
        with pytest.raises(RecordingError) as err:
            recordings.media_for_token(session=session, token=bad, recording_id=rid)
        assert err.value.status in (403, 404), (bad, rid)

    publish(session, ana, live, on=False)
    with pytest.raises(RecordingError) as err:
        recordings.media_for_token(session=session, token=token, recording_id=recs[0].id)
    assert err.value.status == 403
    publish(session, ana, live)
    assert recordings.media_for_token(session=session, token=token, recording_id=recs[0].id)


def test_emptying_a_published_resume_takes_it_down_and_views_count_from_one(session, ana, recs):
    resume = create(session, ana)
    set_items(session, ana, resume, [recs[0].id])
    publish(session, ana, resume)
    first = resumes.resume_public(session=session, slug=resume.slug, visitor="a")
    second = resumes.resume_public(session=session, slug=resume.slug, visitor="b")
    assert (first.views, second.views) == (1, 2)
    assert resumes.resume_public(session=session, slug=resume.slug, count_view=False).views == 2
    set_items(session, ana, resume, [])
    assert session.get(Resume, resume.id).published_at is None
    with pytest.raises(resumes.ResumeError):
        resumes.resume_public(session=session, slug=resume.slug)
