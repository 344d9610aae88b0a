"""Answer frameworks (STAR, CARL, SOAR): their sections, hints and prompting questions.

Each section has a *role* shared across frameworks (the setting, the goal, the obstacle, the
action, the result, the learning), so the sentence classifier learns roles once and each
framework maps them to its own section names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One part of an answer."""

    key: str
    label: str
    role: str
    hint: str
    prompts: tuple[str, ...]
    #: Share of the answer's words this section should take (min, max).
    share: tuple[float, float]


ROLES = ("setting", "goal", "obstacle", "action", "result", "learning", "other")

_SITUATION = Section(
    "situation",
    "Situation",
    "setting",
    "Set the scene in two or three sentences: where you were, when, and who was involved.",
    ("Where were you working, and when?", "What was at stake?", "Who else was involved?"),
    (0.08, 0.25),
)
_TASK = Section(
    "task",
    "Task",
    "goal",
    "What was your responsibility? Say what you (not the team) had to achieve.",
    ("What were you asked to do?", "What did success look like?", "Why was it yours to do?"),
    (0.04, 0.18),
)
_ACTION = Section(
    "action",
    "Action",
    "action",
    "The heart of the answer: the steps you took, in order, and why. Say 'I', not 'we'.",
    (
        "What did you do yourself?",
        "What did you decide, and why?",
        "What did you say to whom?",
        "What was hard about it?",
    ),
    (0.35, 0.65),
)
_RESULT = Section(
    "result",
    "Result",
    "result",
    "What changed because of you? Use numbers, dates or feedback someone gave.",
    ("What changed, in numbers?", "How did people react?", "What happened next?"),
    (0.10, 0.30),
)
_CONTEXT = Section(
    "context",
    "Context",
    "setting",
    "The background in a few sentences: the place, the time, the challenge.",
    ("Where were you, and when?", "What was the challenge?", "Why did it matter?"),
    (0.08, 0.25),
)
_LEARNING = Section(
    "learning",
    "Learning",
    "learning",
    "What you learned and how you work differently since. Be concrete.",
    (
        "What would you do differently?",
        "What do you do now that you didn't before?",
        "What did it teach you about yourself?",
    ),
    (0.07, 0.22),
)
_OBSTACLE = Section(
    "obstacle",
    "Obstacle",
    "obstacle",
    "What stood in the way: the constraint, the risk, the difficulty.",
    ("What made it hard?", "What could have gone wrong?", "What resources were missing?"),
    (0.06, 0.22),
)

FRAMEWORKS: dict[str, tuple[Section, ...]] = {
    "STAR": (_SITUATION, _TASK, _ACTION, _RESULT),
    "CARL": (_CONTEXT, _ACTION, _RESULT, _LEARNING),
    "SOAR": (_SITUATION, _OBSTACLE, _ACTION, _RESULT),
}

FRAMEWORK_NAMES = {
    "STAR": "Situation, Task, Action, Result",
    "CARL": "Context, Action, Result, Learning",
    "SOAR": "Situation, Obstacle, Action, Result",
}


def sections_of(framework: str) -> tuple[Section, ...]:
    """The sections of ``framework`` (STAR when unknown)."""
    return FRAMEWORKS.get(str(framework).upper(), FRAMEWORKS["STAR"])


def section_for_role(framework: str, role: str) -> str:
    """The section key of ``framework`` that plays ``role`` ("other" when none does).

    STAR has no obstacle section: obstacles are part of its situation. SOAR and STAR have no
    learning section: a lesson is heard as part of the result."""
    for section in sections_of(framework):
        if section.role == role:
            return section.key
    fallback = {"obstacle": "setting", "goal": "setting", "learning": "result"}.get(role)
    if fallback:
        return section_for_role(framework, fallback)
    return "other"


def role_of(framework: str, section_key: str) -> str:
    """The role a section key plays (the inverse of :func:`section_for_role`)."""
    for section in sections_of(framework):
        if section.key == section_key:
            return section.role
    return "other"
