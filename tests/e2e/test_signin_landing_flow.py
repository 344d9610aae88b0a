"""Arriving from an e-mail, originality, and moderation, in the browser: a logged-out invitee
sees who invited them to what, signs up and lands on the shared answer, which is in "Shared with
me" at once; private answers are no originality oracle and the original author isn't flagged;
"Remove it" asks first and the owner is told."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Answer, Question, utcnow
from tests.e2e.conftest import PASSWORD, login, wait_ready

pytestmark = pytest.mark.e2e

FLAG = "very close to an answer someone else saved"


def _first_question(live_app) -> tuple[int, str]:
    with live_app.db() as session:
        q = session.exec(select(Question).order_by(Question.id)).first()
        return q.id, q.text


def test_a_logged_out_invitee_signs_up_and_lands_on_the_shared_answer(page, new_page, live_app):
    from prepple.services import planner

    owner = live_app.create_user("olga-invite@example.com", name="Olga")
    qid, question = _first_question(live_app)
    with live_app.db() as session:
        planner.plan_save(
            session=session,
            user_id=owner,
            question_id=qid,
            framework="STAR",
            sections={"situation": "Our nightly import failed for a week before anyone noticed."},
        )
        session.commit()
    login(page, "olga-invite@example.com")
    page.goto(f"/plan/{qid}")
    wait_ready(page)
    page.locator("#share-emails").fill("nina-new@example.com")
    page.locator("#share-invite").click()
    expect(page.locator("#share-list")).to_contain_text("nina-new@example.com")
    mail = live_app.latest_mail("nina-new@example.com")
    path = re.search(r"https?://[^/\s]+(/s/\S+)", mail.body).group(1)

    invitee = new_page()
    invitee.goto(path)
    expect(invitee).to_have_url(re.compile(r"/login\?next=/s/"))
    wait_ready(invitee)
    notice = invitee.locator("#invite-notice")
    expect(notice).to_contain_text(f"Olga invited you to give feedback on {question}")
    assert "nightly import" not in notice.inner_text()  # nothing of the answer itself
    invitee.locator("#register-link").click()
    expect(invitee).to_have_url(re.compile(r"/register\?next=/s/"))
    wait_ready(invitee)
    expect(invitee.locator("#invite-notice")).to_contain_text("Olga invited you")
    invitee.get_by_label("Name").fill("Nina")
    invitee.get_by_label("E-mail").fill("nina-new@example.com")
    invitee.get_by_label("Password", exact=True).fill(PASSWORD)
    invitee.get_by_label("Repeat password").fill(PASSWORD)
    invitee.locator("#register-submit").click()
    expect(invitee).to_have_url(re.compile(r"/view/a\d+\?k="))
    wait_ready(invitee)
    expect(invitee.locator("#shared-plan")).to_contain_text("nightly import failed")
    invitee.goto("/shared")
    wait_ready(invitee)
    expect(invitee.locator("#inbox .inbox-item")).to_have_count(1)
    expect(invitee.locator("#inbox .inbox-item")).to_contain_text("From Olga")
    assert not live_app.new_log_errors()


SECRET = (
    "In March our payroll export silently dropped every employee whose surname had an "
    "apostrophe, so I wrote a reconciliation script against the bank file, found forty-one "
    "missing payments, paid them by hand the same afternoon and added the names to our tests."
)


def _write(page, qid, text):
    page.goto(f"/plan/{qid}")
    wait_ready(page)
    page.locator("#section-situation").fill(text)
    expect(page.locator("#save-status")).to_have_attribute("data-status", re.compile("saved"))
    expect(page.locator("#feedback-items")).to_be_visible()


def test_originality_is_no_oracle_and_flags_only_the_later_copy(page, new_page, live_app):
    # In Redis mode the tabs may be served by different backend workers: the near-copy index is
    # in the database (answer_index), so each sees the answers the others saved.
    live_app.create_user("ada-author@example.com", name="Ada")
    live_app.create_user("carl-copier@example.com", name="Carl")
    with live_app.db() as session:
        qid = session.exec(select(Question.id).order_by(Question.id.desc())).first()
    login(page, "ada-author@example.com")
    _write(page, qid, SECRET)  # private for now
    expect(page.locator("#feedback-items")).not_to_contain_text(FLAG)

    visitor = new_page()
    _write(visitor, qid, SECRET)
    expect(visitor.locator("#save-status")).to_have_attribute("data-status", "saved-locally")
    expect(visitor.locator("#feedback-items")).not_to_contain_text(FLAG)

    copier = new_page()
    login(copier, "carl-copier@example.com")
    _write(copier, qid, SECRET.replace("March", "April"))
    expect(copier.locator("#feedback-items")).not_to_contain_text(FLAG)  # private: no oracle

    with live_app.db() as session:  # Ada publishes hers (the app reads it per look-up)
        row = session.exec(select(Answer).where(Answer.question_id == qid)).first()
        row.visibility = "public"
        row.created_at = utcnow() - timedelta(days=1)
        session.add(row)
        session.commit()
    copier.locator("#section-situation").fill(SECRET.replace("March", "May"))
    expect(copier.locator("#feedback-items")).to_contain_text(FLAG)

    page.locator("#section-situation").fill(SECRET + " No payment has been missed since.")
    expect(page.locator("#save-status")).to_have_attribute("data-status", re.compile("saved"))
    expect(page.locator("#feedback-items")).not_to_contain_text(FLAG)
    assert not live_app.new_log_errors()


def test_remove_asks_first_and_the_owner_is_told(page, new_page, live_app):
    from prepple.services import reviews, sharing

    owner = live_app.create_user("pia-removed@example.com", name="Pia")
    reporter = live_app.create_user("rex-reporter@example.com", name="Rex")
    live_app.create_user("mo-moderator@example.com", name="Mo", roles=("moderator",))
    qid, _ = _first_question(live_app)
    with live_app.db() as session:
        row = Answer(
            user_id=owner,
            question_id=qid,
            sections_json='{"situation": "Buy my course at example.com for the best answers."}',
            visibility="public",
        )
        session.add(row)
        session.commit()
        reviews.report_abuse(
            session=session,
            viewer=sharing.viewer_of(session, reporter),
            kind="answer",
            target_id=row.id,
            reason="spam",
        )
        session.commit()
        answer_id = row.id

    login(page, "mo-moderator@example.com")
    page.goto("/admin")
    wait_ready(page)
    card = page.locator("#reports .report-card").filter(has_text="Buy my course")
    card.locator(".report-remove").click()
    dialog = page.locator("#remove-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#remove-effect")).to_contain_text("every share link and invitation")
    expect(dialog.locator("#remove-effect")).to_contain_text("owner is told why")
    page.locator("#remove-cancel").click()
    expect(dialog).to_have_count(0)
    expect(card).to_have_count(1)
    with live_app.db() as session:
        assert session.get(Answer, answer_id).visibility == "public"

    card.locator(".report-remove").click()
    page.locator("#remove-note").fill("Advertising is not allowed in answers.")
    page.locator("#remove-confirm").click()
    expect(card).to_have_count(0)
    expect(dialog).to_have_count(0)
    with live_app.db() as session:
        assert session.get(Answer, answer_id).visibility == "private"
    mail = live_app.latest_mail("pia-removed@example.com")
    assert mail.kind == "moderation" and "Advertising is not allowed" in mail.body

    owner_page = new_page()
    login(owner_page, "pia-removed@example.com")
    owner_page.locator("#nav-bell").click()
    bell = owner_page.locator("#bell-items")
    expect(bell).to_contain_text("A moderator removed your written answer")
    assert not live_app.new_log_errors()
