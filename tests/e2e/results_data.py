"""Realistic results-page data for browser tests and screenshots: a 3-minute answer transcribed
the way the worker stores it (word text without Whisper's leading space, fillers, long pauses),
scored by the real delivery scorer, a written plan snapshot, an earlier attempt to compare with,
a link share that includes the plan, and reviewers' comments, ratings and votes on the tips."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from prepple.models import Question, Recording
from prepple.services import accounts, planner, reviews, sharing
from prepple.services.delivery import delivery_score
from prepple.services.sharing import Target
from prepple.services.speech import Transcript, Word
from prepple.state.sharing import tip_key  # the key the pages give a tip

PASSWORD = "correct horse battery"

PLAN = {
    "situation": (
        "Two years ago I was the senior engineer on the payments team at a mid-sized online "
        "retailer. Our billing system ran a nightly batch that failed roughly once a week, and "
        "every failure meant the finance team reconciled thousands of invoices by hand the next "
        "morning. The system was twelve years old, written by people who had left, and nobody "
        "wanted to touch it because the last attempt to change it had double-charged customers."
    ),
    "task": (
        "My manager asked me to make the nightly run reliable before the annual audit, which "
        "was eleven weeks away, without a freeze on the features the business had promised. I "
        "owned the plan and the outcome, and I had two engineers part-time plus whatever help I "
        "could negotiate from the finance systems team."
    ),
    "action": (
        "First I spent a week reading the failure logs from the previous six months and found "
        "that four causes explained ninety percent of the failures. I wrote a one-page proposal "
        "that ranked them by cost and risk and got the finance lead to agree on the order. Then "
        "we split the migration into five steps that could each be rolled back in minutes: we "
        "added idempotency keys so a retried run could never charge twice, moved the slowest "
        "query to a read replica, and put the batch behind a feature flag so we could run old "
        "and new side by side for two weeks. I held a fifteen-minute check-in with finance every "
        "Friday so they heard about problems from us first."
    ),
    "result": (
        "We finished two weeks before the audit. The nightly run went from failing about once a "
        "week to zero failures in the following five months, manual reconciliation dropped from "
        "roughly six hours a week to under thirty minutes, and the auditors signed off without a "
        "single finding on billing."
    ),
}

#: What was said: the plan, told less tidily (3 minutes at about 150 words per minute).
SPOKEN = (
    "So, um, two years ago I was the senior engineer on the payments team at an online retailer. "
    "Our billing system ran a nightly batch, and it failed, uh, roughly once a week. Every "
    "failure meant the finance team had to reconcile thousands of invoices by hand the next "
    "morning, which was, you know, miserable for them. The code was twelve years old and the "
    "people who wrote it had left, so nobody wanted to touch it. The last time someone tried, "
    "customers got double-charged. My manager asked me to make the nightly run reliable before "
    "the annual audit, which was eleven weeks away, and we couldn't freeze features. I owned "
    "the plan and the outcome. I had two engineers part-time and whatever help I could get from "
    "the finance systems team. So the first thing I did was, um, spend a week reading six months "
    "of failure logs. It turned out four causes explained about ninety percent of the failures. "
    "I wrote a one-page proposal that ranked them by cost and risk, and I walked the finance lead "
    "through it so we agreed on the order. Then we split the migration into five steps, and each "
    "step could be rolled back in minutes. We added idempotency keys, so a retried run could "
    "never charge anyone twice. We moved the slowest query to a read replica. And we put the "
    "new batch behind a feature flag, so for two weeks we ran the old and the new side by side "
    "and compared every invoice. Uh, I also held a fifteen-minute check-in with finance every "
    "Friday, so they heard about problems from us first and not from angry customers. There was "
    "one week where the new run disagreed with the old one on forty invoices, and, um, that "
    "turned out to be a rounding rule nobody had written down. We fixed it and documented it. "
    "We finished two weeks before the audit. The nightly run went from failing about once a "
    "week to zero failures in the next five months. Manual reconciliation dropped from about "
    "six hours a week to under thirty minutes, and the auditors signed off with no findings on "
    "billing. What I learned is that, uh, the scary legacy system was mostly scary because "
    "nobody had measured it. Once we had the failure causes ranked, the work was ordinary "
    "engineering, and the weekly check-in did more for trust than any of the code."
)

COMMENTS = [
    "Strong opening: I knew the stakes within ten seconds.",
    "You could cut the part about the team's history; it slows the start.",
    "Nice, the double-charging detail makes the risk concrete.",
    "Say how many customers were affected if you know it.",
    "Here the pace picks up a lot; take a breath before the action part.",
    "Great that you owned the plan explicitly.",
    "The ranking of failure causes is the best part of the answer. Lead with it?",
    "I'd like one sentence on why you chose a one-page proposal.",
    "The feature-flag step shows judgement; keep it.",
    "Fifteen-minute check-ins: lovely detail, interviewers love this.",
    "The rounding-rule story is a great obstacle; give it a bit more room.",
    "Numbers in the result are clear and believable.",
    "Zero failures in five months: say over how many runs, it sounds bigger.",
    "The learning at the end is thoughtful, not generic.",
    "A couple of 'um's right here, but it sounds natural.",
    "Maybe mention what the audit would have cost if it failed.",
    "This pause works: it lands the result.",
    "Clear structure overall; I could follow every step.",
    "Could you name the finance lead's concern? It would add tension.",
    "The answer is about 3 minutes; trim 20 seconds from the situation.",
    "Good eye contact through this part.",
    "You say 'we' a lot here; make your own part clearer.",
    "Idempotency keys might need a plain-words explanation for non-engineers.",
    "Love the side-by-side run; it shows care for customers.",
    "End on the learning, not on the check-in, for a stronger close.",
    "The 'ordinary engineering' line is memorable.",
    "Tone is confident without bragging.",
    "Please add what you'd do differently next time.",
    "Great answer for a 'high-pressure deadline' question.",
    "I'd rate this one of your best takes so far.",
]


def timed_words(text: str, *, seed: int = 7) -> tuple[list[Word], float]:
    """``text`` as Whisper-style timed words (no leading spaces), at about 150 words per
    minute with a few long pauses after sentences."""
    rng = random.Random(seed)
    words, t = [], 0.6
    for i, raw in enumerate(text.split()):
        length = 0.18 + 0.045 * len(raw.strip(",.")) + rng.uniform(-0.04, 0.06)
        words.append(Word(raw, round(t, 2), round(t + length, 2), 0.93))
        t += length + 0.08
        if raw.endswith(".") and i % 9 == 0:
            t += 2.6  # a long pause
        elif raw.endswith((".", ",")):
            t += 0.35
    return words, round(t + 0.8, 2)


@dataclass
class ResultsWorld:
    """What :func:`build` made."""

    owner_email: str
    reviewer_email: str
    question_id: int
    recording_id: int
    earlier_id: int
    view_path: str  # /view/r<id>?k=<key> through a link that includes the plan


def _user(session: Session, email: str, name: str) -> int:
    user = accounts.user_register(
        session=session, email=email, password=PASSWORD, display_name=name, roles=("seeker",)
    )
    session.flush()
    return user.id


def _recording(
    session: Session, *, user_id: int, qid: int, question: str, text: str, media: str
) -> Recording:
    words, duration = timed_words(text)
    transcript = Transcript(text=text, words=words, duration=duration)
    script = planner.script_of("STAR", PLAN)
    bullets = planner.bullets_of(script)
    report = delivery_score(
        transcript, framework="STAR", plan_script=script, plan_bullets=bullets, question=question
    )
    rec = Recording(
        user_id=user_id,
        question_id=qid,
        status="done",
        mime="video/webm",
        media_key=media,
        size_bytes=1,
        duration_seconds=duration,
        has_video=True,
        transcript_json=json.dumps(transcript.to_dict()),
        report_json=json.dumps(report.to_dict()),
        overall=report.overall,
        plan_json=json.dumps(
            {"framework": "STAR", "sections": PLAN, "script": script, "bullets": bullets}
        ),
    )
    session.add(rec)
    session.flush()
    return rec


def build(
    session: Session,
    data_dir: Path,
    webm: Path,
    *,
    tag: str = "layout",
    comments: int = 30,
) -> ResultsWorld:
    """Write the whole world through the services; ``webm`` is copied in as both videos."""
    owner_email, reviewer_email = f"olive-{tag}@example.com", f"rafa-{tag}@example.com"
    owner = _user(session, owner_email, "Olive Okafor")
    reviewers = [
        _user(session, reviewer_email, "Rafa Mendes"),
        _user(session, f"kim-{tag}@example.com", "Kim Lindqvist"),
        _user(session, f"sam-{tag}@example.com", "Sam Oyelaran-Whitfield"),
    ]
    qid = session.exec(select(Question.id).order_by(Question.id)).first()
    question = session.get(Question, qid).text
    keys = []
    for name in ("earlier", "latest"):
        key = f"e2e/{tag}-{name}.webm"
        target = data_dir / "recordings" / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(webm, target)
        keys.append(key)
    earlier_text = " ".join(SPOKEN.split()[:300]).rstrip(",") + "."
    earlier = _recording(
        session, user_id=owner, qid=qid, question=question, text=earlier_text, media=keys[0]
    )
    latest = _recording(
        session, user_id=owner, qid=qid, question=question, text=SPOKEN, media=keys[1]
    )
    rec_target = Target("recording", latest.id)
    (link,), _ = sharing.share_create(
        session=session, owner_id=owner, targets=[rec_target], link=True, include_plan=True
    )
    key = sharing.share_key(link)
    report = json.loads(latest.report_json)
    tips = report.get("tips", [])
    rng = random.Random(3)
    duration = latest.duration_seconds or 180
    for i in range(comments):
        who = sharing.viewer_of(session, reviewers[i % len(reviewers)])
        at = round(duration * i / max(comments, 1), 1) if i % 4 else None
        reviews.comment_add(
            session=session,
            viewer=who,
            target=rec_target,
            key=key,
            body=COMMENTS[i % len(COMMENTS)],
            at_seconds=at,
        )
    for i, reviewer in enumerate(reviewers):
        who = sharing.viewer_of(session, reviewer)
        reviews.review_save(
            session=session,
            viewer=who,
            target=rec_target,
            key=key,
            ratings={
                "structure": 4 + (i % 2),
                "clarity": 3 + i % 3,
                "confidence": 4,
                "impact": 5 - i,
            },
            note=[
                "Clear and specific. Lead with the ranking of failure causes; it is the "
                "strongest evidence of judgement in the answer.",
                "Trim the situation by a third and give the rounding-rule obstacle more room.",
                "",
            ][i],
        )
        for t in tips[:3]:
            reviews.ai_vote(
                session=session,
                viewer=who,
                target=rec_target,
                key=key,
                item_key=tip_key(t.get("kind", ""), t["message"]),
                dimension=t.get("kind") or "overall",
                agree=rng.random() < 0.7,
            )
    session.commit()
    return ResultsWorld(
        owner_email=owner_email,
        reviewer_email=reviewer_email,
        question_id=qid,
        recording_id=latest.id,
        earlier_id=earlier.id,
        view_path=f"/view/{rec_target.ref}?k={key}",
    )
