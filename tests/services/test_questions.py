import random
from collections import Counter

import pytest
from sqlmodel import func, select

from prepple.models import Company, Competency, Question, QuestionCompetency
from prepple.services import questions as qs
from tests.conftest import both_databases


def test_bundled_bank_is_large_distinct_and_well_tagged():
    bank = qs.load_bank()
    items = bank["questions"]
    assert len(items) >= 200
    keys = [q["key"] for q in items]
    assert len(set(keys)) == len(keys), "duplicate keys"
    texts = [qs.fold(q["text"]) for q in items]
    assert len(set(texts)) == len(texts), "duplicate questions"
    comp_slugs = {c["slug"] for c in bank["competencies"]}
    co_slugs = {c["slug"] for c in bank["companies"]}
    usage = Counter(s for q in items for s in q["competencies"])
    for q in items:
        assert 1 <= len(q["competencies"]) <= 3 and set(q["competencies"]) <= comp_slugs
        assert set(q.get("companies", [])) <= co_slugs
        assert q["why_asked"].strip() and q["strong_answer"].strip()
        assert q["difficulty"] in qs.DIFFICULTIES
    assert min(usage[s] for s in comp_slugs) >= 8
    assert {"leadership", "conflict", "failure", "ownership", "customer-focus"} <= comp_slugs
    assert "amazon" in co_slugs


@both_databases
def test_seed_is_idempotent(session):
    before = session.exec(select(func.count()).select_from(Question)).one()
    links = session.exec(select(func.count()).select_from(QuestionCompetency)).one()
    counts = qs.seed_bank(session=session, bank=qs.load_bank())
    session.commit()
    assert counts["created"] == 0
    assert session.exec(select(func.count()).select_from(Question)).one() == before
    assert session.exec(select(func.count()).select_from(QuestionCompetency)).one() == links


def test_seed_updates_tags_when_the_bank_changes(session):
    bank = qs.load_bank()
    first = bank["questions"][0]
    first["competencies"] = ["failure"]
    qs.seed_bank(session=session, bank=bank)
    first["text"] = first["text"].rstrip("?.") + ", and what did you learn?"
    qs.seed_bank(session=session, bank=bank)
    q = session.exec(select(Question).where(Question.key == first["key"])).one()
    assert q.text == first["text"]  # edited in place, not duplicated
    view = qs.question_get(session=session, question_id=q.id)
    assert [t.slug for t in view.competencies] == ["failure"]
    assert session.exec(select(func.count()).select_from(Question)).one() == len(bank["questions"])


@both_databases
def test_search_is_accent_and_case_blind(session):
    result = qs.question_search(session=session, query="CONFLICT")
    assert result.total > 5
    assert qs.question_search(session=session, query="cönflict").total == result.total


@both_databases
def test_search_matches_any_word_and_ranks_questions_holding_more_of_them_first(session):
    """The issue: "difficult stakeholder" and "difficult coworker" found nothing while
    "stakeholder" found 35."""
    stakeholder = qs.question_search(session=session, query="stakeholder", limit=100)
    assert stakeholder.total >= 30
    both = qs.question_search(session=session, query="difficult stakeholder", limit=100)
    assert both.total >= stakeholder.total
    assert {q.id for q in stakeholder.items} <= {q.id for q in both.items}
    for item in both.items:
        row = session.get(Question, item.id)
        assert "difficult" in row.search_text or "stakeholder" in row.search_text
    # A question holding both words comes before every question holding one.
    text = "Tell me about a difficult stakeholder you won over."
    session.add(Question(key="both-words", text=text, search_text=qs.fold(text)))
    session.commit()
    assert qs.question_search(session=session, query="difficult stakeholder").items[0].text == text
    coworker = qs.question_search(session=session, query="difficult coworker")
    assert coworker.total > 0
    # "coworker" also finds colleagues (a synonym), and the coworker question comes first.
    top = [q.text.lower() for q in coworker.items[:5]]
    assert "coworker" in top[0]
    wide = qs.question_search(session=session, query="difficult coworker", limit=100)
    assert any("colleague" in q.text.lower() for q in wide.items)


@both_databases
def test_typos_are_corrected_and_said(session):
    right = qs.question_search(session=session, query="conflict")
    typo = qs.question_search(session=session, query="conflcit")
    assert typo.corrected == "conflict" and typo.total == right.total
    assert [q.id for q in typo.items] == [q.id for q in right.items]
    assert qs.question_search(session=session, query="stakholder").corrected == "stakeholder"
    two = qs.question_search(session=session, query="leadrship team")
    assert two.corrected == "leadership team"
    # Correct words, and words still being typed, are left alone.
    for fine in ("conflict", "confl", "stakeholders", "deadline"):
        assert qs.question_search(session=session, query=fine).corrected == ""


def test_a_less_certain_correction_is_only_suggested(session):
    result = qs.question_search(session=session, query="stakehlodrs")  # two edits away
    assert result.corrected == "" and result.suggestion == "stakeholders"
    assert qs.question_search(session=session, query="xqzvbw").suggestion == ""


def test_rarer_words_and_the_question_text_weigh_more(session):
    # "weakness" is rare, "greatest" is not: the weakness questions come first.
    result = qs.question_search(session=session, query="biggest weakness")
    assert result.items[0].text == "What is your greatest weakness?"
    assert all("weakness" in q.text.lower() for q in result.items[:2])
    # A word in the question's own text outranks the same word only in its guidance.
    deadline = qs.question_search(session=session, query="deadline", limit=100)
    in_text = [("deadline" in q.text.lower()) for q in deadline.items]
    assert in_text[0] is True
    assert in_text == sorted(in_text, reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tell me about yourself", "Tell me about yourself."),
        ("why do you want to work here", "Why do you want to work here?"),
        ("biggest weakness", "What is your greatest weakness?"),
        ("strengths", "What are your greatest strengths?"),
        ("why leave your job", "Why are you leaving your current job?"),
        ("where do you see yourself in five years", "Where do you see yourself in five years?"),
        ("why should we hire you", "Why should we hire you?"),
        ("salary expectations", "What are your salary expectations?"),
    ],
)
def test_common_questions_are_found_first(session, query, expected):
    result = qs.question_search(session=session, query=query)
    assert result.items[0].text == expected
    assert result.items[0].kind == "common"


def test_common_questions_are_marked_and_carry_a_structure(session):
    common = qs.question_search(session=session, kind="common", limit=100)
    assert common.total >= 12
    behavioral = qs.question_search(session=session, kind="behavioral", limit=1)
    assert common.total + behavioral.total == qs.question_search(session=session).total
    for item in common.items:
        view = qs.question_get(session=session, question_id=item.id)
        assert view.kind == "common" and len(view.answer_structure) > 80
    story = qs.question_get(session=session, question_id=behavioral.items[0].id)
    assert story.kind == "behavioral" and story.answer_structure == ""


def test_search_within_saved_ids(session):
    ids = [q.id for q in qs.question_search(session=session, query="conflict").items[:3]]
    saved = qs.question_search(session=session, ids=ids)
    assert sorted(q.id for q in saved.items) == sorted(ids) and saved.total == 3
    assert qs.question_search(session=session, ids=ids, query="conflict").total == 3
    assert qs.question_search(session=session, ids=[]).total == 0
    assert qs.question_search(session=session, ids=["1", True, None]).total == 0


def test_vocabulary_follows_the_bank(session):
    assert qs.question_search(session=session, query="zorblax").total == 0
    bank = qs.load_bank()
    bank["questions"].append(
        {
            "text": "Tell me about a zorblax you tamed.",
            "competencies": ["learning"],
            "why_asked": "x",
            "strong_answer": "y",
        }
    )
    qs.seed_bank(session=session, bank=bank)
    assert qs.question_search(session=session, query="zorblax").total == 1
    assert qs.question_search(session=session, query="zorbalx").corrected == "zorblax"


def test_edit_distance():
    assert qs.edit_distance("conflcit", "conflict") == 1  # a swap
    assert qs.edit_distance("manger", "manager") == 1
    assert qs.edit_distance("abc", "xyz", limit=2) == 3
    assert qs.edit_distance("kitten", "sitting") == 3 > 2 == qs.edit_distance("kiten", "sitten")


@pytest.mark.parametrize(
    "hostile",
    [
        "%",
        "_",
        "\\",
        "' OR '1'='1",
        "'; DROP TABLE questions; --",
        "<script>",
        "🙂🙂",
        "x" * 5000,
        "\u202e",
        "NULL",
        "*",
    ],
)
def test_search_treats_hostile_input_as_text(session, hostile):
    result = qs.question_search(session=session, query=hostile)
    assert result.total >= 0
    assert session.exec(select(func.count()).select_from(Question)).one() >= 200


def test_like_wildcards_do_not_match_everything(session):
    everything = qs.question_search(session=session).total
    assert qs.question_search(session=session, query="100%").total < everything


@both_databases
def test_filters_combine(session):
    amazon = qs.question_search(session=session, company="amazon", limit=100)
    assert amazon.total >= 20
    assert all(any(t.slug == "amazon" for t in q.companies) for q in amazon.items)
    both = qs.question_search(session=session, company="amazon", competency="ownership")
    assert 0 < both.total <= amazon.total
    hard = qs.question_search(session=session, difficulty="hard", limit=100)
    assert hard.total > 0 and {q.difficulty for q in hard.items} == {"hard"}
    assert qs.question_search(session=session, competency="no-such-thing").total == 0


def test_pagination_is_stable_and_complete(session):
    seen = []
    offset = 0
    while True:
        page = qs.question_search(session=session, offset=offset, limit=50)
        if not page.items:
            break
        seen += [q.id for q in page.items]
        offset += 50
    assert len(seen) == len(set(seen)) == page.total


def test_random_respects_filters_and_empty_sets(session):
    rng = random.Random(7)
    for _ in range(10):
        qid = qs.question_random(session=session, company="amazon", rng=rng)
        view = qs.question_get(session=session, question_id=qid)
        assert any(t.slug == "amazon" for t in view.companies)
    assert qs.question_random(session=session, competency="no-such-thing") is None


def test_detail_and_related(session):
    qid = qs.question_search(session=session, competency="conflict").items[0].id
    view = qs.question_get(session=session, question_id=qid)
    assert view.why_asked and view.strong_answer
    related = qs.question_related(session=session, question_id=qid)
    assert related and qid not in [r.id for r in related]
    mine = {t.slug for t in view.competencies}
    assert all(mine & {t.slug for t in r.competencies} for r in related)
    assert qs.question_get(session=session, question_id=999_999) is None


def test_facets_count_questions(session):
    comps, cos = qs.facets(session=session)
    assert len(comps) == session.exec(select(func.count()).select_from(Competency)).one()
    assert len(cos) == session.exec(select(func.count()).select_from(Company)).one()
    amazon = next(f for f in cos if f.slug == "amazon")
    assert amazon.count == qs.question_search(session=session, company="amazon").total
    assert qs.company_get(session=session, slug="amazon")["values"]
    assert qs.company_get(session=session, slug="nope") is None
