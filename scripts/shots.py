"""Screenshots of Prepple pages with realistic data, at laptop and phone sizes, light and dark.

    flock /tmp/prepple-e2e.lock python scripts/shots.py --arrange my_arrange.py --out /tmp/shots

``my_arrange.py`` defines ``arrange(db_url: str) -> list[dict]``: it writes realistic data into
the app's (migrated, seeded) database through the services, and returns the shots to take, each
``{"name": "results", "path": "/recordings/3", "login": "ann@example.com"}`` (``login`` may be
omitted for a visitor; the password is ``correct horse battery``; ``"wait"`` is an optional CSS
selector to wait for; ``"click"`` an optional selector to click before the picture).

For every shot it saves ``<name>-<width>-<light|dark>.png`` (full page) and prints the page's
scroll width: anything wider than the window means the page scrolls sideways, a layout bug. It
exits non-zero when a page overflows. Pass ``--url`` to use an app that is already running (its
database URL with ``--db-url``) instead of building and starting one.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    _free_port,
    _wait_ready,
)

SIZES = ((1280, 800), (390, 844))


@contextlib.contextmanager
def running_app(data: Path):
    """Migrate and seed a fresh SQLite database and serve the production build on it."""
    from tests.conftest import migrate_and_seed

    db_url = f"sqlite:///{data / 'prepple.db'}"
    migrate_and_seed(db_url)
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
            "PREPPLE_REDIS_URL": "",
            "PREPPLE_QUEUE_URL": "",
        }
    )
    log = data / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv/bin/reflex"), "run", "--env", "prod", "--loglevel", "info"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(url, proc, log)
        yield url, db_url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _login(page, email: str) -> None:
    page.goto("/login")
    page.locator("#app-ready[data-ready=yes]").wait_for(state="attached")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("#login-submit").click()
    page.locator("#nav-account").wait_for(state="attached")  # hidden in the phone menu


def take(url: str, shots: list[dict], out: Path) -> int:
    """Take every shot at every size and scheme; return how many pages overflowed."""
    out.mkdir(parents=True, exist_ok=True)
    bad = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for shot in shots:
            for width, height in SIZES:
                for scheme in ("light", "dark"):
                    ctx = browser.new_context(
                        viewport={"width": width, "height": height},
                        base_url=url,
                        color_scheme=scheme,
                    )
                    page = ctx.new_page()
                    if shot.get("login"):
                        _login(page, shot["login"])
                    page.goto(shot["path"])
                    page.locator("#app-ready[data-ready=yes]").wait_for(state="attached")
                    if shot.get("wait"):
                        page.locator(shot["wait"]).first.wait_for()
                    if shot.get("click"):
                        page.locator(shot["click"]).first.click()
                    page.wait_for_timeout(int(shot.get("settle_ms", 800)))
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    name = f"{shot['name']}-{width}-{scheme}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    flag = "OVERFLOWS" if scroll > width else "ok"
                    bad += scroll > width
                    print(f"{name}: scroll width {scroll} at window {width} {flag}")
                    ctx.close()
        browser.close()
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrange", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--url", help="an app that is already running")
    parser.add_argument("--db-url", help="the database of the app given by --url")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("arrange_module", args.arrange)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if args.url:
        shots = module.arrange(args.db_url)
        return 1 if take(args.url, shots, args.out) else 0
    with tempfile.TemporaryDirectory(prefix="prepple-shots-") as tmp:
        started = time.monotonic()
        with running_app(Path(tmp)) as (url, db_url):
            print(f"app ready in {time.monotonic() - started:.0f}s at {url}")
            shots = module.arrange(db_url)
            return 1 if take(url, shots, args.out) else 0


if __name__ == "__main__":
    raise SystemExit(main())
