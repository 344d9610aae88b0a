"""Run the production build of Prepple once per test session and drive it with headless Chromium.

The app gets its own SQLite database (migrated and seeded like `make run` does) and its own port;
tests read and write that database directly to arrange data and to check what the UI changed.
Every test fails on a JavaScript error in the page or an error in the app's log.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session, select

from prepple.db import make_engine
from prepple.models import OutboxMessage
from prepple.services import accounts
from prepple.settings import PROJECT_ROOT
from tests.conftest import migrate_and_seed
from tests.fakes import start_fake_openai

CHROMIUM = os.environ.get("PREPPLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT = float(os.environ.get("PREPPLE_E2E_START_TIMEOUT", "900"))
# Assertions wait up to 15 s: a 2-core CI machine that is also building or warming up the
# app can be slow to answer, and a wait that ends early is a flaky test, not a finding.
expect.set_options(timeout=15_000)
PASSWORD = "correct horse battery"
# Lines in the app log that mean something went wrong on the server.
LOG_ERROR = re.compile(r"Traceback \(most recent call last\)|\bERROR\b|Exception in ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveApp:
    """The running app: its URL, its database and its log."""

    url: str
    db_url: str
    log_path: Path
    process: subprocess.Popen
    log_offset: int = 0
    engine: object = field(default=None)

    def db(self) -> Session:
        """A session on the app's database."""
        if self.engine is None:
            self.engine = make_engine(self.db_url)
        return Session(self.engine, expire_on_commit=False)

    def create_user(
        self, email: str, *, name: str = "Test User", roles=("seeker",), password: str = PASSWORD
    ) -> int:
        """Arrange: an account that exists before the test's browser work."""
        with self.db() as session:
            user = accounts.user_register(
                session=session,
                email=email,
                password=password,
                display_name=name,
                roles=tuple(roles),
            )
            session.commit()
            return user.id

    def roles_of(self, user_id: int) -> set[str]:
        """Check: the roles a user holds now."""
        from prepple.models import User

        with self.db() as session:
            user = session.get(User, user_id)
            return set(accounts.principal_of(session, user).roles) if user else set()

    def latest_mail(self, email: str) -> OutboxMessage | None:
        """Check: the newest outbox message to ``email``, its body as delivered (one-time
        links are sealed at rest; see ``notifications.readable_body``)."""
        from prepple.services import notifications

        with self.db() as session:
            msg = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.to_email == email)
                .order_by(OutboxMessage.id.desc())
            ).first()
            if msg is not None:
                session.expunge(msg)
                msg.body = notifications.readable_body(msg)
            return msg

    def new_log_errors(self) -> list[str]:
        """Error lines the app logged since the last call."""
        text = self.log_path.read_text(errors="replace")
        fresh, self.log_offset = text[self.log_offset :], len(text)
        return [line for line in fresh.splitlines() if LOG_ERROR.search(line)]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    with urllib.request.urlopen(url + "/questions", timeout=5) as page:  # noqa: S310
                        if page.status == 200:
                            return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {START_TIMEOUT}s:\n{log.read_text()[-4000:]}")


#: The flows that also run against the Redis-backed app (Reflex state in Redis, several backend
#: workers, the job queue in Redis): the ones whose outcome depends on state carried across
#: requests, tabs, people or log-ins, on the queue or the worker's scheduler, or on the near-copy
#: index seen from another worker. Every other flow runs on the memory app only: its proof does
#: not depend on where state lives. ``PREPPLE_E2E_REDIS_ALL=1`` runs every flow on both.
REDIS_FLOWS = {
    "test_accounts_flow.py": {
        "test_register_logout_login_and_wrong_password",  # the session token across workers
        "test_reset_password_through_the_outbox_link",  # the mail goes through the queue
        "test_visitor_saved_questions_are_kept_on_sign_up",  # visitor state across log-in
    },
    "test_admin_flow.py": {"test_admin_grants_a_role_and_switches_a_feature_off"},  # two people
    "test_identity_flow.py": {"test_log_out_ends_the_calendar_link_and_clears_the_tab"},
    "test_newuser_flow.py": {"test_a_visitors_take_waits_through_sign_up"},
    "test_planner_flow.py": {
        "test_visitor_plan_is_kept_on_sign_up",
        "test_text_typed_while_offline_is_offered_back_after_reload",  # reconnect, state kept
    },
    "test_practice_flow.py": {
        "test_record_upload_and_see_the_transcript_and_scores",  # the worker via the queue
        "test_a_visitors_take_waits_in_the_browser_through_log_in",
        "test_a_dropped_connection_means_upload_again_not_record_again",
    },
    "test_schedule_flow.py": {"test_a_reminder_arrives_in_the_bell"},  # the worker's scheduler
    "test_sharing_flow.py": {"test_share_with_a_friend_who_comments_at_a_moment"},  # two people
    "test_signin_landing_flow.py": {
        "test_a_logged_out_invitee_signs_up_and_lands_on_the_shared_answer",
        "test_originality_is_no_oracle_and_flags_only_the_later_copy",  # index across workers
        "test_remove_asks_first_and_the_owner_is_told",  # a notification to another person
    },
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Run the Redis variant only for REDIS_FLOWS (and fail on a name there that its module no
    longer defines, so that renaming a flow can't silently drop its Redis run)."""
    for item in items:
        module = Path(str(item.fspath)).name
        missing = {n for n in REDIS_FLOWS.get(module, ()) if not hasattr(item.module, n)}
        if missing:
            raise pytest.UsageError(f"REDIS_FLOWS names tests that {module} lacks: {missing}")
    if os.environ.get("PREPPLE_E2E_REDIS_ALL") == "1":
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        redis_run = callspec is not None and callspec.params.get("live_app") == "redis"
        module = Path(str(item.fspath)).name
        if redis_run and item.originalname not in REDIS_FLOWS.get(module, ()):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["memory", "redis"])
def live_app(request, tmp_path_factory) -> Iterator[LiveApp]:
    """Build and serve the production app on a free port with a fresh seeded database.

    Browser tests run with Reflex state in memory (the embedded default); REDIS_FLOWS also run
    with state in the local Redis server (the scaled path)."""
    redis_url = ""
    if request.param == "redis":
        redis_url = os.environ.get("PREPPLE_TEST_REDIS_URL", "")
        if not redis_url:
            if os.environ.get("PREPPLE_REQUIRE_SERVICES") == "1":
                pytest.fail("PREPPLE_TEST_REDIS_URL is not set but services are required")
            pytest.skip("no Redis (run the suite with `make test`)")
    data = tmp_path_factory.mktemp(f"e2e-{request.param}")
    db_url = f"sqlite:///{data / 'prepple.db'}"
    migrate_and_seed(db_url)

    model = start_fake_openai()  # the "coach" talks to a local chat-completions server
    port = _free_port()
    url = f"http://localhost:{port}"
    env = dict(os.environ)
    env.update(
        {
            "PREPPLE_DATABASE_URL": db_url,
            "PREPPLE_DATA_DIR": str(data),
            "PREPPLE_ENVIRONMENT": "test",
            "PREPPLE_FRONTEND_PORT": str(port),
            "PREPPLE_BACKEND_PORT": str(port),
            "PREPPLE_BASE_URL": url,
            "PREPPLE_API_URL": url,
            "PREPPLE_SMTP_HOST": "",
            "PREPPLE_REDIS_URL": redis_url,
            # The job queue follows Reflex's state: embedded SQLite, or the same Redis server.
            "PREPPLE_QUEUE_URL": redis_url,
            "PREPPLE_REMINDER_INTERVAL_SECONDS": "2",
            "PREPPLE_OPENAI_API_KEY": "test-key",
            "PREPPLE_OPENAI_BASE_URL": f"http://127.0.0.1:{model.server_port}/v1",
        }
    )
    log = data / "app.log"
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            ["reflex", "run", "--env", "prod", "--loglevel", "info"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(url, proc, log)
        print(f"\n[e2e] {request.param}: served in {time.monotonic() - started:.1f}s at {url}")
        app = LiveApp(url=url, db_url=db_url, log_path=log, process=proc)
        app.new_log_errors()  # start-up output is not a test's fault
        yield app
    finally:
        model.shutdown()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass  # it exited already (the start-up error is reported above)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


#: What the fake microphone says, over and over (Chromium loops the file).
SPOKEN = (
    "I led a team of five engineers to migrate our billing system. "
    "We finished two weeks early and cut costs by ten percent."
)


@pytest.fixture(scope="session")
def browser(tmp_path_factory) -> Iterator[Browser]:
    """Debian's Chromium, headless, with a fake camera and a microphone that speaks SPOKEN
    (espeak-ng), so the recorder can be driven end to end."""
    from tests.media_files import speak_wav

    voice = speak_wav(SPOKEN, tmp_path_factory.mktemp("voice") / "voice.wav", speed=150)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={voice}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield b
        b.close()


@pytest.fixture
def new_page(browser, live_app, request):
    """Factory for pages in fresh browser contexts (separate people); all are error-checked."""
    contexts, problems = [], []

    def _make(*, width: int = 1280, height: int = 900) -> Page:
        ctx = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_app.url
        )
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        return page

    _make.allowed_errors = []  # regexes a test expects to see in the console (a 404 page)
    yield _make
    problems = [p for p in problems if not any(re.search(rx_, p) for rx_ in _make.allowed_errors)]
    failed = getattr(request.node, "rep_call", None)
    for i, ctx in enumerate(contexts):
        if failed is not None and failed.failed:
            shots = PROJECT_ROOT / "test-artifacts"
            shots.mkdir(exist_ok=True)
            for j, pg in enumerate(ctx.pages):
                pg.screenshot(path=str(shots / f"{request.node.name}-{i}-{j}.png"))
        ctx.close()
    log_errors = live_app.new_log_errors()
    assert not problems, "browser reported errors:\n" + "\n".join(problems)
    assert not log_errors, "the app logged errors:\n" + "\n".join(log_errors)


@pytest.fixture
def page(new_page) -> Page:
    """One fresh page (a visitor until the test logs in)."""
    return new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def wait_ready(page: Page) -> None:
    """Wait until the page has loaded its state (hydrated and on_load handlers done)."""
    page.locator("#app-ready[data-ready=yes]").wait_for(state="attached")


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the form and wait until the app shows the signed-in nav."""
    page.goto("/login")
    wait_ready(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#login-submit").click()
    page.locator("#nav-account").wait_for()
