"""Sample data for the component gallery (admins only)."""

from __future__ import annotations

import reflex as rx

from prepple.services.authz import may
from prepple.services.questions import QuestionView, Tag
from prepple.state.session import current_principal, guarded

SAMPLE = QuestionView(
    id=1,
    text="Tell me about a time you disagreed with your manager. What did you do?",
    difficulty="medium",
    competencies=[Tag("conflict", "Conflict"), Tag("communication", "Communication")],
    companies=[Tag("amazon", "Amazon")],
)


class GalleryState(rx.State):
    """Holds sample values so every shared component renders as it would in a page."""

    allowed: bool = False
    sample: QuestionView = SAMPLE
    sample_errors: dict[str, str] = {"email": "Enter an e-mail address like name@example.com."}
    sample_message: str = "We've sent you a link."

    @rx.event
    @guarded("dev.gallery", flag="component_gallery")
    def load(self):
        """Open the gallery."""
        self.allowed = may(current_principal(), "dev.gallery")
