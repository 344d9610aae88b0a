"""What a new user met on a first pass (issue 11): a visitor's take saved through sign-up, a
long plan read whole and shared from a phone, and staff whose role has no admin tab."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Question
from tests.e2e import results_data
from tests.e2e.conftest import PASSWORD, login, wait_ready
from tests.media_files import speech_webm

pytestmark = pytest.mark.e2e

SITUATION = (
    "Two years ago I was the senior engineer on the payments team at a mid-sized online "
    "retailer. Our billing system ran a nightly batch that failed roughly once a week, and every "
    "failure meant the finance team reconciled thousands of invoices by hand the next morning. "
    "The system was twelve years old, written by people who had left, and nobody wanted to touch "
    "it because the last attempt to change it had double-charged customers."
)


def _question_id(live_app) -> int:
    with live_app.db() as session:
        return session.exec(select(Question.id).order_by(Question.id)).first()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_visitors_take_waits_through_sign_up(page, live_app):
    qid = _question_id(live_app)
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    page.locator("#rec-enable").click()
    recorder = page.locator("#recorder")
    expect(recorder).to_have_attribute("data-phase", "preview")
    page.locator("#rec-start").click()
    expect(recorder).to_have_attribute("data-phase", "recording")
    page.wait_for_timeout(3000)
    page.locator("#rec-stop").click()
    expect(recorder).to_have_attribute("data-phase", "review")
    page.locator("#rec-save").click()
    # Saving needs an account: the log-in page says the take is kept, and sign-up keeps the way.
    expect(page).to_have_url(re.compile(r"/login\?next=/practice/"))
    wait_ready(page)
    expect(page.locator("#take-waiting-notice")).to_contain_text("waiting in this browser")
    page.locator("#register-link").click()
    expect(page).to_have_url(re.compile(rf"/register\?next=/practice/{qid}$"))
    wait_ready(page)
    expect(page.locator("#take-waiting-notice")).to_be_visible()
    page.get_by_label("Name").fill("Newt")
    page.get_by_label("E-mail").fill("newt-take@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.locator("#register-submit").click()
    expect(page).to_have_url(re.compile(rf"/practice/{qid}$"))
    wait_ready(page)
    expect(page.locator("#rec-pending")).to_be_visible()


def test_a_long_plan_is_read_whole_and_shared_from_a_phone(new_page, live_app):
    from prepple.services import planner

    owner = live_app.create_user("phil-phone@example.com", name="Phil")
    qid = _question_id(live_app)
    with live_app.db() as session:
        planner.plan_save(
            session=session,
            user_id=owner,
            question_id=qid,
            framework="STAR",
            sections={"situation": SITUATION, "action": "I ranked the causes by cost."},
        )
        session.commit()
    page = new_page(width=1280, height=800)
    login(page, "phil-phone@example.com")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/questions")
    wait_ready(page)
    _no_sideways_scroll(page)
    # The filters have room between them (a bare-number gap was dropped CSS: they touched).
    boxes = [page.locator(f"#filter-{k}").bounding_box() for k in ("competency", "company")]
    same_row = abs(boxes[0]["y"] - boxes[1]["y"]) < 4
    if same_row:
        assert boxes[1]["x"] - (boxes[0]["x"] + boxes[0]["width"]) >= 8
    else:
        assert boxes[1]["y"] - (boxes[0]["y"] + boxes[0]["height"]) >= 8

    page.goto(f"/plan/{qid}")
    wait_ready(page)
    situation = page.locator("#section-situation")
    expect(situation).to_have_value(SITUATION)
    # The plan's text area grows with the text: nothing hides behind an inner scroll bar.
    sizes = situation.evaluate("el => [el.scrollHeight, el.clientHeight]")
    assert sizes[0] <= sizes[1] + 2, sizes
    _no_sideways_scroll(page)

    # The invitation's fields fill the panel: an address is not broken mid-word.
    panel = page.locator("#share-panel").bounding_box()
    emails = page.locator("#share-emails").bounding_box()
    assert emails["width"] >= panel["width"] * 0.8, (emails, panel)
    page.locator("#share-emails").fill("mentor-of-phil@example.com")
    page.locator("#share-invite").click()
    expect(page.locator("#share-list")).to_contain_text("mentor-of-phil@example.com")
    page.locator("#share-make-link").click()
    expect(page.locator("#share-new-link-field")).to_have_value(re.compile(r"^http.*/s/"))
    _no_sideways_scroll(page)


def test_staff_see_what_their_role_opens(new_page, live_app):
    live_app.create_user("bill-staff@example.com", name="Bill", roles=("seeker", "billing"))
    page = new_page()
    login(page, "bill-staff@example.com")
    page.goto("/admin")
    wait_ready(page)
    expect(page.locator("#admin-no-tabs")).to_contain_text("No tools here for your role yet")
    expect(page.locator("#admin-area [role=tab]")).to_have_count(0)

    live_app.create_user("sue-staff@example.com", name="Sue", roles=("seeker", "support"))
    other = new_page()
    login(other, "sue-staff@example.com")
    other.goto("/admin")
    wait_ready(other)
    expect(other.locator("#tab-users")).to_be_visible()
    expect(other.locator("#admin-no-tabs")).to_have_count(0)


def test_a_plan_started_now_can_be_shared_without_reloading(page, live_app):
    live_app.create_user("fay-first@example.com", name="Fay")
    qid = _question_id(live_app)
    login(page, "fay-first@example.com")
    page.goto(f"/plan/{qid}")
    wait_ready(page)
    expect(page.locator("#share-panel")).to_have_count(0)  # nothing to share yet
    page.locator("#section-situation").fill(SITUATION)
    expect(page.locator("#save-status")).to_contain_text("All changes saved.")
    expect(page.locator("#share-panel")).to_be_visible()
    page.locator("#share-emails").fill("fays-mentor@example.com")
    page.locator("#share-invite").click()
    expect(page.locator("#share-list")).to_contain_text("fays-mentor@example.com")


def test_the_keyboard_gets_past_a_long_transcript(new_page, live_app, tmp_path_factory):
    webm = speech_webm(results_data.SPOKEN[:400], tmp_path_factory.mktemp("kbd"), video=True)
    data_dir = Path(live_app.db_url.removeprefix("sqlite:///")).parent
    with live_app.db() as session:
        world = results_data.build(session, data_dir, webm, tag="kbd", comments=3)
    page = new_page()
    login(page, world.owner_email)
    page.goto(f"/recordings/{world.recording_id}")
    wait_ready(page)
    words = page.locator("#transcript [data-seek]")
    expect(words.first).to_be_visible()
    total = words.count()
    stops = page.locator('#transcript [data-seek][tabindex="0"]').count()
    marked = page.locator("#transcript .tx-filler, #transcript .tx-pause").count()
    assert total > 300 and 0 < stops == marked, (total, stops, marked)
    # From the first marked moment, Tab leaves the transcript within its marked moments.
    page.locator('#transcript [data-seek][tabindex="0"]').first.focus()
    for _ in range(stops + 1):
        page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.closest('#transcript')")
    # A marked moment still plays from the keyboard.
    page.wait_for_function(
        "() => document.getElementById('result-player').readyState >= 1", timeout=15_000
    )
    at = page.evaluate(
        """() => { const d = document.getElementById('result-player').duration;
          const el = [...document.querySelectorAll('#transcript [data-seek][tabindex="0"]')]
            .find(e => parseFloat(e.dataset.seek) > 0.5 && parseFloat(e.dataset.seek) < d - 0.5);
          el.focus(); return parseFloat(el.dataset.seek); }"""
    )
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('result-player').currentTime - {at}) < 1.5"
    )
