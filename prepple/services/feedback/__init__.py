"""Feedback on planned answers: the local engine (and, when configured, a model-written layer)."""

from prepple.services.feedback.engine import AnswerInput, Item, Report, analyze

__all__ = ["AnswerInput", "Item", "Report", "analyze"]
