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


def test_a_reminder_arrives_in_the_bell(page, live_app):
    import time

    from sqlmodel import select

    from prepple.models import Notification

    uid = live_app.create_user("bell@example.com")
    login(page, "bell@example.com")
    page.goto("/reminders")
    wait_ready(page)
    page.locator("#rem-channel").select_option("inapp")
    page.locator("#rem-timezone").select_option("UTC")
    page.locator("#rem-time").fill("00:00")
    page.locator("#rem-quiet-start").fill("00:00")
    page.locator("#rem-quiet-end").fill("00:00")  # no quiet hours
    # 00:00 was in the default quiet hours for a moment: wait until the warning is gone.
    expect(page.locator("#rem-time-warning")).to_have_count(0)
    page.locator("#rem-save").click()
    expect(page.get_by_text("Reminder settings saved.")).to_be_visible()
    page.goto("/schedule")
    wait_ready(page)
    page.locator("#iv-day").fill((date.today() + timedelta(days=5)).isoformat())
    page.locator("#iv-save").click()
    expect(page.locator("#iv-summary")).to_be_visible()
    # The worker's scheduler looks every 2 s here (every minute by default).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with live_app.db() as session:
            if session.exec(select(Notification).where(Notification.user_id == uid)).first():
                break
        time.sleep(0.5)
    page.reload()
    wait_ready(page)
    expect(page.locator("#bell-count")).to_have_text("1")
    page.locator("#nav-bell").click()
    expect(page.locator("#bell-items")).to_contain_text("Today")
    page.locator(".bell-item").first.click()
    expect(page).to_have_url(re.compile(r"/today$"))
    expect(page.locator("#bell-count")).to_have_count(0)
    with live_app.db() as session:  # exactly one, however often the scheduler looked
        assert len(session.exec(select(Notification).where(Notification.user_id == uid)).all()) == 1


def test_add_a_question_to_todays_plan(page, live_app):
    live_app.create_user("adder@example.com")
    login(page, "adder@example.com")
    page.goto("/schedule")
    wait_ready(page)
    page.locator("#iv-day").fill((date.today() + timedelta(days=7)).isoformat())
    page.locator("#iv-minutes").select_option("10")
    page.locator("#iv-save").click()
    expect(page.locator("#iv-summary")).to_be_visible()
    page.goto("/questions/200")
    wait_ready(page)
    title = page.locator("h1").inner_text()
    page.locator("#add-to-plan").click()
    expect(page.get_by_text("Added to today's plan.")).to_be_visible()
    page.goto("/today")
    wait_ready(page)
    expect(page.locator("#today-items")).to_contain_text(title[:40])


def test_a_reminder_time_in_quiet_hours_is_refused_at_the_field(page, live_app):
    live_app.create_user("nightowl@example.com")
    login(page, "nightowl@example.com")
    page.goto("/reminders")
    wait_ready(page)
    page.locator("#rem-quiet-start").fill("22:00")
    page.locator("#rem-quiet-end").fill("07:00")
    page.locator("#rem-time").fill("23:30")
    warning = page.locator("#rem-time-warning")
    expect(warning).to_contain_text("23:30 is inside your quiet hours (22:00 to 07:00)")
    page.locator("#rem-save").click()
    expect(page.locator("#rem-error")).to_contain_text("23:30 is inside your quiet hours")
    page.locator("#rem-time").fill("21:00")
    expect(warning).to_have_count(0)
    page.locator("#rem-save").click()
    expect(page.locator("#rem-error")).to_have_count(0)
    page.reload()
    wait_ready(page)
    expect(page.locator("#rem-time")).to_have_value("21:00")
