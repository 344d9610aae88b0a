"""Planning in the browser: write section by section, see feedback update, reload and find it
saved, switch framework without losing text, compare versions, see progress change; a visitor's
plan is kept on sign-up."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, login, wait_ready

pytestmark = pytest.mark.e2e

SITUATION = (
    "Last spring I ran the front desk of a 120-room hotel in Leeds during a conference "
    "week with every room booked."
)
TASK = (
    "I had to rehouse a family of five whose connecting rooms flooded an hour before they "
    "arrived, without upsetting them."
)
ACTION = (
    "First I called two partner hotels and held rooms. Then I met the family in the lobby, "
    "explained the leak honestly and offered our best suite with a rollaway bed. I asked "
    "the kitchen to send up dinner for the kids and I checked on them myself at nine."
)
RESULT = (
    "They stayed all five nights, left a five-star review that named me, and came back "
    "the following year; my manager used the case in our training for new staff."
)


def _type(page, key, text):
    box = page.locator(f"#section-{key}")
    box.fill(text)
    expect(page.locator("#save-status")).to_have_attribute("data-status", re.compile("saved"))


def test_plan_an_answer_with_live_feedback_history_and_progress(page, live_app):
    live_app.create_user("planner@example.com", name="Pia")
    login(page, "planner@example.com")
    page.goto("/questions?company=amazon")
    wait_ready(page)
    page.locator(".question-card .question-link").first.click()
    page.locator("#plan-answer").click()
    expect(page).to_have_url(re.compile(r"/plan/\d+$"))
    wait_ready(page)
    question_url = page.url

    _type(page, "situation", SITUATION)
    expect(page.locator("#feedback-items")).to_contain_text("No result yet.")
    expect(page.locator("#save-status")).to_contain_text("All changes saved.")
    _type(page, "task", TASK)
    _type(page, "action", ACTION)
    _type(page, "result", RESULT)
    expect(page.locator("#feedback-items")).not_to_contain_text("No result yet.")
    expect(page.locator("#spoken-time")).to_contain_text("spoken")
    score = int(page.locator("#overall-score").inner_text().split()[0])
    assert score >= 70

    # Reload: everything is still there.
    page.reload()
    wait_ready(page)
    expect(page.locator("#section-action")).to_have_value(ACTION)

    # Other views of the same answer.
    page.get_by_role("radio", name="Script").click()
    expect(page.locator("#script-editor")).to_have_value(
        re.compile(r"^Last spring.*new staff\.$", re.S)
    )
    page.get_by_role("radio", name="Bullets").click()
    expect(page.locator("#bullets-editor")).to_have_value(re.compile(r"^- "))
    page.get_by_role("radio", name="Sections").click()

    # Switch to CARL and back: nothing lost.
    page.get_by_role("radio", name="CARL").click()
    expect(page.locator("#section-context")).to_have_value(SITUATION)
    page.get_by_role("radio", name="STAR").click()
    expect(page.locator("#section-task")).to_have_value(TASK)

    # History: a version on request; compare it with the current text.
    page.locator("#save-version").click()
    expect(page.locator(".compare-version").first).to_be_visible()
    _type(page, "result", RESULT.replace("five-star", "glowing"))
    page.locator(".compare-version").first.click()
    compare = page.locator("#version-compare")
    expect(compare.locator(".diff-added").first).to_contain_text("glowing")
    expect(compare.locator(".diff-removed").first).to_contain_text("five-star")

    # The coach (a language model; here a local server speaking its wire format).
    page.locator("#ask-coach").click()
    expect(page.locator("#coach-result")).to_contain_text("Say why the deadline mattered.")
    expect(page.locator("#coach-rewrite")).to_contain_text("I found the slow query")

    # The story bank: this story can serve other questions too.
    page.locator("#story-title").fill("Hotel flood")
    page.locator("#story-add").click()
    expect(page.locator("#story-select")).to_have_value(re.compile(r"^\d+$"))

    # Progress on "my answers".
    page.locator("#nav-answers").click()
    expect(page.locator(".answer-row")).to_have_count(1)
    expect(page.locator(".answer-row")).to_contain_text("complete")
    expect(page.locator("#progress-count")).to_contain_text(re.compile(r"^1 of \d+ planned"))
    page.get_by_label("Company").select_option("amazon")
    expect(page.locator("#progress-count")).to_contain_text(re.compile(r"^1 of \d+ planned"))
    page.get_by_label("Search my answers").fill("zzz-nothing")
    expect(page.locator("#answers-empty")).to_be_visible()
    page.locator("#stories-link").click()
    card = page.locator(".story-card", has_text="Hotel flood")
    expect(card).to_have_count(1)
    expect(card).not_to_contain_text("Not linked to an answer yet.")
    assert question_url


def test_visitor_plan_is_kept_on_sign_up(page, live_app):
    page.goto("/questions/5")
    wait_ready(page)
    page.locator("#plan-answer").click()
    wait_ready(page)
    _type(page, "situation", SITUATION)
    expect(page.locator("#save-status")).to_contain_text("Saved in this browser")
    expect(page.locator("#visitor-notice")).to_be_visible()
    page.reload()
    wait_ready(page)
    expect(page.locator("#section-situation")).to_have_value(SITUATION)

    page.goto("/register")
    wait_ready(page)
    page.get_by_label("Name").fill("Vera")
    page.get_by_label("E-mail").fill("vera@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.locator("#register-submit").click()
    expect(page.locator("#nav-account")).to_have_text("Vera")
    page.goto("/answers")
    wait_ready(page)
    expect(page.locator(".answer-row")).to_have_count(1)
    expect(page.locator(".answer-row")).to_contain_text("draft")


def test_planner_for_unknown_question(page, live_app):
    page.goto("/plan/999999")
    wait_ready(page)
    expect(page.locator("#plan-not-found")).to_be_visible()


def test_text_typed_while_offline_is_offered_back_after_reload(page, live_app):
    """The autosave can't reach the server (the websocket drops every message): the text is
    kept in the browser and offered back on the next visit, then saved."""
    live_app.create_user("offline@example.com", name="Olu")
    login(page, "offline@example.com")
    page.goto("/plan/11")
    wait_ready(page)
    _type(page, "situation", SITUATION)  # saved normally first

    state = {"drop": True}

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda m: None if state["drop"] else server.send(m))

    page.route_web_socket(re.compile(r".*/_event.*"), route)
    page.reload()
    page.locator("#section-task").wait_for()
    page.locator("#section-task").fill(TASK)
    page.wait_for_timeout(1500)  # the debounced autosave would have fired by now

    state["drop"] = False
    page.reload()
    wait_ready(page)
    page.locator("[data-draft-ready=yes]").wait_for(state="attached")
    expect(page.locator("#section-situation")).to_have_value(SITUATION)
    expect(page.locator("#section-task")).to_have_value("")  # the server never got it
    expect(page.locator("#draft-restore")).to_be_visible()
    page.locator("#draft-restore-yes").click()
    expect(page.locator("#section-task")).to_have_value(TASK)
    expect(page.locator("#save-status")).to_contain_text("All changes saved.")
    page.reload()
    wait_ready(page)
    page.locator("[data-draft-ready=yes]").wait_for(state="attached")
    expect(page.locator("#section-task")).to_have_value(TASK)
    expect(page.locator("#draft-restore")).to_have_count(0)


def test_switch_shows_hidden_text_restore_a_version_and_a_long_paste(page, live_app):
    """STAR to CARL shows the Task text ("Not in CARL") and moves it into Context in one click;
    switching makes no versions; a version is restored from the keyboard and the restore is
    undone; a 10,000-character paste is kept whole with a count and a message."""
    live_app.create_user("switcher@example.com", name="Sam")
    login(page, "switcher@example.com")
    page.goto("/plan/12")
    wait_ready(page)
    for key, text in (
        ("situation", SITUATION),
        ("task", TASK),
        ("action", ACTION),
        ("result", RESULT),
    ):
        _type(page, key, text)

    page.get_by_role("radio", name="CARL").click()
    aside = page.locator("#aside-task")
    expect(aside).to_contain_text("Not in CARL: your Task text")
    expect(aside).to_contain_text(TASK)
    expect(aside).to_contain_text("aren't part of this answer, its script or its score")
    expect(page.locator("#aside-score-note")).to_contain_text('marked "Not in CARL"')
    expect(page.locator("#section-context")).to_have_value(SITUATION)
    page.locator("#aside-move-task").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#section-context")).to_have_value(SITUATION + " " + TASK)
    expect(aside).to_have_count(0)
    expect(page.locator("#save-status")).to_have_attribute("data-status", "saved")
    page.get_by_role("radio", name="STAR").click()
    expect(page.locator("#section-situation")).to_have_value(SITUATION)
    expect(page.locator("#section-task")).to_have_value(TASK)
    # Switches and autosaves within one session make no versions.
    expect(page.locator(".restore-version")).to_have_count(0)

    page.locator("#save-version").click()
    expect(page.locator(".restore-version")).to_have_count(1)
    _type(page, "result", "They left the next morning.")
    page.locator(".restore-version").first.focus()
    page.keyboard.press("Enter")
    note = page.locator("#restored-note")
    expect(note).to_contain_text("Restored version 1 from ")
    expect(note).to_contain_text("Your text before it is saved as version 2")
    expect(page.locator("#section-result")).to_have_value(RESULT)
    page.locator("#restore-undo").click()
    expect(page.locator("#section-result")).to_have_value("They left the next morning.")
    expect(note).to_contain_text("Restored version 2")

    # A paste far over the limit: nothing cut, a count and a message at the field.
    paste = ("I walked every floor and checked each room myself. " * 200)[:10_000]
    page.locator("#section-action").fill(paste)
    expect(page.locator("#section-action-over")).to_contain_text(
        "Action is 10,000 characters, 4,000 over the 6,000 limit. Nothing was cut"
    )
    expect(page.locator("#section-action-count")).to_have_text("10,000 / 6,000 characters")
    expect(page.locator("#save-status")).to_have_attribute("data-status", "error")
    assert len(page.locator("#section-action").input_value()) == 10_000
    page.locator("#section-action").fill(paste[:5_000])
    expect(page.locator("#save-status")).to_have_attribute("data-status", "saved")
    expect(page.locator("#section-action-over")).to_have_count(0)
    expect(page.locator("#section-action-count")).to_have_text("5,000 / 6,000 characters")
