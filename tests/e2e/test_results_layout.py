"""The pages that show a transcript fit the screen, at a laptop's and a phone's width: the
results page, the side-by-side comparison and the reviewer's page, with a 3-minute transcript,
a long plan and 30 comments. The transcript reads (and copies) as words with spaces, fillers and
pauses stay marked, and clicking a word or a comment's time plays that moment. The owner sees
reviewers' comments, ratings and votes; a new share link is a full address with a Copy button."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e import results_data
from tests.e2e.conftest import login, wait_ready
from tests.media_files import speech_webm

pytestmark = pytest.mark.e2e

SIZES = [(1280, 800), (390, 844)]
SAID = (
    "Two years ago I was the senior engineer on the payments team. Our billing system failed "
    "once a week, and finance reconciled invoices by hand. I ranked the causes, split the work "
    "into five safe steps, and we finished two weeks before the audit with zero failures."
)
#: A phrase of the transcript as the page must read and copy it.
PHRASE = "two years ago I was the senior engineer on the payments team"


@pytest.fixture(scope="module")
def world(live_app, tmp_path_factory):
    webm = speech_webm(SAID, tmp_path_factory.mktemp("layout-media"), video=True)
    data_dir = Path(live_app.db_url.removeprefix("sqlite:///")).parent
    with live_app.db() as session:
        return results_data.build(session, data_dir, webm, tag="layout")


def _fits(page, width: int) -> None:
    """Nothing scrolls sideways: the document is no wider than the window."""
    wide = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"
    )
    assert wide[0] <= width and wide[1] <= width, f"page is {wide[:2]} wide at {width}"


def _reads_as_prose(page, selector: str = "#transcript") -> None:
    """The transcript's text and what a copy of it gives have spaces between the words."""
    inner = page.locator(selector).first.inner_text()
    copied = page.evaluate(
        """(sel) => { const el = document.querySelector(sel);
             const range = document.createRange(); range.selectNodeContents(el);
             const s = getSelection(); s.removeAllRanges(); s.addRange(range);
             const text = s.toString(); s.removeAllRanges(); return text; }""",
        selector,
    )
    for text in (inner, copied):
        flat = " ".join(text.split())
        assert PHRASE in flat, flat[:200]
        assert "twoyears" not in flat.lower() and "seniorengineer" not in flat


def _within(page, selector: str, width: int) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
        selector,
        box,
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_results_compare_and_reviewer_pages_fit_the_screen(new_page, world, width, height):
    page = new_page()
    login(page, world.owner_email)  # (the phone's nav hides the account link login waits for)
    page.set_viewport_size({"width": width, "height": height})

    # The results page.
    page.goto(f"/recordings/{world.recording_id}")
    wait_ready(page)
    expect(page.locator("#transcript .tx-word").first).to_be_visible()
    page.wait_for_timeout(500)  # the chart and the player settle
    _fits(page, width)
    for part in ("#transcript", "#result-player", "#delivery-scores", "#tips", "#owner-feedback"):
        _within(page, part, width)
    _reads_as_prose(page)
    expect(page.locator("#transcript .tx-filler").first).to_be_visible()
    assert page.locator("#transcript .tx-pause").count() >= 1
    # A phone shows whole lines, not a sliver: the transcript spans most of the screen.
    tx_width = page.locator("#transcript").bounding_box()["width"]
    assert tx_width >= 0.7 * width if width < 600 else tx_width >= 400
    # The owner sees what reviewers said.
    expect(page.locator("#owner-comment-count")).to_have_text("30 comments")
    expect(page.locator("#owner-comments .comment")).to_have_count(30)
    expect(page.locator("#owner-ratings .rating-summary")).to_have_count(4)
    expect(page.locator("#owner-ai-votes")).to_contain_text("agreed")
    expect(page.locator("#owner-reviews")).to_contain_text("Lead with the ranking")

    # Side by side.
    page.goto(f"/compare/{world.earlier_id}/{world.recording_id}")
    wait_ready(page)
    sides = page.locator(".compare-side")
    expect(sides).to_have_count(2)
    expect(sides.nth(1).locator(".transcript .tx-word").first).to_be_visible()
    page.wait_for_timeout(300)
    _fits(page, width)
    _reads_as_prose(page, ".compare-side:nth-child(2) .transcript")
    first, second = (sides.nth(i).bounding_box() for i in (0, 1))
    if width >= 768:  # two columns that do not overlap
        assert first["x"] + first["width"] <= second["x"] + 0.5
    else:  # one column: the second attempt is below the first
        assert first["y"] + first["height"] <= second["y"] + 0.5

    # The reviewer's page, through the link (which includes the plan).
    reviewer = new_page()
    login(reviewer, world.reviewer_email)
    reviewer.set_viewport_size({"width": width, "height": height})
    reviewer.goto(world.view_path)
    wait_ready(reviewer)
    expect(reviewer.locator("#transcript .tx-word").first).to_be_visible()
    reviewer.wait_for_timeout(300)
    _fits(reviewer, width)
    for part in ("#transcript", "#result-player", "#shared-plan", "#comments"):
        _within(reviewer, part, width)
    _reads_as_prose(reviewer)
    plan = reviewer.locator("#shared-plan")
    expect(plan).to_contain_text("Situation")
    expect(plan).to_contain_text("I owned the plan and the outcome")
    expect(plan).to_contain_text("Cue card")


def test_words_and_comment_times_play_their_moment(new_page, world):
    page = new_page()
    login(page, world.owner_email)
    page.goto(f"/recordings/{world.recording_id}")
    wait_ready(page)
    page.wait_for_function(
        "() => document.getElementById('result-player').readyState >= 1", timeout=15_000
    )
    word = page.locator("#transcript .tx-word").nth(12)
    at = float(word.get_attribute("data-seek"))
    assert 1 < at < 10
    word.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('result-player').currentTime - {at}) < 1"
    )
    page.locator("#result-player").evaluate("v => { v.pause(); v.currentTime = 0; }")
    moment = page.locator("#owner-comments .comment-time").nth(0)
    expect(moment).to_have_text("0:07")
    moment.click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('result-player').currentTime - 7.1) < 1"
    )


def test_a_new_link_is_a_full_address_with_a_copy_button(new_page, world, live_app):
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url)
    login(page, world.owner_email)
    page.goto(f"/recordings/{world.recording_id}")
    wait_ready(page)
    page.locator("#share-make-link").click()
    field = page.locator("#share-new-link-field")
    expect(field).to_have_value(re.compile("^" + re.escape(live_app.url) + r"/s/\d+-[\w-]+$"))
    url = field.input_value()
    expect(page.locator("#share-new-link")).to_have_attribute("href", url)
    page.locator("#share-copy-link").click()
    expect(page.locator("#share-copy-link-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == url
    # The list of shares offers Copy for every live link too, with the full address.
    row_copy = page.locator("#share-list button[id^=copy-share-]").first
    assert row_copy.get_attribute("data-copy").startswith(live_app.url + "/s/")
