"""Model-written feedback on top of the local engine, when an OpenAI(-compatible) endpoint is set.

The model gets the question, the framework, the answer by section and the local engine's
findings, and returns structured output (a JSON schema): up to five coaching items and a
rewrite of the weakest sentence. Any failure (no key, timeout, HTTP error, output that doesn't
match the schema) returns the local report unchanged, so feedback never breaks.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from prepple.services.feedback.engine import DIMENSIONS, AnswerInput, Item, Report
from prepple.services.feedback.frameworks import sections_of
from prepple.settings import get_settings

logger = logging.getLogger("prepple.feedback.llm")

SCHEMA = {
    "name": "answer_feedback",
    "strict": True,
    "schema": {
        "type": "object",
        "additionalProperties": False,
        "required": ["items", "rewrite"],
        "properties": {
            "items": {
                "type": "array",
                "maxItems": 5,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["dimension", "severity", "message", "suggestion", "sentence"],
                    "properties": {
                        "dimension": {"type": "string", "enum": list(DIMENSIONS)},
                        "severity": {"type": "string", "enum": ["high", "medium", "low"]},
                        "message": {"type": "string"},
                        "suggestion": {"type": "string"},
                        "sentence": {"type": "string"},
                    },
                },
            },
            "rewrite": {
                "type": "object",
                "additionalProperties": False,
                "required": ["original", "improved"],
                "properties": {"original": {"type": "string"}, "improved": {"type": "string"}},
            },
        },
    },
}

SYSTEM = (
    "You coach job seekers on behavioral interview answers. Be specific and brief. Judge the "
    "answer as it would sound when spoken. Never invent facts about the candidate; in a rewrite, "
    "keep their facts and only improve wording, ownership ('I' not 'we') and clarity."
)


def enabled() -> bool:
    """Whether a model endpoint is configured."""
    return bool(get_settings().openai_api_key)


def _prompt(answer: AnswerInput, report: Report) -> str:
    by_section = (
        "\n".join(
            f"{s.label}: {answer.sections.get(s.key, '').strip() or '(empty)'}"
            for s in sections_of(report.framework)
        )
        if answer.sections
        else answer.text
    )
    found = "\n".join(f"- [{i.severity}] {i.message}" for i in report.items[:8]) or "- none"
    return (
        f"Question: {answer.question or '(not given)'}\nFramework: {report.framework}\n\n"
        f"Answer:\n{by_section[:8000]}\n\nThe local checks already found:\n{found}\n\n"
        "Add up to five items the checks missed (not repeats), and rewrite the weakest sentence."
    )


def enrich(answer: AnswerInput, report: Report) -> Report:
    """The report with model-written items and a rewrite, or ``report`` itself on any failure.

    Blocking (network): call it from a thread or a worker, never on the event loop."""
    settings = get_settings()
    if not settings.openai_api_key or not report.sentences:
        return report
    try:
        from openai import OpenAI

        client = OpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout_seconds,
            max_retries=0,
        )
        response = client.chat.completions.create(
            model=settings.openai_model,
            messages=[
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": _prompt(answer, report)},
            ],
            response_format={"type": "json_schema", "json_schema": SCHEMA},
            temperature=0.2,
        )
        data = json.loads(response.choices[0].message.content or "")
        items = [
            Item(
                dimension=i["dimension"] if i["dimension"] in DIMENSIONS else "structure",
                severity=i["severity"] if i["severity"] in ("high", "medium", "low") else "low",
                message=str(i["message"])[:300],
                suggestion=str(i["suggestion"])[:500],
                sentence=str(i.get("sentence", ""))[:500],
                source="model",
            )
            for i in data["items"][:5]
        ]
        rewrite = data["rewrite"]
        stats = dict(report.stats)
        stats["rewrite_original"] = str(rewrite["original"])[:1000]
        stats["rewrite_improved"] = str(rewrite["improved"])[:1000]
    except Exception as exc:  # noqa: BLE001 - any failure falls back to the local report
        logger.warning("model feedback unavailable, using the local engine: %s", exc)
        return report
    return replace(report, items=report.items + items, stats=stats, engine="local+model")
