"""Planned answers: autosave with revisions, version history and comparison, the three views
(sections, script, bullets), framework switching, "my answers" and planning progress.

Sections are the source of truth. The script is the sections read in order; bullets are
derived from the script (one short line per sentence, cut only at clause boundaries) until the
user edits them.

Framework switches carry text by role (Situation <-> Context) and never hide text: a section the
new framework lacks (STAR's Task in CARL) stays stored and is listed by :func:`aside_of`, so the
planner can show it ("Not in CARL: your Task text") with a one-click move into its nearest
section. Versions are taken once per editing session (when a save follows a quiet gap, the
text as the previous session left it), when another tab's text is replaced, before a restore,
and on request; never per autosave or switch.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, select

from prepple.models import (
    Answer,
    AnswerVersion,
    Company,
    Competency,
    Question,
    QuestionCompany,
    QuestionCompetency,
    Story,
    utcnow,
)
from prepple.services import answer_index
from prepple.services.feedback import AnswerInput, Report, analyze
from prepple.services.feedback.frameworks import (
    FRAMEWORKS,
    role_of,
    section_for_role,
    sections_of,
)
from prepple.services.feedback.sections import label_sentences
from prepple.services.feedback.text import clean, split_sentences, words
from prepple.services.validation import (
    LIKE_ESCAPE,
    InvalidInput,
    clean_query,
    like_contains,
    scrub,
)

SECTION_MAX = 6_000  # characters per section: far beyond a 3-minute answer
BULLETS_MAX = 6_000
MAX_VERSIONS = 50
#: Saves closer together than this belong to one editing session; the first save after a
#: longer pause first keeps the text as the previous session left it, as a version.
SESSION_GAP = timedelta(minutes=5)
#: A session that never pauses still gets a version this often (a safety net, not a rhythm).
LONG_SESSION = timedelta(minutes=60)
COMPLETE_MIN_WORDS = 12  # every section needs at least this many words for "complete"
#: Sections that play a role some frameworks don't have (their text can be "aside").
ASIDE_KEYS = ("task", "obstacle", "learning")

# -- cue-card bullets -------------------------------------------------------------------------
BULLET_WORDS = 14  # a bullet is read at a glance: about this many words
_LEAD = re.compile(
    r"^(?:(?:so|and|but|then|after that|also|basically|well|um|uh|okay|ok|right|"
    r"first(?:ly)?|second(?:ly)?|next|finally|at that point|to be honest|honestly|"
    r"of course|in the end)\b[,\s]*)+",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:kind of|sort of|i think|i believe|i guess|i feel like|you know|i mean)\b,?\s*", re.I
)
#: Words a cue card can do without.
_DROP = frozenset(
    "the um uh really very just actually basically quite pretty literally definitely "
    "simply totally honestly".split()
)
#: Clause boundaries: punctuation inside the sentence.
_PUNCT_SPLIT = re.compile(r"\s*(?:[,;:](?=\s|$)|[()]|\s[-\u2013\u2014]\s|[\u2013\u2014])\s*")
#: Where a long clause may be split: before a conjunction or a preposition that starts a phrase.
_CONJ = frozenset(
    "and but so because which while whereas although though when after before rather".split()
)
_PREP = frozenset(
    "within before after by for with from during until across without through into despite "
    "instead".split()
)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand million billion half double twice percent".split()
)


def sections_dict(raw: str) -> dict[str, str]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def clean_sections(framework: str, sections: object) -> dict[str, str]:
    """Validated section texts for ``framework`` (unknown keys dropped)."""
    if not isinstance(sections, dict):
        return {}
    out = {}
    for section in sections_of(framework):
        value = sections.get(section.key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(section.key, f"{section.label} must be text.")
        text, _ = clean(value)
        if len(text) > SECTION_MAX:
            raise InvalidInput(
                section.key, f"{section.label} is too long (over {SECTION_MAX} characters)."
            )
        out[section.key] = scrub(value)[:SECTION_MAX]
    return out


def script_of(framework: str, sections: dict[str, str]) -> str:
    """The full script: the framework's sections in order, a paragraph each."""
    parts = [sections.get(s.key, "").strip() for s in sections_of(framework)]
    return "\n\n".join(p for p in parts if p)


def _has_number(words_: list[str]) -> bool:
    return any(any(c.isdigit() for c in w) or w.lower() in _NUMBER_WORDS for w in words_)


def _split_long(piece: list[str]) -> list[list[str]]:
    """Split a clause longer than a bullet before a conjunction or a preposition (never inside
    a phrase); a clause with no such place stays whole."""
    if len(piece) <= BULLET_WORDS:
        return [piece]
    for cut_words in (_CONJ, _PREP):
        # Each half keeps a few words: "we were three days | from the launch" says nothing.
        cuts = [i for i in range(6, len(piece) - 2) if piece[i].lower() in cut_words]
        if cuts:
            # The cut nearest the middle keeps both halves readable.
            i = min(cuts, key=lambda c: abs(c - len(piece) / 2))
            return _split_long(piece[:i]) + _split_long(piece[i:])
    return [piece]


def _compress(piece: list[str], *, continues: bool = False) -> list[str]:
    kept = [w for w in piece if w.lower().strip(".,;:!?\"'") not in _DROP]
    # A clause after a comma needs no "and"; a continuation of the same clause keeps it.
    if kept and not continues and kept[0].lower() in ("and", "but", "so"):
        kept = kept[1:]
    return kept or piece


def bullet_of(sentence: str) -> str:
    """Cue-card lines for a sentence (one, or two for a long one): its clauses in order,
    filler and hedges dropped, as many whole clauses as fit in about :data:`BULLET_WORDS`
    words (a clause with a number gets more room). Cut only at clause boundaries, never
    inside a phrase, never with an ellipsis."""
    text = _HEDGE.sub("", sentence.strip())
    text = _LEAD.sub("", text).strip().rstrip(".!?")
    pieces: list[tuple[list[str], bool]] = []  # (words, follows the previous piece directly)
    for part in _PUNCT_SPLIT.split(text):
        ws = part.split()
        if not ws:
            continue
        for j, sub in enumerate(_split_long(ws)):
            sub = _compress(sub, continues=j > 0)
            if sub:
                pieces.append((sub, j > 0))
    if not pieces:
        return ""
    lines: list[str] = []
    i = 0
    # A long sentence makes at most two lines, each a run of whole clauses in their order
    # (skipping one in the middle could change the meaning); the rest stays in the script.
    while i < len(pieces) and len(lines) < 2:
        out = list(pieces[i][0])
        if lines and len(out) > 1 and out[0].lower() in ("and", "but", "so"):
            out = out[1:]  # a new line needs no "and"
        i += 1
        while i < len(pieces):
            ws, joined = pieces[i]
            # Numbers are what people forget: a clause with one gets a little more room, and
            # so does a line too short to say much on its own.
            room = BULLET_WORDS + (6 if _has_number(ws) or len(out) < 5 else 0)
            if len(out) + len(ws) > room:
                break
            if not joined:
                out[-1] += ","
            out.extend(ws)
            i += 1
        line = " ".join(out).strip(" ,;:")
        lines.append(line[:1].upper() + line[1:])
        if sum(len(ws) for ws, _ in pieces[i:]) < 4:
            break
    return "\n".join(lines)


def bullets_of(script: str) -> str:
    """Cue-card bullets from a script: one short line per sentence (see :func:`bullet_of`)."""
    lines: list[str] = []
    for sentence in split_sentences(clean(script)[0]):
        lines.extend(f"- {line}" for line in bullet_of(sentence).splitlines() if line)
    return "\n".join(lines)


def sections_from_script(framework: str, script: str) -> dict[str, str]:
    """Split an edited script back into sections with the sentence labeller."""
    sents = split_sentences(clean(script)[0])
    labels = label_sentences(sents, framework)
    out: dict[str, list[str]] = {s.key: [] for s in sections_of(framework)}
    for sentence, label in zip(sents, labels, strict=True):
        out.setdefault(label if label in out else sections_of(framework)[0].key, []).append(
            sentence
        )
    return {k: " ".join(v) for k, v in out.items()}


def switch_framework(old: str, new: str, stored: dict[str, str]) -> dict[str, str]:
    """Sections for ``new`` carrying text over by role (Situation <-> Context): the text the
    user had on screen wins. Text of sections ``new`` lacks (Task, Obstacle, Learning) stays
    stored under its own key: :func:`aside_of` lists it and a switch back shows it again.
    Aside text the user moved into a section (:func:`aside_move`) goes back to its own section
    on a switch back, so switching to and fro changes nothing."""
    result = dict(stored)
    for section in sections_of(new):
        for other in sections_of(old):
            if (
                other.key != section.key
                and role_of(old, other.key) == section.role
                and stored.get(other.key, "").strip()
            ):
                result[section.key] = stored[other.key]
    new_keys = {s.key for s in sections_of(new)}
    for key in ASIDE_KEYS:
        moved = stored.get(key, "").strip()
        if key not in new_keys or not moved:
            continue
        for target in new_keys - {key}:
            if moved in result.get(target, ""):
                result[target] = " ".join(result[target].replace(moved, " ").split())
    return result


@dataclass
class AsideText:
    """Text the user wrote for a section the current framework doesn't have."""

    key: str
    label: str
    text: str
    home: str  # the section it can move into
    home_label: str
    words: int


def aside_of(framework: str, stored: dict[str, str]) -> list[AsideText]:
    """Stored text of sections ``framework`` lacks (STAR's Task when the plan is in CARL): it
    isn't part of the answer, its script or its score until the user moves it into its
    nearest section (:func:`aside_move`). Text already in one of the sections isn't listed."""
    own = {s.key for s in sections_of(framework)}
    labels = {s.key: s for fw in FRAMEWORKS.values() for s in fw}
    out = []
    for key in ASIDE_KEYS:
        text = stored.get(key, "")
        if key in own or not text.strip():
            continue
        if any(text.strip() in stored.get(k, "") for k in own):
            continue
        home = section_for_role(framework, labels[key].role)
        home_label = next(s.label for s in sections_of(framework) if s.key == home)
        out.append(AsideText(key, labels[key].label, text, home, home_label, len(words(text))))
    return out


def aside_move(framework: str, stored: dict[str, str], key: str) -> dict[str, str]:
    """Move aside text into its nearest section of ``framework`` (appended as its own
    sentences). The aside key keeps its text: a switch back to a framework with that section
    takes it out of the nearest section again (see :func:`switch_framework`)."""
    match = [a for a in aside_of(framework, stored) if a.key == key]
    if not match:
        raise InvalidInput("aside", "There is no such text to move.")
    aside = match[0]
    result = dict(stored)
    current = result.get(aside.home, "").rstrip()
    joined = f"{current} {aside.text.strip()}" if current else aside.text.strip()
    if len(joined) > SECTION_MAX:
        raise InvalidInput(
            aside.home,
            f"{aside.home_label} would be over {SECTION_MAX} characters; shorten it first.",
        )
    result[aside.home] = joined
    return result


def is_complete(framework: str, sections: dict[str, str]) -> bool:
    """Every section of the framework has some real content."""
    return all(
        len(words(sections.get(s.key, ""))) >= COMPLETE_MIN_WORDS for s in sections_of(framework)
    )


# ---------------------------------------------------------------------------------------------


@dataclass
class PlanView:
    """An answer as the planner shows it."""

    answer_id: int
    question_id: int
    framework: str
    sections: dict[str, str]
    bullets: str
    bullets_edited: bool
    revision: int
    status: str
    updated: str
    story_id: int = 0
    #: The feedback report of this text, scored once by the save (``plan_save``,
    #: ``plan_restore``): ``overall`` is the stored ``Answer.overall``. ``None`` on a read.
    report: Report | None = None


def _view(answer: Answer, report: Report | None = None) -> PlanView:
    sections = sections_dict(answer.sections_json)
    # Derived bullets are derived on read too: plans saved before a better cue-card rule
    # (older ones were cut mid-phrase with an ellipsis) show the current rule's bullets.
    bullets = (
        answer.bullets
        if answer.bullets_edited
        else bullets_of(script_of(answer.framework, sections))
    )
    return PlanView(
        answer_id=answer.id,
        question_id=answer.question_id,
        framework=answer.framework,
        sections=sections,
        bullets=bullets,
        bullets_edited=answer.bullets_edited,
        revision=answer.revision,
        status=answer.status,
        updated=f"{answer.updated_at:%Y-%m-%d %H:%M} UTC",
        story_id=answer.story_id or 0,
        report=report,
    )


def plan_get(*, session: Session, user_id: int, question_id: int) -> PlanView | None:
    """The user's plan for a question, or ``None`` if they haven't started one."""
    answer = session.exec(
        select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
    ).first()
    return _view(answer) if answer else None


def _latest_version(session: Session, answer: Answer) -> AnswerVersion | None:
    return session.exec(
        select(AnswerVersion)
        .where(AnswerVersion.answer_id == answer.id)
        .order_by(AnswerVersion.number.desc())
        .limit(1)
    ).first()


def _snapshot(
    session: Session, answer: Answer, reason: str, *, at: datetime | None = None, dedupe=False
) -> int | None:
    """Keep the answer's current text as a version; returns its number. With ``dedupe``,
    nothing is added when the latest version already holds exactly this text."""
    latest = _latest_version(session, answer)
    if (
        dedupe
        and latest is not None
        and latest.framework == answer.framework
        and sections_dict(latest.sections_json) == sections_dict(answer.sections_json)
        and latest.bullets == answer.bullets
    ):
        return None
    number = (latest.number if latest else 0) + 1
    session.add(
        AnswerVersion(
            answer_id=answer.id,
            number=number,
            framework=answer.framework,
            sections_json=answer.sections_json,
            bullets=answer.bullets,
            overall=answer.overall,
            words=answer.words,
            reason=reason,
            created_at=at or utcnow(),
        )
    )
    session.flush()
    old = session.exec(
        select(AnswerVersion.id)
        .where(AnswerVersion.answer_id == answer.id)
        .order_by(AnswerVersion.number.desc())
        .offset(MAX_VERSIONS)
    ).all()
    for vid in old:
        session.delete(session.get(AnswerVersion, vid))
    return number


def _competency_slugs(session: Session, question_id: int) -> list[str]:
    return list(
        session.exec(
            select(Competency.slug)
            .join(QuestionCompetency, QuestionCompetency.competency_id == Competency.id)
            .where(QuestionCompetency.question_id == question_id)
        ).all()
    )


def _score(
    session: Session,
    question: Question,
    framework: str,
    stored: dict[str, str],
    *,
    user_id: int | None = None,
    answer_id: int | None = None,
) -> Report:
    """THE score of a plan: the feedback report of what the answer says in ``framework``, for
    its question and competencies, with its originality against other people's answers
    ``user_id`` may read (aside text is not part of the answer). Saves store its ``overall``
    and the planner shows the same report, so the schedule's "weak answers" are the ones the
    user saw scored low."""
    similar = answer_index.closest_other(
        session=session,
        text=script_of(framework, stored),
        user_id=user_id,
        own_answer_id=answer_id,
    )
    return analyze(
        AnswerInput(
            framework,
            sections={s.key: stored.get(s.key, "") for s in sections_of(framework)},
            question=question.text,
            competencies=_competency_slugs(session, question.id),
        ),
        similar_to_others=similar,
    )


def plan_feedback(
    *,
    session: Session,
    user_id: int | None,
    question_id: int,
    framework: str,
    sections: object,
) -> Report:
    """The report of text on screen that isn't saved (a visitor's plan, a section over the
    limit, the plan as opened), scored like a save (:func:`_score`). When it is the user's
    saved text, a stored score that has gone stale (the engine or the originality input
    changed since the save) is brought in line, so the score shown is the score stored."""
    framework = str(framework).upper()
    if framework not in FRAMEWORKS:
        framework = "STAR"
    question = session.get(Question, question_id)
    if question is None:
        raise InvalidInput("question", "That question no longer exists.")
    text = (
        {str(k): v for k, v in sections.items() if isinstance(v, str)}
        if isinstance(sections, dict)
        else {}
    )
    answer = (
        session.exec(
            select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
        ).first()
        if user_id
        else None
    )
    report = _score(
        session,
        question,
        framework,
        text,
        user_id=user_id,
        answer_id=answer.id if answer else None,
    )
    if (
        answer is not None
        and answer.overall != report.overall
        and answer.framework == framework
        and all(
            sections_dict(answer.sections_json).get(s.key, "") == text.get(s.key, "")
            for s in sections_of(framework)
        )
    ):
        answer.overall = report.overall
        session.flush()
    return report


def _apply_text(
    session: Session,
    answer: Answer,
    question: Question,
    framework: str,
    stored: dict[str, str],
    now: datetime,
) -> Report:
    script = script_of(framework, stored)
    report = _score(
        session, question, framework, stored, user_id=answer.user_id, answer_id=answer.id
    )
    answer.framework = framework
    answer.sections_json = json.dumps(stored, ensure_ascii=False)
    if not answer.bullets_edited:
        answer.bullets = bullets_of(script)
    answer.overall = report.overall
    answer.words = report.stats.get("words", 0)
    answer.status = "complete" if is_complete(framework, stored) else "draft"
    answer.revision += 1
    answer.updated_at = now
    # The shared near-copy index, in this same transaction (every process sees it at once).
    session.flush()
    answer_index.index_answer(session=session, answer_id=answer.id, text=script)
    return report


def plan_save(
    *,
    session: Session,
    user_id: int,
    question_id: int,
    framework: str,
    sections: object,
    bullets: object = None,
    base_revision: int | None = None,
    now: datetime | None = None,
) -> tuple[PlanView, bool]:
    """Save the user's plan (create it on first save). Returns the saved view and whether a
    conflict with another tab was resolved by keeping the other text as a version.

    ``bullets=None`` keeps them derived from the script; a string stores the user's own.
    The view carries the report the stored score comes from (``view.report``): the planner
    shows that one. The first save after a quiet gap first keeps the text as the previous
    editing session left it (one version per session)."""
    now = now or utcnow()
    framework = str(framework).upper()
    if framework not in FRAMEWORKS:
        raise InvalidInput("framework", "Choose STAR, CARL or SOAR.")
    question = session.get(Question, question_id)
    if question is None:
        raise InvalidInput("question", "That question no longer exists.")
    new_sections = clean_sections(framework, sections)
    if bullets is not None and (not isinstance(bullets, str) or len(bullets) > BULLETS_MAX):
        raise InvalidInput("bullets", f"Bullets must be text under {BULLETS_MAX} characters.")
    answer = session.exec(
        select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
    ).first()
    conflict = False
    if answer is None:
        answer = Answer(user_id=user_id, question_id=question_id, created_at=now)
        session.add(answer)
        stored: dict[str, str] = {}
    else:
        stored = sections_dict(answer.sections_json)
        if base_revision is not None and base_revision != answer.revision:
            _snapshot(session, answer, "kept from another tab", dedupe=True)
            conflict = True
        elif now - answer.updated_at >= SESSION_GAP:
            # A new editing session: keep the text as the last one left it.
            _snapshot(
                session, answer, "end of an editing session", at=answer.updated_at, dedupe=True
            )
        else:
            latest = _latest_version(session, answer)
            since = latest.created_at if latest else answer.created_at
            if now - since >= LONG_SESSION:
                _snapshot(session, answer, "during a long editing session", dedupe=True)
    stored.update(new_sections)
    if bullets is not None:
        answer.bullets = bullets.replace("\x00", "")
        answer.bullets_edited = True
    report = _apply_text(session, answer, question, framework, stored, now)
    session.flush()
    return _view(answer, report), conflict


def plan_restore(
    *, session: Session, user_id: int, question_id: int, number: object, now: datetime | None = None
) -> tuple[PlanView, int | None]:
    """Make version ``number`` the current text. The current text is kept as a version first
    (so a restore can be undone by restoring that one); returns the view and that version's
    number (``None`` when the current text already equals the version)."""
    now = now or utcnow()
    if not isinstance(number, int) or isinstance(number, bool):
        raise InvalidInput("version", "That version doesn't exist.")
    answer = session.exec(
        select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
    ).first()
    version = (
        session.exec(
            select(AnswerVersion).where(
                AnswerVersion.answer_id == answer.id, AnswerVersion.number == number
            )
        ).first()
        if answer
        else None
    )
    if answer is None or version is None:
        raise InvalidInput("version", "That version doesn't exist.")
    question = session.get(Question, question_id)
    same = (
        answer.framework == version.framework
        and sections_dict(answer.sections_json) == sections_dict(version.sections_json)
        and answer.bullets == version.bullets
    )
    kept = None
    if not same:
        kept = _snapshot(session, answer, f"before restoring version {number}")
    stored = sections_dict(version.sections_json)
    script = script_of(version.framework, stored)
    answer.bullets = version.bullets
    answer.bullets_edited = bool(version.bullets) and version.bullets != bullets_of(script)
    report = _apply_text(session, answer, question, version.framework, stored, now)
    session.flush()
    return _view(answer, report), kept


NO_PLAN = "Write your answer first: there is no plan for this question yet."


def _own_answer(session: Session, user_id: int, question_id: int) -> Answer:
    """The user's plan for the question; InvalidInput when they have none (a crafted event,
    or a plan deleted in another tab), never a crash."""
    answer = session.exec(
        select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
    ).first()
    if answer is None:
        raise InvalidInput("plan", NO_PLAN)
    return answer


def plan_regenerate_bullets(*, session: Session, user_id: int, question_id: int) -> PlanView:
    """Throw away edited bullets and derive them from the script again."""
    answer = _own_answer(session, user_id, question_id)
    answer.bullets = bullets_of(script_of(answer.framework, sections_dict(answer.sections_json)))
    answer.bullets_edited = False
    answer.revision += 1
    answer.updated_at = utcnow()
    session.flush()
    return _view(answer)


def plan_snapshot(*, session: Session, user_id: int, question_id: int, reason: str) -> int:
    """Save a named version now ("Save version"); returns its number."""
    answer = _own_answer(session, user_id, question_id)
    number = _snapshot(session, answer, reason[:40] or "saved", dedupe=True)
    if number is None:  # nothing changed since the latest version: that one is it
        number = _latest_version(session, answer).number
    return number


@dataclass
class VersionView:
    """A version in the history list."""

    number: int
    created: str
    reason: str
    overall: int
    words: int
    framework: str


def versions(*, session: Session, user_id: int, question_id: int) -> list[VersionView]:
    """The answer's versions, newest first."""
    rows = session.exec(
        select(AnswerVersion)
        .join(Answer, Answer.id == AnswerVersion.answer_id)
        .where(Answer.user_id == user_id, Answer.question_id == question_id)
        .order_by(AnswerVersion.number.desc())
    ).all()
    return [
        VersionView(
            v.number,
            f"{v.created_at:%Y-%m-%d %H:%M} UTC",
            v.reason,
            v.overall,
            v.words,
            v.framework,
        )
        for v in rows
    ]


@dataclass
class DiffLine:
    """One word-level chunk of a comparison: kind is same, added or removed."""

    kind: str
    text: str


def compare(
    *, session: Session, user_id: int, question_id: int, left: int, right: int | None
) -> tuple[list[DiffLine], str, str]:
    """Word-level differences between version ``left`` and ``right`` (``None`` = current)."""
    answer = _own_answer(session, user_id, question_id)

    def text_of(number: int | None) -> tuple[str, str]:
        if number is None:
            return script_of(answer.framework, sections_dict(answer.sections_json)), "current"
        v = session.exec(
            select(AnswerVersion).where(
                AnswerVersion.answer_id == answer.id, AnswerVersion.number == number
            )
        ).first()
        if v is None:
            raise InvalidInput("version", "That version doesn't exist.")
        return script_of(v.framework, sections_dict(v.sections_json)), f"version {number}"

    a, a_label = text_of(left)
    b, b_label = text_of(right)
    aw, bw = a.split(), b.split()
    out: list[DiffLine] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=aw, b=bw, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(DiffLine("same", " ".join(aw[i1:i2])))
            continue
        if i2 > i1:
            out.append(DiffLine("removed", " ".join(aw[i1:i2])))
        if j2 > j1:
            out.append(DiffLine("added", " ".join(bw[j1:j2])))
    return out, a_label, b_label


# ---------------------------------------------------------------------------------------------
# My answers and planning progress


@dataclass
class AnswerRow:
    """A planned answer in "my answers"."""

    question_id: int
    question: str
    framework: str
    status: str
    overall: int
    words: int
    updated: str
    competencies: list[str] = field(default_factory=list)


def my_answers(
    *,
    session: Session,
    user_id: int,
    query: str = "",
    competency: str = "",
    company: str = "",
    status: str = "",
) -> list[AnswerRow]:
    """The user's planned answers, newest first, filtered."""
    stmt = (
        select(Answer, Question.text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.user_id == user_id)
        .order_by(Answer.updated_at.desc())
    )
    q = clean_query(query).lower()
    if q:
        like = like_contains(q)
        stmt = stmt.where(
            or_(
                func.lower(Question.text).like(like, escape=LIKE_ESCAPE),
                func.lower(Answer.sections_json).like(like, escape=LIKE_ESCAPE),
            )
        )
    if competency:
        stmt = stmt.where(
            Answer.question_id.in_(
                select(QuestionCompetency.question_id)
                .join(Competency, Competency.id == QuestionCompetency.competency_id)
                .where(Competency.slug == competency)
            )
        )
    if company:
        stmt = stmt.where(
            Answer.question_id.in_(
                select(QuestionCompany.question_id)
                .join(Company, Company.id == QuestionCompany.company_id)
                .where(Company.slug == company)
            )
        )
    if status in ("draft", "complete"):
        stmt = stmt.where(Answer.status == status)
    rows = session.exec(stmt.limit(500)).all()
    comps: dict[int, list[str]] = {}
    ids = [a.question_id for a, _ in rows]
    if ids:
        for qid, name in session.exec(
            select(QuestionCompetency.question_id, Competency.name)
            .join(Competency, Competency.id == QuestionCompetency.competency_id)
            .where(QuestionCompetency.question_id.in_(ids))
        ).all():
            comps.setdefault(qid, []).append(name)
    return [
        AnswerRow(
            a.question_id,
            text,
            a.framework,
            a.status,
            a.overall,
            a.words,
            f"{a.updated_at:%Y-%m-%d}",
            sorted(comps.get(a.question_id, [])),
        )
        for a, text in rows
    ]


@dataclass
class Coverage:
    """Planning progress on a set of questions, overall and per competency."""

    label: str
    total: int
    complete: int
    drafts: int
    by_competency: list[tuple[str, int, int]]  # (name, complete, total)

    @property
    def percent(self) -> int:
        """Share of the set with a complete plan."""
        return round(100 * self.complete / self.total) if self.total else 0


def progress(
    *,
    session: Session,
    user_id: int,
    company: str = "",
    competency: str = "",
    question_ids: list[int] | None = None,
) -> Coverage:
    """How many questions of a set (a company's, a competency's, or a custom list) have a
    complete plan, with per-competency coverage."""
    qs = select(Question.id)
    label = "All questions"
    if company:
        qs = (
            qs.join(QuestionCompany, QuestionCompany.question_id == Question.id)
            .join(Company, Company.id == QuestionCompany.company_id)
            .where(Company.slug == company)
        )
        label = session.exec(select(Company.name).where(Company.slug == company)).first() or company
    if competency:
        qs = (
            qs.join(QuestionCompetency, QuestionCompetency.question_id == Question.id)
            .join(Competency, Competency.id == QuestionCompetency.competency_id)
            .where(Competency.slug == competency)
        )
        label = (
            session.exec(select(Competency.name).where(Competency.slug == competency)).first()
            or competency
        )
    if question_ids is not None:
        qs = qs.where(Question.id.in_(question_ids))
        label = "My list"
    ids = set(session.exec(qs).all())
    status = (
        dict(
            session.exec(
                select(Answer.question_id, Answer.status).where(
                    Answer.user_id == user_id, Answer.question_id.in_(list(ids))
                )
            ).all()
        )
        if ids
        else {}
    )
    per: dict[str, list[int]] = {}
    if ids:
        for qid, name in session.exec(
            select(QuestionCompetency.question_id, Competency.name)
            .join(Competency, Competency.id == QuestionCompetency.competency_id)
            .where(QuestionCompetency.question_id.in_(list(ids)))
        ).all():
            entry = per.setdefault(name, [0, 0])
            entry[1] += 1
            entry[0] += status.get(qid) == "complete"
    return Coverage(
        label=label,
        total=len(ids),
        complete=sum(1 for s in status.values() if s == "complete"),
        drafts=sum(1 for s in status.values() if s == "draft"),
        by_competency=sorted(((n, c, t) for n, (c, t) in per.items()), key=lambda x: -x[2]),
    )


def story_create(*, session: Session, user_id: int, title: object, notes: object = "") -> Story:
    """Add a story to the user's story bank."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("title", "Give the story a short title.")
    if len(title.strip()) > 120:
        raise InvalidInput("title", "Keep the title under 120 characters.")
    if not isinstance(notes, str) or len(notes) > SECTION_MAX:
        raise InvalidInput("notes", f"Notes must be text under {SECTION_MAX} characters.")
    story = Story(user_id=user_id, title=scrub(title, multiline=False).strip(), notes=scrub(notes))
    session.add(story)
    session.flush()
    return story


@dataclass
class StoryView:
    """A story and the questions it serves."""

    id: int
    title: str
    notes: str
    questions: list[str] = field(default_factory=list)
    question_ids: list[int] = field(default_factory=list)
    competencies: list[str] = field(default_factory=list)


def stories(*, session: Session, user_id: int) -> list[StoryView]:
    """The user's story bank: each story with the questions and competencies it serves."""
    rows = session.exec(
        select(Story).where(Story.user_id == user_id).order_by(Story.updated_at.desc())
    ).all()
    views = {s.id: StoryView(s.id, s.title, s.notes) for s in rows}
    if not views:
        return []
    linked = session.exec(
        select(Answer.story_id, Question.id, Question.text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.user_id == user_id, Answer.story_id.in_(list(views)))
    ).all()
    for sid, qid, text in linked:
        views[sid].questions.append(text)
        views[sid].question_ids.append(qid)
    qids = [qid for _, qid, _ in linked]
    if qids:
        names: dict[int, set[str]] = {}
        for qid, name in session.exec(
            select(QuestionCompetency.question_id, Competency.name)
            .join(Competency, Competency.id == QuestionCompetency.competency_id)
            .where(QuestionCompetency.question_id.in_(qids))
        ).all():
            names.setdefault(qid, set()).add(name)
        for view in views.values():
            view.competencies = sorted({n for q in view.question_ids for n in names.get(q, ())})
    return [views[s.id] for s in rows]


def story_link(*, session: Session, user_id: int, question_id: int, story_id: int | None) -> None:
    """Say which story the plan for ``question_id`` tells (``None`` to unlink)."""
    answer = session.exec(
        select(Answer).where(Answer.user_id == user_id, Answer.question_id == question_id)
    ).first()
    if answer is None:
        raise InvalidInput("story", "Write a little of the answer first, then pick its story.")
    if story_id is not None:
        story = session.get(Story, story_id)
        if story is None or story.user_id != user_id:
            raise InvalidInput("story", "That story isn't in your story bank.")
        story.updated_at = utcnow()
    answer.story_id = story_id
    session.flush()


def story_delete(*, session: Session, user_id: int, story_id: int) -> None:
    """Remove a story (its answers stay, unlinked)."""
    story = session.get(Story, story_id)
    if story is None or story.user_id != user_id:
        raise InvalidInput("story", "That story isn't in your story bank.")
    session.delete(story)
    session.flush()


def plans_import(*, session: Session, user_id: int, plans: object) -> int:
    """Save a visitor's browser plans ({question_id: {framework, sections}}) to the account,
    without overwriting plans the account already has. Junk entries are skipped."""
    if not isinstance(plans, dict):
        return 0
    imported = 0
    for key, plan in list(plans.items())[:200]:
        try:
            qid = int(key)
        except (TypeError, ValueError):
            continue
        if not isinstance(plan, dict) or plan_get(
            session=session, user_id=user_id, question_id=qid
        ):
            continue
        try:
            plan_save(
                session=session,
                user_id=user_id,
                question_id=qid,
                framework=plan.get("framework", "STAR"),
                sections=plan.get("sections", {}),
            )
        except InvalidInput:
            continue
        imported += 1
    return imported
