"""Hardening against the running production app (issue 11): security headers on every kind of
response, CORS only for the app's own origin, the app working in Chromium under its CSP (no
console errors while browsing, recording, uploading and playing back), and a malformed
Socket.IO packet refused without a traceback."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from prepple.models import Question
from tests.e2e.conftest import login, wait_ready

pytestmark = pytest.mark.e2e

EVIL = "http://evil.example"


def _get(url: str, *, method: str = "GET", headers: dict | None = None):
    req = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=20) as r:  # noqa: S310
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def test_every_kind_of_response_carries_the_security_headers(live_app):
    qid = 1
    paths = [
        "/",  # a page
        "/questions",
        "/_health",  # Reflex's health route
        "/ping",
        "/prepple.css",  # a static asset
        f"/api/recordings/{qid}/media?token=forged",  # the media route (refused)
        f"/api/recordings/{qid}/upload",  # an API route (refused)
        "/no-such-page",
    ]
    for path in paths:
        status, headers = _get(live_app.url + path)
        assert status < 500, (path, status)
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, (path, headers)
        assert headers.get("x-frame-options") == "DENY", path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", path


def test_cors_answers_only_the_apps_own_origin(live_app):
    for path in ("/_health", "/api/recordings/1/upload", "/ping"):
        _, evil = _get(live_app.url + path, headers={"Origin": EVIL})
        assert "access-control-allow-origin" not in evil, (path, evil)
        _, own = _get(live_app.url + path, headers={"Origin": live_app.url})
        assert own.get("access-control-allow-origin") == live_app.url, (path, own)
        assert own.get("access-control-allow-credentials") == "true"
    # A preflight from another site is refused.
    status, pre = _get(
        live_app.url + "/api/recordings/1/upload",
        method="OPTIONS",
        headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"},
    )
    assert status == 400 and "access-control-allow-origin" not in pre


def test_the_app_works_under_its_csp(page, live_app):
    """Browsing, searching (rx.call_script), recording, uploading and playing back, with the
    page fixture failing on any console error (a CSP violation is one)."""
    live_app.create_user("csp@example.com", name="Cass")
    with live_app.db() as session:
        qid = session.exec(select(Question.id).order_by(Question.id)).first()
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/")
    wait_ready(page)
    page.goto("/questions?q=conflict")
    wait_ready(page)
    login(page, "csp@example.com")
    page.goto(f"/plan/{qid}")
    wait_ready(page)
    page.goto(f"/practice/{qid}")
    wait_ready(page)
    recorder = page.locator("#recorder")
    page.locator("#rec-enable").click()
    expect(recorder).to_have_attribute("data-phase", "preview")
    page.locator("#rec-start").click()
    expect(recorder).to_have_attribute("data-phase", "recording")
    page.wait_for_timeout(3000)
    page.locator("#rec-stop").click()
    expect(recorder).to_have_attribute("data-phase", "review")
    page.locator("#rec-save").click()
    expect(page).to_have_url(re.compile(r"/recordings/\d+$"), timeout=30_000)
    page.wait_for_function(
        "() => { const p = document.getElementById('result-player');"
        " return p && p.readyState >= 1; }",
        timeout=30_000,
    )
    for path in ("/progress", "/schedule", "/account", "/shared"):
        page.goto(path)
        wait_ready(page)
    assert csp_violations == []


SOCKET_JS = """
async (packets) => {
  const url = location.origin.replace(/^http/, 'ws') + '/_event/?EIO=4&transport=websocket';
  const ws = new WebSocket(url);
  const got = [];
  ws.onmessage = (m) => got.push(String(m.data));
  await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = bad; });
  await new Promise((ok) => setTimeout(ok, 300));
  ws.send('40/_event,');
  await new Promise((ok) => setTimeout(ok, 500));
  for (const p of packets) { ws.send(p); await new Promise((ok) => setTimeout(ok, 150)); }
  await new Promise((ok) => setTimeout(ok, 800));
  const open = ws.readyState === WebSocket.OPEN;
  ws.close();
  return {got, open};
}
"""


def test_a_malformed_socket_packet_is_refused_quietly(page, live_app):
    page.goto("/questions")
    wait_ready(page)
    live_app.new_log_errors()  # what came before is not this test's
    before = len(live_app.log_path.read_text(errors="replace"))
    page.evaluate(
        SOCKET_JS,
        [
            '42/_event,{"a":1}',  # an event with no name: KeyError: 0 in python-socketio
            "42/_event,[1,2]",  # a name that isn't text
            "42/_event,[]",
            '42/_event,["event","not json {"]',  # Reflex can't deserialize it
            '42/_event,["event",[1,2]]',
            "4zz",  # an unknown packet type
            '42/_event,["event",{"name":1}',  # broken JSON
        ],
    )
    time.sleep(1.0)
    log = live_app.log_path.read_text(errors="replace")[before:]
    assert "Traceback" not in log and "KeyError" not in log, log[-3000:]
    assert log.count("refused a malformed Socket.IO packet") >= 4, log[-3000:]
    # The app still serves its own page over the socket.
    page.goto("/questions")
    wait_ready(page)
