"""The ``prepple`` console command: database, seed data, users, flags, outbox."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from prepple import migrate
from prepple.db import session_scope
from prepple.services import accounts, flags, notifications, questions
from prepple.services.authz import ROLES, Principal
from prepple.services.validation import InvalidInput

app = typer.Typer(help="Prepple administration.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts and roles.", no_args_is_help=True)
flags_app = typer.Typer(help="Feature flags.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(flags_app, name="flags")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Upgrade the database (default: to the newest migration)."""
    migrate.upgrade(revision)
    typer.echo(f"database at {migrate.current()}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument("-1")) -> None:
    """Downgrade the database (default: one step)."""
    migrate.downgrade(revision)
    typer.echo(f"database at {migrate.current()}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    typer.echo(migrate.current() or "(empty)")


@app.command("seed")
def seed(
    file: Path = typer.Option(None, help="A question bank JSON file (default: bundled)."),
) -> None:
    """Load the question bank (idempotent: running it again changes nothing)."""
    bank = questions.load_bank(file)
    with session_scope() as session:
        counts = questions.seed_bank(session=session, bank=bank)
    typer.echo(json.dumps(counts))


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="E-mail address (the login)."),
    name: str = typer.Option(..., help="Display name."),
    role: list[str] = typer.Option(["seeker"], help=f"Role(s): {', '.join(ROLES)}."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="PREPPLE_NEW_PASSWORD",
        help="Password (prompted when not given; or PREPPLE_NEW_PASSWORD).",
    ),
) -> None:
    """Create an account with the given roles."""
    try:
        with session_scope() as session:
            user = accounts.user_register(
                session=session,
                email=email,
                password=password,
                display_name=name,
                roles=tuple(role),
            )
            typer.echo(f"created user #{user.id} {user.email} roles={','.join(role)}")
    except InvalidInput as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


@users_app.command("set-role")
def users_set_role(
    email: str, role: str, revoke: bool = typer.Option(False, help="Remove instead of grant.")
) -> None:
    """Grant (or with --revoke remove) a role."""
    from sqlmodel import select

    from prepple.models import User

    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email.lower())).first()
        if user is None:
            typer.echo("error: no such user", err=True)
            raise typer.Exit(2)
        try:
            accounts.role_set(
                session=session,
                actor=Principal(roles=frozenset({"admin"})),
                user_id=user.id,
                role=role,
                granted=not revoke,
            )
        except InvalidInput as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"{user.email}: {sorted(accounts.principal_of(session, user).roles)}")


@flags_app.command("list")
def flags_list() -> None:
    """Show every feature flag and its effective value."""
    with session_scope() as session:
        for f in flags.flags_all(session=session):
            typer.echo(
                f"{f.name:24} {'on ' if f.enabled else 'off'}"
                f"{'  (override)' if f.overridden else ''}"
            )


@flags_app.command("set")
def flags_set(name: str, value: str = typer.Argument(..., help="on, off or default")) -> None:
    """Override a feature flag (or return it to its default)."""
    enabled = {"on": True, "off": False, "default": None}.get(value)
    if value not in ("on", "off", "default"):
        typer.echo("error: value must be on, off or default", err=True)
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            flags.flag_set(session=session, name=name, enabled=enabled, actor_id=None)
    except KeyError:
        typer.echo(
            f"error: unknown flag {name!r}; known: {', '.join(flags.flag_names())}", err=True
        )
        raise typer.Exit(2) from None
    typer.echo(f"{name} -> {value}")


@app.command("outbox")
def outbox(
    email: str = typer.Option("", help="Only messages to this address."), limit: int = 10
) -> None:
    """Print the newest messages in the local outbox (where e-mail goes without SMTP)."""
    with session_scope() as session:
        for m in notifications.outbox_for(session=session, email=email or None, limit=limit):
            typer.echo(
                f"#{m.id} {m.created_at:%Y-%m-%d %H:%M} UTC to={m.to_email} [{m.kind}] "
                f"{m.channel}/{m.status} {m.subject}\n{notifications.readable_body(m)}\n"
            )


@app.command("prune")
def prune() -> None:
    """Delete expired sessions, spent reset tokens and stale throttle rows (the app also does
    this every hour while it runs)."""
    with session_scope() as session:
        typer.echo(json.dumps(accounts.prune_expired(session=session)))


@app.command("deliver")
def deliver() -> None:
    """Send queued e-mail by SMTP now and retry failed sends."""
    with session_scope() as session:
        typer.echo(f"sent {notifications.deliver_pending(session=session)}")


@app.command("worker")
def worker(
    threads: int = typer.Option(0, help="Jobs at once (default: PREPPLE_WORKER_THREADS)."),
    parent_pid: int = typer.Option(
        0, hidden=True, help="The app that started this worker: end with it (embedded)."
    ),
) -> None:
    """Run a background worker: transcribes and scores recordings from the queue."""
    from prepple import jobs

    jobs.run_worker(threads or None, parent_pid=parent_pid)


@app.command("scheduler")
def scheduler_run() -> None:
    """Run the reminder scheduler (one holder per database; other copies wait as standbys)."""
    from prepple.scheduler import run_scheduler

    run_scheduler()


@app.command("analyze")
def analyze(
    file: str = typer.Argument(..., help="A text file with the answer, or - for stdin."),
    framework: str = typer.Option("STAR", help="STAR, CARL or SOAR."),
    question: str = typer.Option("", help="The interview question it answers."),
    competency: list[str] = typer.Option([], help="Competency slug(s) the question probes."),
) -> None:
    """Print the feedback report for an answer as JSON."""
    import sys

    from prepple.services.feedback import AnswerInput
    from prepple.services.feedback import analyze as run_analysis

    if framework.upper() not in ("STAR", "CARL", "SOAR"):
        typer.echo("error: framework must be STAR, CARL or SOAR", err=True)
        raise typer.Exit(2)
    try:
        raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: can't read {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    report = run_analysis(
        AnswerInput(
            framework=framework.upper(), text=raw, question=question, competencies=list(competency)
        )
    )
    typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))


@app.command("transcribe")
def transcribe(
    file: Path = typer.Argument(..., help="An audio or video recording."),
    model: str = typer.Option("", help="tiny.en, base or a model folder (default: settings)."),
    beam: int = typer.Option(0, help="Beam size (default: settings; 1 is greedy)."),
    fillers: bool = typer.Option(True, help="Find the um/uh Whisper drops."),
) -> None:
    """Transcribe a recording and print the transcript with timed words as JSON."""
    from prepple.services import media, transcription

    try:
        media.probe(file)
        result = transcription.transcribe(
            file, model=model or None, beam_size=beam or None, fillers=fillers
        )
    except media.MediaError as exc:
        typer.echo(f"error: {exc.user_message}", err=True)
        raise typer.Exit(1) from None
    except transcription.ModelUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


def main() -> None:
    """Entry point of the ``prepple`` console script."""
    app()


if __name__ == "__main__":
    main()
