"""Ids, signed links and tokens: nothing a deleted, logged-out or deactivated account held works
for anyone afterwards, and nothing can be inherited by a later row with the same id."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select
from starlette.testclient import TestClient

from prepple import api as api_module
from prepple.models import (
    AbuseReport,
    PasswordResetToken,
    Question,
    Recording,
    ReminderPrefs,
    User,
    utcnow,
)
from prepple.services import accounts, recordings, reminders, resumes, reviews, sharing, signing
from prepple.services.accounts import AccountError
from prepple.services.recordings import RecordingError
from prepple.services.sharing import ShareError, Target
from prepple.state.schedule import ics_token
from tests.services.test_sharing import done_recording

PASSWORD = "correct horse battery"


@pytest.fixture
def qid(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()


@pytest.fixture
def client(session):
    return TestClient(api_module.api)


def _login(session, user) -> tuple[str, signing.Holder]:
    token = accounts.session_create(session=session, user=session.get(User, user.id))
    session.commit()
    return token, accounts.session_lookup(session=session, token=token)[1]


def test_every_table_with_an_integer_id_never_reuses_ids(session, db_url):
    int_id_tables = [
        t
        for t in SQLModel.metadata.sorted_tables
        if [c.name for c in t.primary_key.columns] == ["id"]
    ]
    assert len(int_id_tables) >= 26
    for table in int_id_tables:
        assert table.dialect_options["sqlite"]["autoincrement"], table.name
        sql = session.exec(
            text("SELECT sql FROM sqlite_master WHERE type='table' AND name=:n").bindparams(
                n=table.name
            )
        ).one()[0]
        assert "AUTOINCREMENT" in sql, f"{table.name} is not AUTOINCREMENT after migrating"


def test_a_deleted_accounts_id_goes_to_nobody(session, make_user, qid):
    ann = make_user("ann@example.com")
    rec = done_recording(session, ann, qid)
    old_user, old_rec = ann.id, rec.id
    accounts.user_delete(session=session, user_id=ann.id, password=PASSWORD)
    session.commit()
    bob = make_user("bob@example.com")
    assert bob.id > old_user
    assert done_recording(session, bob, qid).id > old_rec


def _everything_ann_holds(session, client, ann, qid, tmp_path) -> dict:
    """Every link and token an account can hold, made the way the app makes them."""
    token, holder = _login(session, ann)
    uploading = recordings.recording_create(session=session, user_id=ann.id, question_id=qid)
    session.commit()
    done = done_recording(session, ann, qid)
    resume = resumes.resume_create(session=session, owner_id=ann.id, title="Ann's answers")
    resumes.resume_set_items(
        session=session, owner_id=ann.id, resume_id=resume.id, recording_ids=[done.id]
    )
    resumes.resume_publish(session=session, owner_id=ann.id, resume_id=resume.id, publish=True)
    (link,), _ = sharing.share_create(
        session=session, owner_id=ann.id, targets=[Target.of_row(done)], link=True
    )
    reset = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=ann.id,
            token_hash=accounts.hash_token(reset),
            expires_at=utcnow() + timedelta(minutes=30),
        )
    )
    session.commit()
    view = resumes.resume_public(session=session, slug=resume.slug, count_view=False)
    held = {
        "session": token,
        "upload": (uploading.id, recordings.upload_token(uploading, holder)),
        "media": (done.id, recordings.media_token(done.id, holder)),
        "resume_media": (done.id, recordings.resume_media_token(done.id, resume.id, view.stamp)),
        "share_key": (done.id, sharing.share_key(link)),
        "ics": ics_token(holder),
        "unsubscribe": parse_qs(urlparse(reminders.unsubscribe_link(ann)).query)["token"][0],
        "reset": reset,
        "slug": resume.slug,
    }
    # Positive control: every one of them works while Ann's account stands.
    assert accounts.session_user(session=session, token=token).id == ann.id
    rid, up = held["upload"]
    assert client.get(f"/api/recordings/{rid}/upload", headers={"X-Upload-Token": up}).json()["ok"]
    for key in ("media", "resume_media"):
        rid, tok = held[key]
        assert recordings.media_for_token(session=session, token=tok, recording_id=rid)
    rid, key = held["share_key"]
    assert sharing.access(
        session=session, viewer=sharing.VISITOR, target=Target("recording", rid), key=key
    )
    assert client.get(f"/api/schedule.ics?token={held['ics']}").status_code == 200
    session.rollback()
    return held


def _assert_all_refused(session, client, held, newcomer) -> None:
    session.expire_all()
    assert accounts.session_user(session=session, token=held["session"]) is None
    rid, up = held["upload"]
    res = client.get(f"/api/recordings/{rid}/upload", headers={"X-Upload-Token": up})
    assert res.status_code == 403, res.text
    res = client.put(
        f"/api/recordings/{rid}/upload?offset=0", content=b"x" * 10, headers={"X-Upload-Token": up}
    )
    assert res.status_code == 403, res.text
    for key in ("media", "resume_media"):
        rid, tok = held[key]
        with pytest.raises(RecordingError):
            recordings.media_for_token(session=session, token=tok, recording_id=rid)
        assert client.get(f"/api/recordings/{rid}/media?token={tok}").status_code in (403, 404)
    rid, key = held["share_key"]
    with pytest.raises(ShareError):
        sharing.access(
            session=session, viewer=sharing.VISITOR, target=Target("recording", rid), key=key
        )
    assert client.get(f"/api/schedule.ics?token={held['ics']}").status_code == 403
    before = session.get(ReminderPrefs, newcomer.id)
    reminders.unsubscribe(session=session, token=held["unsubscribe"])
    session.flush()
    after = session.get(ReminderPrefs, newcomer.id)
    assert after is before is None or after.unsubscribed_at is None, "newcomer unsubscribed"
    with pytest.raises(AccountError):
        accounts.password_reset_complete(
            session=session, token=held["reset"], new_password="another long phrase"
        )
    session.rollback()


def test_replaying_every_old_link_after_delete_and_recreate(
    session, client, make_user, qid, tmp_path
):
    ann = make_user("ann@example.com")
    held = _everything_ann_holds(session, client, ann, qid, tmp_path)
    old_id = ann.id
    old_ids = (held["upload"][0], held["media"][0])
    accounts.user_delete(session=session, user_id=ann.id, password=PASSWORD)
    session.commit()
    # The next account and its recordings, in progress and done, shared and published.
    bob = make_user("bob@example.com")
    _, bob_holder = _login(session, bob)
    done_recording(session, bob, qid)
    recordings.recording_create(session=session, user_id=bob.id, question_id=qid)
    session.commit()
    _assert_all_refused(session, client, held, bob)

    # Even if an id were handed out again (as SQLite did before AUTOINCREMENT), the links
    # name the old row's key or creation time, never just the id.
    session.execute(text("DELETE FROM users WHERE id = :id"), {"id": bob.id})
    session.commit()
    eve = User(id=old_id, email="eve@example.com", display_name="Eve", password_hash="x" * 20)
    session.add(eve)
    session.commit()
    for rid in old_ids:
        session.add(
            Recording(
                id=rid,
                user_id=eve.id,
                question_id=qid,
                status="done" if rid == old_ids[1] else "uploading",
                media_key=f"eve/{rid}.webm",
                mime="video/webm",
            )
        )
    recordings.staging_path(old_ids[0]).touch()
    session.commit()
    token, _ = _login(session, eve)
    _assert_all_refused(session, client, held, eve)


def test_log_out_password_change_and_reset_end_media_and_calendar_links(
    session, client, make_user, qid
):
    ann = make_user("ann@example.com")
    rec = done_recording(session, ann, qid)

    def links(holder):
        return recordings.media_token(rec.id, holder), ics_token(holder)

    def works(media, ics) -> tuple[bool, bool]:
        session.expire_all()
        try:
            recordings.media_for_token(session=session, token=media, recording_id=rec.id)
            media_ok = True
        except RecordingError as exc:
            assert exc.status == 403
            media_ok = False
        return media_ok, client.get(f"/api/schedule.ics?token={ics}").status_code == 200

    token, holder = _login(session, ann)
    media, ics = links(holder)
    assert works(media, ics) == (True, True)
    accounts.session_revoke(session=session, token=token)  # log-out
    session.commit()
    assert works(media, ics) == (False, False)

    # A password change ends the links of every session, also the one that changed it.
    token, holder = _login(session, ann)
    media, ics = links(holder)
    other_media, other_ics = links(_login(session, ann)[1])
    accounts.password_change(
        session=session,
        user_id=ann.id,
        current=PASSWORD,
        new="a brand new phrase",
        keep_token=token,
    )
    session.commit()
    assert accounts.session_user(session=session, token=token) is not None  # still logged in
    assert works(media, ics) == (False, False)
    assert works(other_media, other_ics) == (False, False)
    fresh_media, fresh_ics = links(accounts.session_lookup(session=session, token=token)[1])
    assert works(fresh_media, fresh_ics) == (True, True)

    # A reset (the password was perhaps stolen) ends them too.
    reset = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=ann.id,
            token_hash=accounts.hash_token(reset),
            expires_at=utcnow() + timedelta(minutes=30),
        )
    )
    session.commit()
    accounts.password_reset_complete(session=session, token=reset, new_password="third phrase ok")
    session.commit()
    assert works(fresh_media, fresh_ics) == (False, False)


def test_a_deactivated_accounts_shares_media_and_resume_are_refused(
    session, make_user, qid, holder_for
):
    admin = make_user("admin@example.com", roles=("admin",))
    ann = make_user("ann@example.com")
    ivy = make_user("ivy@example.com")
    rec = done_recording(session, ann, qid)
    (invite,), _ = sharing.share_create(
        session=session, owner_id=ann.id, targets=[Target.of_row(rec)], emails=[ivy.email]
    )
    (link,), _ = sharing.share_create(
        session=session, owner_id=ann.id, targets=[Target.of_row(rec)], link=True
    )
    resume = resumes.resume_create(session=session, owner_id=ann.id, title="Ann's answers")
    resumes.resume_set_items(
        session=session, owner_id=ann.id, resume_id=resume.id, recording_ids=[rec.id]
    )
    resumes.resume_publish(session=session, owner_id=ann.id, resume_id=resume.id, publish=True)
    session.commit()
    stamp = resumes.resume_public(session=session, slug=resume.slug, count_view=False).stamp
    ivy_viewer = sharing.viewer_of(session, ivy.id)
    target = Target("recording", rec.id)
    tokens = [
        recordings.media_token(rec.id, holder_for(ivy), sharing.share_key(invite)),
        recordings.media_token(rec.id, None, sharing.share_key(link)),
        recordings.resume_media_token(rec.id, resume.id, stamp),
    ]
    for token in tokens:  # positive control
        assert recordings.media_for_token(session=session, token=token, recording_id=rec.id)
    sharing.access(session=session, viewer=ivy_viewer, target=target, key=sharing.share_key(invite))

    accounts.user_set_active(
        session=session, actor=accounts.principal_of(session, admin), user_id=ann.id, active=False
    )
    session.commit()
    session.expire_all()
    for viewer, key in (
        (ivy_viewer, sharing.share_key(invite)),
        (ivy_viewer, ""),
        (sharing.VISITOR, sharing.share_key(link)),
    ):
        with pytest.raises(ShareError):
            sharing.access(session=session, viewer=viewer, target=target, key=key)
    for token in tokens:
        with pytest.raises(RecordingError):
            recordings.media_for_token(session=session, token=token, recording_id=rec.id)
    with pytest.raises(resumes.ResumeError):
        resumes.resume_public(session=session, slug=resume.slug)


def test_an_abuse_report_dies_with_its_target(session, make_user, qid):
    ann = make_user("ann@example.com")
    mod = make_user("mod@example.com", roles=("moderator",))
    reporter = make_user("rita@example.com")
    rec = done_recording(session, ann, qid, visibility="public")
    reviews.report_abuse(
        session=session,
        viewer=sharing.viewer_of(session, reporter.id),
        kind="recording",
        target_id=rec.id,
        reason=next(iter(reviews.REPORT_REASONS)),
    )
    session.commit()
    report = session.exec(select(AbuseReport)).one()
    assert report.recording_id == rec.id and report.target_id == rec.id
    assert len(reviews.reports_open(session=session)) == 1
    recordings.recording_discard(session=session, recording_id=rec.id, user_id=ann.id)
    session.commit()
    session.expire_all()
    assert session.exec(select(AbuseReport)).all() == []
    # A stranger's later recording is never "reported", so no moderator may open it.
    later = done_recording(session, make_user("zed@example.com"), qid)
    with pytest.raises(ShareError):
        sharing.access(
            session=session,
            viewer=sharing.viewer_of(session, mod.id),
            target=Target("recording", later.id),
        )


def test_registration_is_throttled_per_client_address(session, monkeypatch):
    monkeypatch.setenv("PREPPLE_REGISTRATIONS_PER_IP", "3")
    from prepple.settings import reset_settings_cache

    reset_settings_cache()

    def register(n, ip="203.0.113.9"):
        user = accounts.user_register(
            session=session,
            email=f"u{n}@example.com",
            password=PASSWORD,
            display_name=f"User {n}",
            client_ip=ip,
        )
        session.commit()
        return user

    for n in range(3):
        register(n)
    with pytest.raises(AccountError) as err:
        register(3)
    assert err.value.field == "form"
    assert "Too many accounts were created from your network" in err.value.message
    assert "minutes" in err.value.message
    session.rollback()
    assert session.exec(select(User).where(User.email == "u3@example.com")).first() is None
    register(4, ip="198.51.100.7")  # another address is not affected
    register(5, ip="")  # no address known (scripts, tests): not counted


def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(
    session, make_user, monkeypatch
):
    """The form's answer does no account lookup at all: the request is queued, and the worker
    looks the address up. Both answers then cost the same (measured here, too)."""
    from prepple import jobs
    from prepple.models import OutboxMessage
    from prepple.state import auth

    make_user("ann@example.com")
    queued: list[str] = []
    monkeypatch.setattr(jobs, "enqueue_password_reset", queued.append)
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(15):
        for kind, email in (("known", "Ann@Example.com"), ("unknown", "nobody@example.com")):
            start = time.perf_counter()
            auth._request_reset(email)
            timings[kind].append(time.perf_counter() - start)
    assert queued[:2] == ["ann@example.com", "nobody@example.com"]
    assert session.exec(select(OutboxMessage)).all() == []  # nothing done on the request path
    known, unknown = (sorted(v)[len(v) // 2] for v in timings.values())
    assert abs(known - unknown) < 0.002, timings

    # The queued work sends the link (run in-process here).
    monkeypatch.setattr(jobs.huey, "immediate", True)
    jobs.password_reset_task("ann@example.com")
    jobs.password_reset_task("nobody@example.com")
    session.expire_all()
    sent = session.exec(select(OutboxMessage)).all()
    assert [m.kind for m in sent] == ["password_reset"]
