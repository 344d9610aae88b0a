"""The practice schedule in the browser: set an interview date, see a plan, mark an item
done, find it on the today view, and download the calendar file."""

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e


def test_set_an_interview_get_a_plan_and_tick_off_today(page, live_app):
    live_app.create_user("planner-dates@example.com")
    login(page, "planner-dates@example.com")
    page.goto("/schedule")
    wait_ready(page)
    day = (date.today() + timedelta(days=10)).isoformat()
    page.locator("#iv-day").fill(day)
    page.locator("#iv-time").fill("10:30")
    page.locator("#iv-company").fill("Amazon")
    page.locator("#iv-role").fill("Product manager")
    page.locator("#iv-minutes").select_option("30")
    page.locator("#iv-save").click()
    expect(page.locator("#iv-summary")).to_contain_text(f"{day} at 10:30")
    expect(page.locator("#iv-summary")).to_contain_text("30 minutes a day")
    days = page.locator("#plan-days [data-day]")
    expect(days).to_have_count(10)
    first_item = page.locator(".plan-item").first
    expect(first_item).to_be_visible()
    expect(page.locator("#plan-progress")).to_have_text(re.compile(r"^0 of \d+ done$"))
    first_item.get_by_role("checkbox").click()
    expect(page.locator("#plan-progress")).to_have_text(re.compile(r"^1 of \d+ done$"))

    page.goto("/today")
    wait_ready(page)
    today = page.locator("#today-items .plan-item")
    expect(today.first).to_be_visible()
    expect(page.locator('#today-items .plan-item[data-status="done"]')).to_have_count(1)

    page.goto("/schedule")
    wait_ready(page)
    href = page.locator("#ics-link").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    summaries = [str(e.get("summary")) for e in calendar.walk("VEVENT")]
    assert any(s.startswith("Prepple:") for s in summaries)
    assert any("Amazon" in s for s in summaries)  # the interview itself
    assert page.request.get(href + "x").status == 403  # a tampered link


def test_a_past_date_is_refused_with_a_clear_message(page, live_app):
    live_app.create_user("past-date@example.com")
    login(page, "past-date@example.com")
    page.goto("/schedule")
    wait_ready(page)
    page.locator("#iv-day").fill((date.today() - timedelta(days=3)).isoformat())
    page.locator("#iv-save").click()
    expect(page.locator("#iv-error")).to_be_visible()
    expect(page.locator("#plan-days")).to_have_count(0)
