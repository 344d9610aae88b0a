"""Practising on camera in the browser: Chromium records with a fake camera and a microphone
that speaks a known answer (espeak-ng), uploads it in chunks, and the results page shows the
transcript with the spoken words, the scores and the attempts. A visitor's take waits in the
browser through log-in."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Question, Recording
from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e

# Processing runs in the app's worker process (model load, transcription, scoring).
PROCESSING_MS = 120_000


def _question_id(live_app) -> int:
    with live_app.db() as session:
        return session.exec(select(Question.id).order_by(Question.id)).first()


def _record(page, seconds: float = 9.0) -> None:
    recorder = page.locator("#recorder")
    page.locator("#rec-enable").click()
    expect(recorder).to_have_attribute("data-phase", "preview")
    page.locator("#rec-start").click()
    expect(recorder).to_have_attribute("data-phase", "countdown")
    expect(recorder).to_have_attribute("data-phase", "recording")
    expect(page.locator("#rec-timer")).to_have_text(re.compile(r"0:0[1-9] / 3:00"))
    page.wait_for_timeout(seconds * 1000)
    expect(page.locator("#rec-silence")).to_be_hidden()  # the fake microphone speaks
    page.locator("#rec-stop").click()
    expect(recorder).to_have_attribute("data-phase", "review")


def test_record_upload_and_see_the_transcript_and_scores(page, live_app):
    live_app.create_user("speaker@example.com", name="Sia")
    qid = _question_id(live_app)
    login(page, "speaker@example.com")
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    expect(page.locator("#practice-question")).not_to_be_empty()
    _record(page)
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/recordings/\d+$"), timeout=30_000)
    rid = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#recording-status")).to_have_text("Done", timeout=PROCESSING_MS)
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text(re.compile("team", re.I))
    expect(transcript).to_contain_text(re.compile("engineers", re.I))
    expect(page.locator("#stat-wpm")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#delivery-scores")).to_contain_text("Fillers")
    # The video is served to its owner, and clicking a word seeks the player.
    player = page.locator("#result-player")
    expect(player).to_have_attribute("src", re.compile(rf"/api/recordings/{rid}/media\?token="))
    page.wait_for_function(
        "() => document.getElementById('result-player').readyState >= 1", timeout=15_000
    )
    later = transcript.locator(".tx-word").nth(5)
    seek_to = float(later.get_attribute("data-seek"))
    later.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('result-player').currentTime - {seek_to}) < 1.5"
    )
    with live_app.db() as session:
        row = session.get(Recording, rid)
        assert row.status == "done" and row.has_video and row.overall is not None
    # Practise again: the earlier attempt is listed on the practice page.
    page.locator("#practice-again").click()
    expect(page.locator("#practice-attempts")).to_contain_text(re.compile(r"\d+:\d\d"))


def test_a_visitors_take_waits_in_the_browser_through_log_in(page, live_app):
    live_app.create_user("visitor-later@example.com", name="Vic")
    qid = _question_id(live_app)
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    expect(page.locator("#rec-visitor-note")).to_be_visible()
    _record(page, seconds=4)
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/login"))  # saving needs an account
    page.get_by_label("E-mail").fill("visitor-later@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/practice/{qid}$"))
    wait_ready(page)
    banner = page.locator("#rec-pending")
    expect(banner).to_be_visible()
    expect(page.locator("#rec-pending-text")).to_contain_text("isn't saved yet")
    page.locator("#rec-restore").click()
    expect(page.locator("#recorder")).to_have_attribute("data-phase", "review")
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/recordings/\d+$"), timeout=30_000)
    expect(page.locator("#recording-status")).to_have_text(
        re.compile("Done|Transcribing|Scoring|Waiting"), timeout=30_000
    )
    # Once stored on the server, the browser's copy is gone.
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    expect(page.locator("#rec-pending")).to_be_hidden()


def test_audio_only_then_delete_the_recording(page, live_app):
    live_app.create_user("deleter@example.com")
    qid = _question_id(live_app)
    login(page, "deleter@example.com")
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    page.locator("#rec-audio-only").check()
    _record(page, seconds=3)
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/recordings/\d+$"), timeout=30_000)
    rid = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#recording-status")).to_have_text("Done", timeout=PROCESSING_MS)
    expect(page.locator("audio#result-player")).to_be_attached()  # no camera, no video
    with live_app.db() as session:
        row = session.get(Recording, rid)
        assert row.mime == "audio/webm" and not row.has_video
    page.locator("#delete-recording").click()
    page.locator("#confirm-delete").click()
    expect(page).to_have_url(re.compile(rf"/practice/{qid}$"))
    with live_app.db() as session:
        assert session.get(Recording, rid) is None
    page.goto(f"/recordings/{rid}")
    wait_ready(page)
    expect(page.locator("#recording-not-found")).to_be_visible()


def test_a_dropped_connection_means_upload_again_not_record_again(new_page, live_app):
    new_page.allowed_errors.append("ERR_FAILED")  # the dropped requests, as Chromium logs them
    page = new_page()
    uid = live_app.create_user("flaky@example.com")
    qid = _question_id(live_app)
    login(page, "flaky@example.com")
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    page.evaluate("window.preppleRecorder.configure({retryDelays: [200, 200]})")
    _record(page, seconds=3)
    # The network drops every chunk: the browser retries, then gives up and keeps the take.
    page.route(re.compile(r".*/api/recordings/\d+/upload\?offset=.*"), lambda r: r.abort())
    page.locator("#rec-save").click()
    expect(page.locator("#rec-status")).to_contain_text("safe in this browser")
    expect(page.locator("#recorder")).to_have_attribute("data-phase", "review")
    # Even after a reload, the take is still there to upload.
    page.unroute(re.compile(r".*/api/recordings/\d+/upload\?offset=.*"))
    page.reload()
    wait_ready(page)
    expect(page.locator("#rec-pending")).to_be_visible()
    page.locator("#rec-restore").click()
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/recordings/\d+$"), timeout=30_000)
    rid = int(page.url.rsplit("/", 1)[1])
    with live_app.db() as session:
        # The row made for the failed attempt was resumed, not duplicated.
        rows = session.exec(select(Recording).where(Recording.user_id == uid)).all()
        assert [r.id for r in rows] == [rid] and rows[0].status != "uploading"


def test_a_practice_session_walks_through_its_questions(page, live_app):
    live_app.create_user("session@example.com")
    login(page, "session@example.com")
    page.goto("/practice")
    wait_ready(page)
    page.locator("#practice-count").select_option("3")
    page.locator("#practice-cheat").select_option("none")
    page.locator("#practice-start").click()
    expect(page).to_have_url(re.compile(r"/practice/\d+$"))
    wait_ready(page)
    expect(page.locator("#practice-position")).to_have_text("Question 1 of 3")
    first = page.url
    _record(page, seconds=2)
    page.locator("#rec-save").click()
    next_link = page.locator("#practice-next")
    expect(next_link).to_be_visible(timeout=30_000)
    next_link.click()
    expect(page).not_to_have_url(first)
    expect(page.locator("#practice-position")).to_have_text("Question 2 of 3")


#: A microphone that hears nothing (a muted one): its audio track is replaced by silence.
SILENT_MIC = """
(() => {
  const md = navigator.mediaDevices;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    const ctx = new AudioContext();
    await ctx.resume();
    // A running source at zero volume: audio frames flow (the recorder needs them), all silent.
    const silence = ctx.createMediaStreamDestination();
    const tone = ctx.createOscillator();
    const mute = ctx.createGain();
    mute.gain.value = 0;
    tone.connect(mute).connect(silence);
    tone.start();
    return new MediaStream([...stream.getVideoTracks(), ...silence.stream.getAudioTracks()]);
  };
})();
"""


def test_phone_cue_cards_a_silent_microphone_and_a_take_stopped_at_zero(new_page, live_app):
    from prepple.services import planner

    uid = live_app.create_user("quiet@example.com")
    qid = _question_id(live_app)
    with live_app.db() as session:
        planner.plan_save(
            session=session,
            user_id=uid,
            question_id=qid,
            framework="STAR",
            sections={
                "task": "As the senior engineer, I had to find the root cause of the outage "
                "within two hours before the Monday launch.",
                "action": "I pulled the logs from all 14 services and found that a config push "
                "at 02:10 had halved the connection pool, which starved the checkout service.",
            },
        )
        session.commit()
    page = new_page()
    page.add_init_script(SILENT_MIC)
    login(page, "quiet@example.com")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone, signed in
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    bullets = page.locator("#cheat-bullets li")
    expect(bullets.first).to_have_text(
        "As senior engineer, I had to find root cause of outage within two hours"
    )
    for text in bullets.all_inner_texts():
        assert "…" not in text and "..." not in text and not text.startswith("-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(
        "[...document.querySelectorAll('#cheat-bullets li')]"
        ".every(li => li.scrollWidth <= li.clientWidth + 1)"
    )

    recorder = page.locator("#recorder")
    page.locator("#rec-enable").click()
    expect(recorder).to_have_attribute("data-phase", "preview")
    page.locator("#rec-start").click()
    expect(recorder).to_have_attribute("data-phase", "recording")
    silence = page.locator("#rec-silence")
    expect(silence).to_be_hidden()
    expect(silence).to_be_visible(timeout=8_000)
    expect(silence).to_contain_text("We can't hear you: check your microphone.")
    page.locator("#rec-stop").click()
    expect(recorder).to_have_attribute("data-phase", "review")
    expect(silence).to_be_hidden()

    # Stopped at 0:00: refused with a message, nothing to save.
    page.locator("#rec-retake").click()
    expect(recorder).to_have_attribute("data-phase", "preview")
    page.locator("#rec-start").click()
    expect(recorder).to_have_attribute("data-phase", "recording")
    page.locator("#rec-stop").click()
    expect(recorder).to_have_attribute("data-phase", "preview")
    expect(page.locator("#rec-status")).to_contain_text("under a second, too short to save")
    expect(page.locator("#rec-save")).to_be_hidden()
