"""Product rules that more than one layer needs, defined once: what counts as a strong score,
how long an answer should run, and how a moment or a length in seconds is written.

Pages, state and services import these instead of repeating the numbers (the planner's score
colour, the schedule's "weak answer", the recorder's target band and the delivery report's
pace all agree because they read the same constants).
"""

from __future__ import annotations

import math

#: A score (0-100, plan or delivery) at or above this is strong: green, and the schedule
#: doesn't bring the answer back as weak.
STRONG_SCORE = 75
#: At or above this (and below :data:`STRONG_SCORE`) a score is fair: amber; below it, red.
FAIR_SCORE = 50

#: The spoken length interviewers expect of a behavioral answer, in seconds (2-3 minutes).
TARGET_SECONDS: tuple[int, int] = (120, 180)
TARGET_MIN, TARGET_MAX = TARGET_SECONDS


def clock(seconds: float | None) -> str:
    """Seconds as m:ss ("" for none). Whole seconds are cut, not rounded, like the browser's
    player and the recorder's clock: a comment pinned at 59.7 s reads 0:59 there and here,
    and a 2:59.6 answer is still under three minutes. Negative or non-finite values read 0:00."""
    if seconds is None:
        return ""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return "0:00"
    total = int(value) if math.isfinite(value) and value > 0 else 0
    return f"{total // 60}:{total % 60:02d}"
