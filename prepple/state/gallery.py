"""Sample data for the component gallery (admins only).

The gallery renders the app's own components (``components/media.py``, ``sharing.py``,
``feedback.py``, the recorder), so this state carries the same vars those components read,
filled with realistic values made by the real services: a transcript scored by the delivery
scorer, a plan checked by the feedback engine, reviewers' comments and ratings, a share list.
Its handlers change nothing outside this state: the share panel's buttons here share nothing.
"""

from __future__ import annotations

import random
from dataclasses import asdict

import reflex as rx

from prepple.services import planner
from prepple.services.authz import may
from prepple.services.delivery import delivery_score
from prepple.services.feedback import AnswerInput, analyze
from prepple.services.questions import QuestionView, Tag
from prepple.services.reviews import CommentView
from prepple.services.rules import clock
from prepple.services.sharing import ShareView
from prepple.services.speech import Transcript, Word
from prepple.state.practice import (
    Band,
    Score,
    Tip,
    Token,
    report_bands,
    report_scores,
    report_tokens,
)
from prepple.state.session import current_principal, guarded
from prepple.state.sharing import RatingSummary, ReviewRow, TipVotes

SAMPLE = QuestionView(
    id=1,
    text="Tell me about a time you disagreed with your manager. What did you do?",
    difficulty="medium",
    competencies=[Tag("conflict", "Conflict"), Tag("communication", "Communication")],
    companies=[Tag("amazon", "Amazon")],
)

QUESTION = "Tell me about a time you worked under extreme time pressure."
PLAN = {
    "situation": (
        "Our billing system failed every month-end and finance reconciled invoices by hand."
    ),
    "task": "I had to make it reliable before the audit, eleven weeks away.",
    "action": (
        "I ranked the failure causes from six months of logs, split the migration into five "
        "steps that could each be rolled back, and ran old and new side by side for two weeks."
    ),
    "result": "We finished two weeks early; failures went from weekly to none in five months.",
}
SPOKEN = (
    "So, um, our billing system failed every month-end, and finance had to reconcile "
    "thousands of invoices by hand. I had to make it reliable before the audit, which was "
    "eleven weeks away. First I read six months of logs. Four causes explained, uh, ninety "
    "percent of the failures, so I ranked them by cost and risk. Then we split the migration "
    "into five steps that could each be rolled back in minutes, and we ran the old and the new "
    "batch side by side for two weeks. There was one week where they disagreed on forty "
    "invoices, and that turned out to be a rounding rule nobody had written down. We finished "
    "two weeks before the audit, and failures went from weekly to none in the next five months. "
    "What I learned is that the scary legacy system was mostly scary because nobody had "
    "measured it."
)
COMMENTS = [
    (7.4, "Strong opening: I knew the stakes within ten seconds.", ""),
    (31.0, "Take a breath before the action; the pace jumps here.", ""),
    (-1.0, "Lead with the ranking of causes: it is your best evidence.", "So I ranked them"),
    (52.5, "The rounding-rule obstacle is great; give it a bit more room.", ""),
]


def _timed(text: str) -> tuple[list[Word], float]:
    rng = random.Random(5)
    words, t = [], 0.5
    for i, raw in enumerate(text.split()):
        length = 0.2 + 0.045 * len(raw.strip(",.")) + rng.uniform(-0.04, 0.05)
        words.append(Word(raw, round(t, 2), round(t + length, 2), 0.94))
        t += length + 0.08 + (2.4 if raw.endswith(".") and i % 5 == 0 else 0)
    return words, round(t + 0.6, 2)


class GalleryState(rx.State):
    """Holds sample values so every shared component renders as it would in a page, and the
    preview controls (appearance, width, accent and radius to try before editing the tokens)."""

    allowed: bool = False
    sample: QuestionView = SAMPLE
    sample_errors: dict[str, str] = {"email": "Enter an e-mail address like name@example.com."}
    sample_message: str = "We've sent you a link."

    # Preview controls.
    appearance: str = "inherit"  # follow the page (the nav bar's toggle)
    frame: str = "laptop"
    accent: str = ""
    radius: str = ""

    # The results page's components.
    tokens: list[Token] = []
    bands: list[Band] = []
    scores: list[Score] = []
    tips: list[Tip] = []
    pace_series: list[dict[str, float]] = []
    overall: int = 0
    # The planner's feedback items.
    items: list[dict[str, str]] = []

    # The share panel (same vars as ShareState).
    ready: bool = False
    ref: str = "r1"
    visibility: str = "shared"
    shares: list[ShareView] = []
    warning: str = ""
    new_link: str = ""
    error: str = ""

    # The owner's view of reviewers' feedback (same vars as OwnerFeedbackState).
    loaded: bool = False
    comments: list[CommentView] = []
    reviews_: list[ReviewRow] = []
    averages: list[RatingSummary] = []
    tip_votes: list[TipVotes] = []
    agreed: int = 0
    disagreed: int = 0

    @rx.var
    def has_feedback(self) -> bool:
        """The sample has reviewers' feedback."""
        return bool(self.comments or self.reviews_)

    def _fill(self) -> None:
        words, duration = _timed(SPOKEN)
        script = planner.script_of("STAR", PLAN)
        report = delivery_score(
            Transcript(text=SPOKEN, words=words, duration=duration),
            framework="STAR",
            plan_script=script,
            plan_bullets=planner.bullets_of(script),
            question=QUESTION,
        )
        self.tokens = report_tokens([asdict(w) for w in words], report)
        self.bands = report_bands(report, duration)
        self.scores = report_scores(report)
        self.tips = [
            Tip(severity=t.severity, message=t.message, at="" if t.at is None else f"{t.at:.2f}")
            for t in report.tips
        ]
        self.overall = report.overall or 0
        self.pace_series = (
            [{"t": round(p.start / 60, 2), "wpm": round(p.wpm)} for p in report.pace.series]
            if report.pace
            else []
        )
        plan = analyze(AnswerInput("STAR", sections={**PLAN, "result": ""}, question=QUESTION))
        self.items = [
            {
                "dimension": i.dimension,
                "severity": i.severity,
                "message": i.message,
                "suggestion": i.suggestion,
                "sentence": i.sentence,
            }
            for i in plan.items[:6]
        ]
        self.shares = [
            ShareView(1, "invite", "mentor@example.com", "", 1, "active", "", "2026-12-01", 3),
            ShareView(
                2,
                "link",
                "",
                "https://prepple.example.org/s/2-cffH9dINFApsMOhjTg1UQFtQ",
                1,
                "active",
                "2026-12-08",
                "2026-12-01",
                12,
            ),
            ShareView(3, "link", "", "", 1, "revoked", "", "2026-11-20", 1),
        ]
        self.ready = True
        self.comments = [
            CommentView(
                id=n + 1,
                author=("Rafa Mendes", "Kim Lindqvist", "Sam Oyelaran-Whitfield")[n % 3],
                mine=False,
                at=at,
                at_label=clock(at) if at >= 0 else "",
                quote=quote,
                body=body,
                created="2026-12-02 18:40",
                edited=n == 1,
            )
            for n, (at, body, quote) in enumerate(COMMENTS)
        ]
        self.reviews_ = [
            ReviewRow("Rafa Mendes", False, 4, 4, 5, 3, "Clear and specific; trim the start.", ""),
            ReviewRow("Kim Lindqvist", False, 5, 3, 4, 4, "", "2026-12-03"),
        ]
        self.averages = [
            RatingSummary("Structure", "4.5", 2, 90),
            RatingSummary("Clarity", "3.5", 2, 70),
            RatingSummary("Confidence", "4.5", 2, 90),
            RatingSummary("Impact", "3.5", 2, 70),
        ]
        self.tip_votes = [TipVotes(t.message, 2, n % 2) for n, t in enumerate(report.tips[:2])]
        self.agreed = sum(v.agree for v in self.tip_votes)
        self.disagreed = sum(v.disagree for v in self.tip_votes)
        self.loaded = True

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def load(self):
        """Open the gallery with fresh sample data."""
        self.allowed = may(current_principal(), "dev.gallery")
        if self.allowed:
            self._fill()

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def set_appearance(self, value: str | list[str]):
        """Preview as the page is, or in light or dark."""
        value = value[0] if isinstance(value, list) and value else value
        self.appearance = value if value in ("inherit", "light", "dark") else "inherit"

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def set_frame(self, value: str | list[str]):
        """Laptop or phone width."""
        value = value[0] if isinstance(value, list) and value else value
        self.frame = value if value in ("laptop", "phone") else "laptop"

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def set_accent(self, value: str):
        """Try another accent colour on every component ("" = the token's)."""
        self.accent = value if value in ACCENTS else ""

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def set_radius(self, value: str):
        """Try another corner radius on every component ("" = the token's)."""
        self.radius = value if value in RADII else ""

    # The share panel's and the owner feedback's handlers: samples only, nothing is shared.

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def set_visibility(self, value: str | list[str], confirmed: bool = False):
        """Show the panel in another visibility."""
        value = value[0] if isinstance(value, list) and value else value
        if value in ("private", "shared", "public"):
            self.visibility = value
            self.warning = (
                "This reads very close to another member's public answer. Publish anyway?"
                if value == "public" and not confirmed
                else ""
            )

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def confirm_public(self):
        """Dismiss the sample warning."""
        self.warning = ""

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def dismiss_warning(self):
        """Dismiss the sample warning."""
        self.warning = ""

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def invite(self, form: dict):
        """A sample: nothing is sent."""
        return rx.toast.info("Gallery sample: no invitation was sent.")

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def make_link(self, form: dict):
        """A sample link, so the Copy button can be tried."""
        self.new_link = "https://prepple.example.org/s/9-SampleSampleSampleSample"

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def revoke(self, share_id: int):
        """A sample: nothing is turned off."""
        return rx.toast.info("Gallery sample: nothing was turned off.")

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def poll(self, _tick: object = None):
        """The owner feedback's refresh: the sample doesn't change."""


#: Radix accent scales and radii a designer can try across the gallery.
ACCENTS = (
    "iris",
    "indigo",
    "blue",
    "cyan",
    "teal",
    "jade",
    "grass",
    "orange",
    "tomato",
    "crimson",
    "plum",
    "violet",
)
RADII = ("none", "small", "medium", "large", "full")
