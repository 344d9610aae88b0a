"""The question bank in the browser: search, filters, random question, detail, phone layout."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _count(page) -> int:
    return int(page.locator("#result-count").inner_text().split()[0])


def test_search_and_filter_questions(page, live_app):
    page.goto("/questions")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d{3,} questions$"))
    everything = _count(page)
    assert everything >= 200
    expect(page.locator(".question-card")).to_have_count(20)

    page.get_by_label("Search questions").fill("conflict")
    expect(page.locator("#result-count")).not_to_have_text(f"{everything} questions")
    conflict = _count(page)
    assert 0 < conflict < everything

    page.get_by_label("Competency").select_option("leadership")
    expect(page.locator("#result-count")).not_to_have_text(f"{conflict} questions")
    assert _count(page) <= conflict

    page.locator("#clear-filters").click()
    expect(page.locator("#result-count")).to_have_text(f"{everything} questions")

    page.get_by_label("Company").select_option("amazon")
    expect(page.locator("#company-note")).to_be_visible()
    amazon = _count(page)
    assert 0 < amazon < everything
    cards = page.locator(".question-card")
    for i in range(min(cards.count(), 5)):
        expect(cards.nth(i)).to_contain_text("Amazon")

    page.get_by_label("Search questions").fill("zzzz-no-such-words")
    expect(page.locator("#no-results")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page.locator("#result-count")).to_have_text(f"{everything} questions")


def test_hostile_search_is_shown_as_text(page, live_app):
    page.goto("/questions")
    expect(page.locator("#result-count")).to_be_visible()
    page.get_by_label("Search questions").fill("<img src=x onerror=window.__pwned=1> %' OR 1=1")
    expect(page.locator("#no-results")).to_be_visible()
    assert page.evaluate("() => window.__pwned") is None


def test_filter_link_from_a_tag_and_random_question(page, live_app):
    page.goto("/questions?competency=failure")
    expect(page.get_by_label("Competency")).to_have_value("failure")
    failure = _count(page)
    assert failure >= 8
    page.locator("#random-question").click()
    expect(page).to_have_url(re.compile(r"/questions/\d+$"))
    expect(page.locator("#question-text")).to_be_visible()
    expect(page.get_by_text("Why interviewers ask it")).to_be_visible()
    expect(page.get_by_text("What a strong answer shows")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Failure")


def test_unknown_question_and_unknown_page(new_page, live_app):
    new_page.allowed_errors.append(r"status of 404")  # the unknown page answers 404, rightly
    page = new_page()
    page.goto("/questions/999999")
    expect(page.locator("#question-not-found")).to_be_visible()
    response = page.goto("/no/such/page")
    expect(page.locator("#not-found")).to_be_visible()
    assert response is not None and response.status == 404


def test_phone_layout_has_menu_and_no_sideways_scroll(new_page, live_app):
    page = new_page(width=390, height=844)
    page.goto("/questions")
    expect(page.locator("#result-count")).to_be_visible()
    expect(page.locator("#nav-menu")).to_be_visible()
    wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, "the page scrolls sideways on a phone"
    page.locator("#nav-menu").click()
    page.get_by_role("menuitem", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login"))
