"""Signed links end with the session that made them: the calendar link a signed-in user copies
stops working the moment they log out, and the tab keeps nothing of theirs."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_ready


def test_log_out_ends_the_calendar_link_and_clears_the_tab(page, live_app):
    live_app.create_user("cal@example.com", name="Cal")
    login(page, "cal@example.com")
    page.goto("/schedule")
    wait_ready(page)
    page.locator("#iv-day").fill((date.today() + timedelta(days=7)).isoformat())
    page.locator("#iv-time").fill("09:00")
    page.locator("#iv-company").fill("Acme")
    page.locator("#iv-save").click()
    expect(page.locator("#iv-summary")).to_contain_text("09:00")
    link = page.locator("#ics-link")
    expect(link).to_have_attribute("href", re.compile(r"/api/schedule\.ics\?token=.+"))
    url = link.get_attribute("href")
    first = page.request.get(url)
    assert first.status == 200 and "BEGIN:VCALENDAR" in first.text()

    page.locator("#nav-logout").click()
    expect(page.locator("#nav-login")).to_be_visible()
    after = page.request.get(url)
    assert after.status == 403, after.text()
    assert "no longer valid" in after.json()["error"]

    # The same tab, back on the schedule: nothing of Cal's is shown; log in is asked for.
    page.goto("/schedule")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("#ics-link")).to_have_count(0)
