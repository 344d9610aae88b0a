"""Accounts in the browser: register, log out, log in, wrong password, reset via the outbox,
visitor's saved questions kept on sign-up, bad input in every form."""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from prepple.models import User
from tests.e2e.conftest import PASSWORD, login, wait_ready

pytestmark = pytest.mark.e2e


def test_register_logout_login_and_wrong_password(page, live_app):
    page.goto("/register")
    wait_ready(page)
    page.get_by_label("Name").fill("Eve Example")
    page.get_by_label("E-mail").fill("eve@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.locator("#register-submit").click()
    expect(page).to_have_url(re.compile(r"/questions$"))
    expect(page.locator("#nav-account")).to_have_text("Eve Example")

    page.locator("#nav-logout").click()
    expect(page.locator("#nav-login")).to_be_visible()
    expect(page.locator("#nav-account")).to_have_count(0)

    page.goto("/login")
    wait_ready(page)
    page.get_by_label("E-mail").fill("eve@example.com")
    page.get_by_label("Password").fill("not my password")
    page.locator("#login-submit").click()
    expect(page.locator("#form-alert")).to_have_text("Wrong e-mail or password.")
    expect(page.locator("#nav-account")).to_have_count(0)

    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    expect(page.locator("#nav-account")).to_have_text("Eve Example")
    expect(page).to_have_url(re.compile(r"/questions$"))

    # The session survives a reload (token in localStorage, checked on the server).
    page.reload()
    expect(page.locator("#nav-account")).to_have_text("Eve Example")


def test_reset_password_through_the_outbox_link(page, live_app):
    live_app.create_user("rita@example.com", name="Rita")
    page.goto("/login")
    wait_ready(page)
    page.locator("#forgot-link").click()
    expect(page).to_have_url(re.compile(r"/forgot-password$"))
    page.get_by_label("E-mail").fill("rita@example.com")
    page.locator("#forgot-submit").click()
    expect(page.locator("#reset-sent")).to_contain_text("If an account exists")

    # The link is written on the job queue (same answer time for any address): wait for it.
    deadline = time.monotonic() + 15
    mail = live_app.latest_mail("rita@example.com")
    while mail is None and time.monotonic() < deadline:
        time.sleep(0.2)
        mail = live_app.latest_mail("rita@example.com")
    assert mail is not None and mail.kind == "password_reset"
    link = re.search(r"https?://\S+/reset-password\?token=\S+", mail.body).group(0)
    assert link.startswith(live_app.url)

    page.goto(link)
    wait_ready(page)
    page.get_by_label("New password", exact=True).fill("a fresh new secret")
    page.get_by_label("Repeat new password").fill("a fresh new secret")
    page.locator("#reset-submit").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#password-changed")).to_have_text(
        "Your password was changed. Log in with your new password."
    )

    login(page, "rita@example.com", "a fresh new secret")
    expect(page.locator("#nav-account")).to_have_text("Rita")

    # The link was single-use, and says so as soon as it is opened, with the form to ask again.
    page.locator("#nav-logout").click()
    expect(page.locator("#nav-login")).to_be_visible()
    page.goto(link)
    wait_ready(page)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("This link was used or has expired; ask for a new one")).to_be_visible()
    expect(page.locator("#reset-submit")).to_have_count(0)
    page.get_by_label("E-mail").fill("rita@example.com")
    page.locator("#forgot-submit").click()
    expect(page.locator("#reset-sent")).to_contain_text("If an account exists")


def test_visitor_saved_questions_are_kept_on_sign_up(page, live_app):
    page.goto("/questions")
    wait_ready(page)
    first = page.locator(".question-card").first
    title = first.locator(".question-link").inner_text()
    first.get_by_role("button", name="Save to practice list").click()
    expect(first.get_by_role("button", name="Remove from practice list")).to_be_visible()

    page.goto("/register")
    wait_ready(page)
    expect(page.locator("#keep-notice")).to_contain_text("1 question")
    page.get_by_label("Name").fill("Vic")
    page.get_by_label("E-mail").fill("vic@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.locator("#register-submit").click()
    expect(page.locator("#nav-account")).to_have_text("Vic")
    page.locator("#nav-account").click()
    expect(page.locator("#saved-section")).to_contain_text(title)


def _drop_browser_checks(page):
    """Switch off the browser's own checks so the server's validation is what answers."""
    wait_ready(page)
    page.evaluate("""() => {
        document.querySelectorAll('form').forEach(f => { f.noValidate = true; });
        document.querySelectorAll('input').forEach(i => i.removeAttribute('maxlength'));
    }""")


def _user_count(live_app) -> int:
    with live_app.db() as s:
        return s.exec(select(func.count()).select_from(User)).one()


@pytest.mark.parametrize(
    "field,label,value,message",
    [
        ("display_name", "Name", "", "Name is required."),
        ("display_name", "Name", "<script>window.__pwned=1</script>", "can't contain < or >"),
        ("display_name", "Name", "x" * 500, "at most 80 characters"),
        ("email", "E-mail", "", "E-mail is required."),
        ("email", "E-mail", "robert'); DROP TABLE users;--", "Enter an e-mail address"),
        ("email", "E-mail", "a" * 400 + "@example.com", "at most 254 characters"),
        ("password", "Password", "short", "at least 10 characters"),
    ],
)
def test_register_bad_input_is_explained_next_to_the_field(
    page, live_app, field, label, value, message
):
    before = _user_count(live_app)
    page.goto("/register")
    wait_ready(page)
    page.get_by_label("Name").wait_for()
    _drop_browser_checks(page)
    good = {"Name": "Val", "E-mail": "val@example.com", "Password": PASSWORD}
    good[label] = value
    page.get_by_label("Name").fill(good["Name"])
    page.get_by_label("E-mail").fill(good["E-mail"])
    page.get_by_label("Password", exact=True).fill(good["Password"])
    page.get_by_label("Repeat password").fill(good["Password"])
    page.locator("#register-submit").click()
    error = page.locator(f"#field-{field}-error")
    expect(error).to_contain_text(message)
    # The message is tied to its input for screen readers.
    described = page.locator(f"#field-{field}").get_attribute("aria-describedby")
    assert f"field-{field}-error" in described
    assert page.evaluate("() => window.__pwned") is None
    assert _user_count(live_app) == before


def test_login_and_forgot_bad_input(page, live_app):
    page.goto("/login")
    wait_ready(page)
    page.get_by_label("E-mail").wait_for()
    _drop_browser_checks(page)
    page.locator("#login-submit").click()
    expect(page.locator("#field-email-error")).to_have_text("E-mail is required.")
    page.get_by_label("E-mail").fill("🙂@‮example.com")
    page.get_by_label("Password").fill("x")
    page.locator("#login-submit").click()
    expect(page.locator("#field-email-error")).to_contain_text(
        re.compile("characters we can.t store")
    )

    page.goto("/forgot-password")
    wait_ready(page)
    page.get_by_label("E-mail").wait_for()
    _drop_browser_checks(page)
    page.get_by_label("E-mail").fill("<b>not an address</b>")
    page.locator("#forgot-submit").click()
    expect(page.locator("#field-email-error")).to_contain_text("Enter an e-mail address")
    expect(page.locator("#reset-sent")).to_have_count(0)


def test_reset_page_with_a_forged_token(page, live_app):
    page.goto("/reset-password?token=%3Cscript%3Ealert(1)%3C/script%3E")
    wait_ready(page)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.locator("#forgot-form")).to_be_visible()


def test_account_page_needs_login(page, live_app):
    page.goto("/account")
    wait_ready(page)
    expect(page).to_have_url(re.compile(r"/login\?next=/account$"))
    live_app.create_user("acct@example.com", name="Acct")
    page.get_by_label("E-mail").fill("acct@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("#account-identity")).to_contain_text("acct@example.com")


def test_change_password_then_delete_account(page, live_app):
    user_id = live_app.create_user("del@example.com", name="Del")
    login(page, "del@example.com")
    page.locator("#nav-account").click()
    expect(page.locator("#account-identity")).to_contain_text("del@example.com")
    expect(page.locator("#saved-empty")).to_be_visible()

    pw = page.locator("#password-section")
    pw.get_by_label("Current password").fill("not the password")
    pw.get_by_label("New password", exact=True).fill("a different secret")
    pw.get_by_label("Repeat new password").fill("a different secret")
    pw.locator("#change-password-submit").click()
    expect(page.locator("#field-current_password-error")).to_contain_text("wrong")
    pw.get_by_label("Current password").fill(PASSWORD)
    pw.get_by_label("New password", exact=True).fill("a different secret")
    pw.get_by_label("Repeat new password").fill("a different secret")
    pw.locator("#change-password-submit").click()
    expect(page.locator("#password-changed")).to_contain_text("Password changed")

    gone = page.locator("#delete-section")
    gone.get_by_label("Password").fill("a different secret")
    gone.get_by_label("Type DELETE to confirm").fill("nah")
    gone.locator("#delete-account-submit").click()
    expect(page.locator("#field-confirm-error")).to_contain_text("Type DELETE")
    assert live_app.roles_of(user_id) == {"seeker"}
    gone.get_by_label("Type DELETE to confirm").fill("DELETE")
    gone.locator("#delete-account-submit").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#nav-login")).to_be_visible()
    assert live_app.roles_of(user_id) == set()
    page.goto("/login")
    wait_ready(page)
    page.get_by_label("E-mail").fill("del@example.com")
    page.get_by_label("Password").fill("a different secret")
    page.locator("#login-submit").click()
    expect(page.locator("#form-alert")).to_have_text("Wrong e-mail or password.")
