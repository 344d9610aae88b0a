"""Staff and authorization in the browser: a seeker is refused the admin page and, when it
forges a websocket event for an admin handler, the server refuses that too. An admin changes
roles and feature flags."""

import json
import re

import pytest
from playwright.sync_api import expect

from prepple.state.admin import AdminState
from prepple.state.questions import QuestionsState
from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e


def test_seeker_denied_admin_page_and_admin_handler(page, live_app):
    seeker_id = live_app.create_user("sam@example.com", name="Sam")
    login(page, "sam@example.com")
    expect(page.locator("#nav-admin")).to_have_count(0)
    page.goto("/admin")
    wait_ready(page)
    expect(page.locator("#access-denied")).to_be_visible()
    expect(page.locator("#admin-area")).to_have_count(0)

    # Forge an event: rewrite the next search event into AdminState.set_role(me, admin).
    search = QuestionsState.get_full_name() + ".search"
    forged = AdminState.get_full_name() + ".set_role"
    seen = {"forged": False}

    def tamper(message):
        if isinstance(message, str) and search in message and not seen["forged"]:
            head, body = message[: message.index("[")], json.loads(message[message.index("[") :])
            body[1]["name"] = forged
            body[1]["payload"] = {"user_id": seeker_id, "role": "admin", "granted": True}
            seen["forged"] = True
            return head + json.dumps(body)
        return message

    def route(ws):
        server = ws.connect_to_server()
        ws.on_message(lambda m: server.send(tamper(m)))

    page.route_web_socket(re.compile(r".*/_event.*"), route)
    page.goto("/questions")
    wait_ready(page)
    expect(page.locator("#result-count")).to_be_visible()
    page.get_by_label("Search questions").fill("team")
    expect(page.get_by_text("You don't have permission to do that.")).to_be_visible()
    assert seen["forged"], "the forged event was never sent"
    assert live_app.roles_of(seeker_id) == {"seeker"}


def test_admin_grants_a_role_and_switches_a_feature_off(new_page, live_app):
    live_app.create_user("boss@example.com", name="Boss", roles=("admin",))
    mia = live_app.create_user("mia@example.com", name="Mia")
    admin = new_page()
    login(admin, "boss@example.com")
    admin.locator("#nav-admin").click()
    expect(admin.locator("#admin-area")).to_be_visible()
    admin.get_by_label("Find users").fill("mia@")
    row = admin.locator(".user-row", has_text="mia@example.com")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="mentor").click()
    expect(row.get_by_role("button", name="mentor")).to_have_attribute("aria-pressed", "true")
    assert live_app.roles_of(mia) == {"seeker", "mentor"}
    row.get_by_role("button", name="Deactivate").click()
    expect(row.get_by_text("deactivated")).to_be_visible()
    row.get_by_role("button", name="Reactivate").click()
    expect(row.get_by_text("deactivated")).to_have_count(0)

    admin.locator("#tab-flags").click()
    switch = admin.locator("#flag-question_bank")
    expect(switch).to_be_visible()
    switch.click()
    expect(switch).to_have_attribute("data-state", "unchecked")
    visitor = new_page()
    visitor.goto("/questions")
    wait_ready(visitor)
    expect(visitor.get_by_text(re.compile("switched off"))).to_be_visible()
    expect(visitor.locator(".question-card")).to_have_count(0)
    switch.click()
    expect(switch).to_have_attribute("data-state", "checked")
    visitor.reload()
    expect(visitor.locator(".question-card").first).to_be_visible()

    admin.locator("#tab-outbox").click()
    admin.locator("#tab-audit").click()
    expect(admin.locator("main")).to_contain_text("role.grant")


def test_component_gallery_is_for_admins(new_page, live_app):
    live_app.create_user("designer@example.com", name="Dee", roles=("admin",))
    live_app.create_user("plain@example.com", name="Pat")
    seeker = new_page()
    login(seeker, "plain@example.com")
    seeker.goto("/admin/gallery")
    wait_ready(seeker)
    expect(seeker.locator("#access-denied")).to_be_visible()
    admin = new_page()
    login(admin, "designer@example.com")
    admin.goto("/admin/gallery")
    wait_ready(admin)
    expect(admin.get_by_role("heading", name="Component gallery")).to_be_visible()
    for name in ["question_card", "empty_state", "form_field", "theme tokens"]:
        expect(admin.locator("main")).to_contain_text(name)
    # The app's own components with sample data, switchable to dark, a phone's width, and
    # another accent for every exhibit at once.
    for name in ["transcript", "score_meter", "tip_callout", "pace_chart", "feedback_item"]:
        expect(admin.locator("main")).to_contain_text(name)
    for part in ["#share-panel", "#owner-feedback", "#recorder", "#gallery-pace-chart"]:
        expect(admin.locator(part)).to_be_visible()
    expect(admin.locator("#transcript .tx-filler").first).to_be_visible()
    preview = admin.locator("#gallery-preview")
    admin.locator("#gallery-appearance").get_by_role("radio", name="Dark").click()
    expect(preview).to_have_class(re.compile(r"\bdark\b"))
    admin.locator("#gallery-accent").select_option("tomato")
    expect(preview).to_have_attribute("data-accent-color", "tomato")
    admin.locator("#gallery-frame").get_by_role("radio", name="Phone (390 px)").click()
    admin.wait_for_function(
        "() => document.getElementById('gallery-frame-box').getBoundingClientRect().width <= 390"
    )
    admin.locator(".gallery-phase", has_text="recording").click()
    expect(admin.locator("#recorder")).to_have_attribute("data-phase", "recording")
    expect(admin.locator("#field-email-error")).to_contain_text("Enter an e-mail address")
