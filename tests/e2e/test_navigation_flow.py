"""Finding questions and getting around: relevance search with typo correction, the common
questions, the Saved tab, the navigation on a laptop (one line) and a phone (everything
reachable), and a feature switched off (one clear page, nav item hidden)."""

import re

import pytest
from playwright.sync_api import expect

from prepple.services import flags
from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e

DESKTOP_ITEMS = ["Questions", "Practice", "Today", "Schedule", "Story bank", "My answers"]
MORE_ITEMS = ["Saved questions", "Shared with me", "Video resume", "Reminders"]


def test_search_corrects_typos_ranks_common_questions_and_keeps_a_saved_tab(page, live_app):
    page.goto("/questions")
    wait_ready(page)
    search = page.get_by_label("Search questions")
    search.fill("conflcit")
    expect(page.locator("#search-corrected")).to_contain_text("Showing results for conflict")
    expect(page.locator(".question-card").first).to_contain_text(re.compile("conflict", re.I))
    search.fill("difficult coworker")
    expect(page.locator(".question-card").first).to_contain_text("coworker")
    search.fill("tell me about yourself")
    first = page.locator(".question-card").first
    expect(first).to_contain_text("Tell me about yourself.")
    expect(first.locator(".kind-common")).to_be_visible()
    first.get_by_role("button", name="Save to practice list").click()
    first.locator(".question-link").click()
    expect(page.locator("#question-text")).to_have_text("Tell me about yourself.")
    expect(page.locator("#answer-structure")).to_contain_text("STAR doesn't fit")
    expect(page.locator("#answer-structure")).to_contain_text("Present, past, future")
    page.locator("#plan-answer").click()
    expect(page.locator("#plan-structure")).to_contain_text("Present, past, future")

    page.goto("/questions")
    wait_ready(page)
    page.locator("#tab-saved").click()
    expect(page.locator("#result-count")).to_have_text("1 question")
    expect(page.locator(".question-card")).to_contain_text("Tell me about yourself.")
    expect(page).to_have_url(re.compile(r"saved=1"))
    page.locator("#tab-all").click()
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d{3,} questions$"))


def test_desktop_nav_is_one_line_at_1280_and_more_works_from_the_keyboard(new_page, live_app):
    live_app.create_user("navi@example.com", name="Navigator With A Long Name", roles=("admin",))
    page = new_page(width=1280, height=800)
    login(page, "navi@example.com")
    page.goto("/questions")
    wait_ready(page)
    for label in DESKTOP_ITEMS:
        expect(page.locator("#nav-desktop").get_by_role("link", name=label)).to_be_visible()
    items = page.locator("#nav-desktop .nav-item, #nav-desktop #nav-logout, #nav-bell")
    tops = {
        round(b["y"])
        for b in items.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())")
    }
    bar = page.locator("#nav-bar").bounding_box()
    assert bar["height"] < 70, f"the navigation is {bar['height']}px high (wraps)"
    assert max(tops) - min(tops) < 12, f"nav items on several lines: {sorted(tops)}"
    # "More" opens with the keyboard and its items are reachable with the arrows.
    page.locator("#nav-more").focus()
    page.keyboard.press("Enter")
    for label in MORE_ITEMS:
        expect(page.get_by_role("menuitem", name=label)).to_be_visible()
    # Radix focuses the first item once the menu is open; wait for that before the arrows
    # (pressing them earlier raced the focus under load and landed on another item).
    first, second = (page.get_by_role("menuitem", name=label) for label in MORE_ITEMS[:2])
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(second).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/questions\?saved=1"))
    page.locator("#nav-desktop").get_by_role("link", name="Schedule").click()
    expect(page).to_have_url(re.compile(r"/schedule"))
    page.locator("#nav-desktop").get_by_role("link", name="Story bank").click()
    expect(page).to_have_url(re.compile(r"/stories"))


def test_phone_menu_reaches_every_item(new_page, live_app):
    live_app.create_user("phone@example.com", name="Pho")
    page = new_page(width=1280, height=844)
    login(page, "phone@example.com")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/questions")
    wait_ready(page)
    expect(page.locator("#nav-desktop")).to_be_hidden()
    page.locator("#nav-menu").click()
    expect(page.get_by_role("menuitem", name="Questions", exact=True)).to_be_visible()
    shown = set(page.get_by_role("menuitem").all_inner_texts())
    missing = {*DESKTOP_ITEMS, "Progress", *MORE_ITEMS, "Account", "Log out"} - shown
    assert not missing, f"not in the phone menu: {missing}"
    page.get_by_role("menuitem", name="Story bank").click()
    expect(page).to_have_url(re.compile(r"/stories"))
    wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide


def test_a_feature_switched_off_shows_one_page_and_leaves_the_nav(new_page, live_app):
    def switch(name, enabled):
        with live_app.db() as session:
            flags.flag_set(session=session, name=name, enabled=enabled, actor_id=None)
            session.commit()

    live_app.create_user("flags@example.com", name="Flo")
    page = new_page(width=1280, height=800)
    login(page, "flags@example.com")
    switch("practice", False)
    switch("registration", False)
    try:
        page.goto("/practice/1")
        wait_ready(page)
        expect(page.locator("#feature-off")).to_contain_text(
            "This part of Prepple is turned off for now"
        )
        expect(page.locator("#feature-off")).to_contain_text("Practice on camera")
        expect(page.locator("video")).to_have_count(0)
        expect(page.locator("[data-sonner-toast]")).to_have_count(0)  # no toast on top
        expect(page.locator("#nav-practice")).to_have_count(0)
        page.locator("#feature-off-home").click()
        expect(page).to_have_url(re.compile(r"/$"))

        visitor = new_page(width=390, height=844)
        visitor.goto("/register")
        wait_ready(visitor)
        expect(visitor.locator("#feature-off")).to_contain_text("Signing up")
        expect(visitor.get_by_label("Password")).to_have_count(0)  # no form to fill in first
    finally:
        switch("practice", None)
        switch("registration", None)
    page.goto("/practice/1")
    wait_ready(page)
    expect(page.locator("#feature-off")).to_have_count(0)
    expect(page.locator("#nav-practice")).to_be_visible()
