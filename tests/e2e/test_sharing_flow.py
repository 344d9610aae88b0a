"""Sharing in the browser: invite a friend, who comments at a moment of the video; the owner
sees the notification; turning the share off empties the friend's open page. Then a video
resume is published and opened logged out."""

import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Question, Recording
from tests.e2e.conftest import login, wait_ready
from tests.media_files import speech_webm

pytestmark = pytest.mark.e2e

SAID = "I led the billing migration. We finished two weeks early and cut costs by ten percent."


@pytest.fixture(scope="module")
def answer_webm(tmp_path_factory) -> Path:
    return speech_webm(SAID, tmp_path_factory.mktemp("share-media"), video=True)


def _done_recording(live_app, user_id: int, webm: Path, name: str) -> tuple[int, str]:
    """A finished recording with real, playable media in the app's local storage."""
    data_dir = Path(live_app.db_url.removeprefix("sqlite:///")).parent
    key = f"e2e/{name}.webm"
    target = data_dir / "recordings" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(webm, target)
    words = [
        {"text": f" {w}", "start": round(i * 0.4, 2), "end": round(i * 0.4 + 0.35, 2)}
        for i, w in enumerate(SAID.split())
    ]
    report = {
        "overall": 72,
        "scores": {"pace": 80, "fillers": 90, "structure": 55},
        "tips": [
            {"severity": "medium", "message": "Say what you learned.", "kind": "structure"},
            {"severity": "good", "message": "A steady pace.", "kind": "pace", "at": 1.0},
        ],
    }
    with live_app.db() as session:
        qid = session.exec(select(Question.id).order_by(Question.id)).first()
        text = session.get(Question, qid).text
        rec = Recording(
            user_id=user_id,
            question_id=qid,
            status="done",
            mime="video/webm",
            media_key=key,
            size_bytes=target.stat().st_size,
            duration_seconds=6.0,
            has_video=True,
            transcript_json=json.dumps({"text": SAID, "words": words}),
            report_json=json.dumps(report),
            overall=72,
            plan_json=json.dumps(
                {"framework": "STAR", "sections": {"action": "I split the work."}}
            ),
        )
        session.add(rec)
        session.commit()
        return rec.id, text


def test_share_with_a_friend_who_comments_at_a_moment(page, new_page, live_app, answer_webm):
    owner = live_app.create_user("olive-share@example.com", name="Olive")
    live_app.create_user("fred-share@example.com", name="Fred")
    rid, _question = _done_recording(live_app, owner, answer_webm, "shared")

    login(page, "olive-share@example.com")
    page.goto(f"/recordings/{rid}")
    wait_ready(page)
    panel = page.locator("#share-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#visibility-badge")).to_have_text("private")
    page.locator("#share-emails").fill("fred-share@example.com")
    page.locator("#share-message").fill("Is my result clear enough?")
    page.locator("#share-invite").click()
    expect(page.locator("#share-list")).to_contain_text("fred-share@example.com")
    expect(page.locator("#visibility-badge")).to_have_text("shared")
    mail = live_app.latest_mail("fred-share@example.com")
    assert mail is not None and re.search(r"/s/\d+-[\w-]+", mail.body)

    friend = new_page()
    login(friend, "fred-share@example.com")
    friend.goto("/shared")
    wait_ready(friend)
    expect(friend.locator("#inbox .inbox-item")).to_have_count(1)
    expect(friend.locator("#inbox")).to_contain_text("Waiting for you")
    friend.locator("#inbox .inbox-item").first.click()
    expect(friend).to_have_url(re.compile(rf"/view/r{rid}\?k="))
    wait_ready(friend)
    expect(friend.locator("#shared-view")).to_be_visible()
    expect(friend.locator("#transcript")).to_contain_text("billing migration")
    expect(friend.locator("#shared-plan")).to_contain_text("I split the work.")
    player = friend.locator("#result-player")
    expect(player).to_be_visible()
    # Move the video to 0:02: the comment form follows the player's current time.
    friend.wait_for_function(
        "document.getElementById('result-player').readyState >= 1", timeout=15_000
    )
    friend.evaluate("document.getElementById('result-player').currentTime = 2.2")
    expect(friend.locator("#comment-at-label")).to_have_text("0:02")
    friend.locator("#comment-body").fill("Great pace here <b>really</b> — 👍")
    friend.locator("#comment-submit").click()
    comment = friend.locator("#comments .comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-time")).to_have_text("0:02")
    expect(comment.locator(".comment-body")).to_have_text("Great pace here <b>really</b> — 👍")
    # Agree with one of the AI's items and rate the answer.
    friend.locator(".ai-tip .ai-agree").first.click()
    expect(friend.locator(".ai-tip .ai-agree").first).to_have_class(re.compile("rt-variant-solid"))
    friend.locator("#rate-structure").select_option("4")
    friend.locator("#review-note").fill("Lead with the result.")
    friend.locator("#review-submit").click()
    expect(friend.locator("#reviews")).to_contain_text("Lead with the result.")

    # The owner is told, in the bell.
    page.reload()
    wait_ready(page)
    expect(page.locator("#bell-count")).to_have_text("2")
    page.locator("#nav-bell").click()
    expect(page.locator("#bell-items")).to_contain_text("Fred commented on your answer at 0:02")
    page.keyboard.press("Escape")
    # ... and sees the comment (at its moment), the rating and the vote on the results page.
    feedback = page.locator("#owner-feedback")
    expect(feedback.locator("#owner-comments .comment-body")).to_have_text(
        "Great pace here <b>really</b> — 👍"
    )
    expect(feedback.locator("#owner-comments .comment-time")).to_have_text("0:02")
    expect(feedback.locator("#owner-ratings")).to_contain_text("Structure")
    expect(feedback.locator("#owner-ai-votes")).to_have_text("1 agreed · 0 disagreed")
    expect(feedback.locator("#owner-reviews")).to_contain_text("Lead with the result.")

    # Turning the invitation off empties the friend's open page within a few seconds (the
    # player may ask for one more range first and be refused).
    new_page.allowed_errors.append(r"status of 410")
    page.locator("#share-list button[id^=revoke-]").first.click()
    expect(page.locator("#share-list")).to_contain_text("revoked")
    expect(friend.locator("#view-problem")).to_contain_text("stopped sharing", timeout=15_000)
    src = player.get_attribute("src") if player.count() else None
    assert src is None  # the player is gone with the rest of the answer
    assert not live_app.new_log_errors()


def test_a_link_holder_can_watch_but_must_log_in_to_comment(page, new_page, live_app, answer_webm):
    owner = live_app.create_user("lina-link@example.com", name="Lina")
    rid, _ = _done_recording(live_app, owner, answer_webm, "linked")
    login(page, "lina-link@example.com")
    page.goto(f"/recordings/{rid}")
    wait_ready(page)
    page.locator("#share-link-expiry").select_option("7")
    page.locator("#share-make-link").click()
    link = page.locator("#share-new-link")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert re.fullmatch(re.escape(live_app.url) + r"/s/\d+-[\w-]+", href)

    visitor = new_page()
    visitor.goto(href)
    expect(visitor).to_have_url(re.compile(rf"/view/r{rid}\?k="))
    wait_ready(visitor)
    expect(visitor.locator("#transcript")).to_contain_text("billing migration")
    expect(visitor.locator("#login-to-comment")).to_be_visible()
    src = visitor.locator("#result-player").get_attribute("src")
    assert visitor.request.get(src).status == 200
    # Private again: the open page and the media both stop.
    new_page.allowed_errors.append(r"status of 410")
    page.locator("#visibility").get_by_role("radio", name="Private").click()
    expect(page.locator("#visibility-badge")).to_have_text("private")
    expect(visitor.locator("#view-problem")).to_contain_text("private", timeout=15_000)
    assert visitor.request.get(src).status == 410
    assert not live_app.new_log_errors()


def test_publish_a_video_resume_and_open_it_logged_out(page, new_page, live_app, answer_webm):
    owner = live_app.create_user("rita-resume@example.com", name="Rita")
    rid, question = _done_recording(live_app, owner, answer_webm, "resume")
    login(page, "rita-resume@example.com")
    page.goto("/resume")
    wait_ready(page)
    page.locator("#resume-new-title").fill("Rita Ramos — Product manager")
    page.locator("#resume-create").click()
    expect(page.locator("#resume-status")).to_have_text("Not published")
    page.locator(f"#pick-{rid}").click()
    expect(page.locator(f"#pick-{rid}")).to_be_checked()
    expect(page.locator("#resume-picks")).to_contain_text("#1")
    page.locator("#resume-intro").fill("Eight years shipping payments products.")
    page.locator("#resume-save").click()
    page.locator("#resume-publish").click()
    expect(page.locator("#resume-status")).to_have_text("Published")
    public = page.locator("#resume-public-link").get_attribute("href")
    assert public == "/r/rita-ramos-product-manager"

    visitor = new_page()
    visitor.goto(public)
    wait_ready(visitor)
    expect(visitor.locator("#resume-title-h")).to_have_text("Rita Ramos — Product manager")
    expect(visitor.locator("#public-resume")).to_contain_text("Eight years shipping payments")
    expect(visitor.locator("#public-resume")).to_contain_text(question)
    expect(visitor.locator("#nav-login")).to_be_visible()  # nobody is logged in
    video = visitor.locator("#public-resume video")
    expect(video).to_have_count(1)
    assert visitor.request.get(video.get_attribute("src")).status == 200
    expect(visitor.locator("#public-resume")).not_to_contain_text("72")  # no scores shown

    page.reload()
    wait_ready(page)
    expect(page.locator("#resume-views")).to_have_text("1 view")
    new_page.allowed_errors.append(r"status of 403")  # the page's player, after unpublishing
    page.locator("#resume-unpublish").click()
    expect(page.locator("#resume-status")).to_have_text("Not published")
    visitor.reload()
    wait_ready(visitor)
    expect(visitor.locator("#resume-not-found")).to_be_visible()
    assert not live_app.new_log_errors()


def test_share_a_set_by_link_and_open_each_answer(page, new_page, live_app, answer_webm):
    owner = live_app.create_user("sol-set@example.com", name="Sol")
    first, _ = _done_recording(live_app, owner, answer_webm, "set-1")
    second, _ = _done_recording(live_app, owner, answer_webm, "set-2")
    login(page, "sol-set@example.com")
    page.goto("/shared")
    wait_ready(page)
    expect(page.locator("#inbox-empty")).to_be_visible()
    for rid in (first, second):
        box = page.locator(f'#set-options .set-option[data-ref="r{rid}"]')
        box.click()
        expect(box).to_be_checked()
    page.locator("#set-make-link").click()
    href = page.locator("#set-new-link").get_attribute("href")
    assert re.fullmatch(re.escape(live_app.url) + r"/s/\d+-[\w-]+", href)

    visitor = new_page()
    visitor.goto(href)
    wait_ready(visitor)
    expect(visitor.locator("#share-set a")).to_have_count(2)
    visitor.locator("#share-set a").nth(1).click()
    expect(visitor).to_have_url(re.compile(rf"/view/r{second}\?k="))
    wait_ready(visitor)
    expect(visitor.locator("#transcript")).to_contain_text("billing migration")
    assert not live_app.new_log_errors()


def test_community_answers_are_voted_reported_and_moderated(page, new_page, live_app, answer_webm):
    owner = live_app.create_user("paz-public@example.com", name="Paz")
    live_app.create_user("vic-voter@example.com", name="Vic")
    live_app.create_user("moe-mod@example.com", name="Moe", roles=("moderator",))
    rid, _ = _done_recording(live_app, owner, answer_webm, "public")
    with live_app.db() as session:
        qid = session.get(Recording, rid).question_id
    login(page, "paz-public@example.com")
    page.goto(f"/recordings/{rid}")
    wait_ready(page)
    page.locator("#visibility").get_by_role("radio", name="Public").click()
    expect(page.locator("#visibility-badge")).to_have_text("public")

    voter = new_page()
    login(voter, "vic-voter@example.com")
    voter.goto(f"/community/{qid}")
    wait_ready(voter)
    card = voter.locator("#community-answers .public-answer").filter(has_text="Paz")
    expect(card).to_have_count(1)
    card.locator(".community-helpful").click()
    expect(card.locator(".helpful-count")).to_have_text("1")
    card.get_by_role("link", name="Open").click()
    expect(voter).to_have_url(re.compile(rf"/view/r{rid}$"))
    wait_ready(voter)
    voter.locator("#report-answer").click()
    voter.locator("#report-reason").select_option("plagiarism")
    voter.locator("#report-detail").fill("Word for word from a blog post.")
    voter.locator("#report-send").click()
    expect(voter.get_by_text("A moderator will look at it.")).to_be_visible()

    moderator = new_page()
    login(moderator, "moe-mod@example.com")
    moderator.goto("/admin")
    wait_ready(moderator)
    expect(moderator.locator("#reports .report-card")).to_have_count(1)
    expect(moderator.locator("#reports")).to_contain_text("Word for word from a blog post.")
    moderator.locator("#reports .report-remove").click()
    moderator.locator("#remove-confirm").click()  # "Remove it" asks first
    expect(moderator.locator("#reports .report-card")).to_have_count(0)
    with live_app.db() as session:
        assert session.get(Recording, rid).visibility == "private"
    voter.goto(f"/community/{qid}")
    wait_ready(voter)
    expect(voter.locator("#community-answers .public-answer").filter(has_text="Paz")).to_have_count(
        0
    )
    assert not live_app.new_log_errors()


def test_share_a_written_plan_and_comment_on_one_sentence(page, new_page, live_app):
    from prepple.services import planner

    owner = live_app.create_user("pia-plan@example.com", name="Pia")
    live_app.create_user("max-mentor@example.com", name="Max", roles=("mentor",))
    with live_app.db() as session:
        qid = session.exec(select(Question.id).order_by(Question.id)).first()
        planner.plan_save(
            session=session,
            user_id=owner,
            question_id=qid,
            framework="STAR",
            sections={
                "situation": "Our checkout failed for one customer in five.",
                "action": "I traced the fault to a retry storm and added a circuit breaker.",
                "result": "Failures fell to one in a thousand within a week.",
            },
        )
        session.commit()
    login(page, "pia-plan@example.com")
    page.goto(f"/plan/{qid}")
    wait_ready(page)
    page.locator("#share-emails").fill("max-mentor@example.com")
    page.locator("#share-invite").click()
    expect(page.locator("#share-list")).to_contain_text("max-mentor@example.com")

    mentor = new_page()
    login(mentor, "max-mentor@example.com")
    mentor.goto("/shared")
    wait_ready(mentor)
    mentor.locator("#inbox .inbox-item").first.click()
    expect(mentor).to_have_url(re.compile(r"/view/a\d+\?k="))
    wait_ready(mentor)
    expect(mentor.locator("#shared-plan")).to_contain_text("circuit breaker")
    expect(mentor.locator("#comment-pin")).to_have_count(0)  # no video to pin a moment to
    mentor.locator("#comment-quote").select_option(
        "I traced the fault to a retry storm and added a circuit breaker."
    )
    mentor.locator("#comment-body").fill("Say how you found the retry storm.")
    mentor.locator("#comment-submit").click()
    comment = mentor.locator("#comments .comment")
    expect(comment.locator(".comment-quote")).to_have_text(
        "I traced the fault to a retry storm and added a circuit breaker."
    )
    expect(comment.locator(".comment-time")).to_have_count(0)
    assert not live_app.new_log_errors()
