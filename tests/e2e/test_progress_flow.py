"""The progress dashboard in the browser: an empty state first, then counts, a streak and
charts that follow the user's scored answers."""

import json
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Question, Recording, utcnow
from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e


def _scored(
    live_app, user_id: int, days_ago: int, overall: int | None, tips=("fillers",), silent=False
) -> None:
    with live_app.db() as session:
        qid = session.exec(select(Question.id).order_by(Question.id)).first()
        report = {
            "scores": {"structure": 60, "pace": 70, "fillers": 50, "pauses": 90, "length": 60},
            "overall": overall,
            "tips": [{"severity": "medium", "message": "…", "kind": k} for k in tips],
            "no_speech": silent,
        }
        session.add(
            Recording(
                user_id=user_id,
                question_id=qid,
                status="done",
                overall=overall,
                report_json=json.dumps(report),
                duration_seconds=95.0,
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )
        session.commit()


def test_dashboard_starts_empty_then_charts_progress(page, live_app):
    uid = live_app.create_user("charts@example.com")
    login(page, "charts@example.com")
    page.goto("/progress")
    wait_ready(page)
    expect(page.locator("#progress-empty")).to_be_visible()
    for days_ago, overall in ((2, 55), (1, 62), (0, 71)):
        _scored(live_app, uid, days_ago, overall)
    # A take in which no words were heard is kept, but isn't practice.
    _scored(live_app, uid, 3, None, tips=("speech",), silent=True)
    page.reload()
    wait_ready(page)
    expect(page.locator("#stat-attempts")).to_have_text("3")
    expect(page.locator("#stat-streak")).to_have_text(re.compile(r"^3 \(best 3\)$"))
    chart = page.locator("#scores-chart")
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart.locator(".recharts-line path").first).to_be_attached()
    expect(page.locator("#recurring")).to_contain_text("Filler words")
    # Switching the measure redraws the same points for another score.
    page.locator("#measure-picker").select_option("fillers")
    expect(chart.locator(".recharts-line path").first).to_be_attached()
    expect(page.locator("#weeks-chart .recharts-bar-rectangle").first).to_be_attached()
    # One company's questions only: the seeded answers are to question 1 (not Amazon's).
    page.locator("#scope-picker").select_option("company:amazon")
    expect(chart).to_have_attribute("data-points", "0")
    page.locator("#scope-picker").select_option("")
    expect(chart).to_have_attribute("data-points", "3")
