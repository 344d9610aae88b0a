"""Model-written feedback against a local server that speaks the chat-completions wire format
(a real HTTP server on loopback; openai 3.x uses httpx2, which respx cannot intercept)."""

import time

import pytest

from prepple.services.feedback import AnswerInput, analyze, llm
from prepple.settings import reset_settings_cache
from tests.fakes import start_fake_openai


@pytest.fixture
def model_server(monkeypatch):
    server = start_fake_openai()
    monkeypatch.setenv("PREPPLE_OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("PREPPLE_OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("PREPPLE_OPENAI_TIMEOUT_SECONDS", "1")
    reset_settings_cache()
    yield server.handler
    server.shutdown()
    reset_settings_cache()


ANSWER = AnswerInput(
    "STAR",
    sections={
        "situation": "Our checkout was timing out two days before the sale.",
        "action": "We fixed it. I wrote a runbook for the night shift.",
        "result": "Checkout time dropped from 9 seconds to 1.2 seconds.",
    },
    question="Tell me about a time you solved a problem under pressure.",
)


def test_model_items_and_rewrite_are_added(model_server):
    local = analyze(ANSWER)
    report = llm.enrich(ANSWER, local)
    assert report.engine == "local+model"
    model_items = [i for i in report.items if i.source == "model"]
    assert [i.message for i in model_items] == ["Say why the deadline mattered."]
    assert report.stats["rewrite_improved"].startswith("I found")
    assert len(report.items) == len(local.items) + 1
    path, auth, body = model_server.requests[0]
    assert path == "/v1/chat/completions" and auth == "Bearer test-key"
    assert body["response_format"]["type"] == "json_schema"
    assert "Checkout time dropped" in body["messages"][1]["content"]


@pytest.mark.parametrize("mode", ["slow", "error", "garbage"])
def test_any_failure_falls_back_to_the_local_report(model_server, mode):
    model_server.mode = mode
    local = analyze(ANSWER)
    started = time.perf_counter()
    report = llm.enrich(ANSWER, local)
    assert report is local and report.engine == "local"
    assert time.perf_counter() - started < 2.5  # the 1 s timeout held, no retries


def test_off_without_a_key(monkeypatch):
    monkeypatch.delenv("PREPPLE_OPENAI_API_KEY", raising=False)
    reset_settings_cache()
    local = analyze(ANSWER)
    assert not llm.enabled() and llm.enrich(ANSWER, local) is local
