from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import (
    AuditEntry,
    LoginThrottle,
    OutboxMessage,
    PasswordResetToken,
    SavedQuestion,
    User,
    UserRole,
    UserSession,
    utcnow,
)
from prepple.services import accounts, notifications, saved
from prepple.services.accounts import AccountError
from prepple.services.validation import InvalidInput
from tests.conftest import both_databases

PW = "correct horse battery"


def _reset_token_from_outbox(session, email: str) -> str:
    msg = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.to_email == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert msg is not None and msg.kind == "password_reset"
    return notifications.readable_body(msg).split("token=")[1].split()[0]


@both_databases
def test_register_stores_hash_not_password_and_default_role(session, make_user):
    user = make_user("Ann@Example.com", name="Ann")
    assert user.email == "ann@example.com"
    assert PW not in user.password_hash and user.password_hash.startswith("$argon2")
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    assert roles == ["seeker"]


@both_databases
def test_register_refuses_duplicate_email_case_insensitively(session, make_user):
    make_user("ann@example.com")
    with pytest.raises(AccountError) as err:
        accounts.user_register(
            session=session, email="ANN@example.com", password=PW, display_name="Other"
        )
    assert err.value.field == "email" and "already exists" in err.value.message


def test_register_refuses_password_equal_to_email(session):
    with pytest.raises(AccountError, match="can't be your e-mail"):
        accounts.user_register(
            session=session,
            email="longname@example.com",
            password="LongName@example.com",
            display_name="L",
        )


def test_register_refuses_unknown_role(session):
    with pytest.raises(AccountError, match="Unknown role"):
        accounts.user_register(
            session=session,
            email="a@example.com",
            password=PW,
            display_name="A",
            roles=("overlord",),
        )


def test_authenticate_ok_and_same_message_for_unknown_email_and_wrong_password(session, make_user):
    make_user("ann@example.com")
    assert accounts.user_authenticate(session=session, email="ann@example.com", password=PW)
    session.commit()  # one request, one transaction (failures are counted in a separate one)
    messages = []
    for email, pw in [("ann@example.com", "wrong password!"), ("nobody@example.com", PW)]:
        with pytest.raises(AccountError) as err:
            accounts.user_authenticate(session=session, email=email, password=pw)
        messages.append(err.value.message)
    assert messages[0] == messages[1] == "Wrong e-mail or password."


def test_throttle_locks_after_repeated_failures_then_expires(session, make_user):
    make_user("ann@example.com")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(AccountError, match="Wrong e-mail"):
            accounts.user_authenticate(
                session=session, email="ann@example.com", password="nope nope nope", now=now
            )
    with pytest.raises(AccountError, match="Too many failed attempts"):
        accounts.user_authenticate(
            session=session, email="ann@example.com", password="nope nope nope", now=now
        )
    # Even the right password is refused while locked.
    with pytest.raises(AccountError, match="Try again in 15 minutes"):
        accounts.user_authenticate(
            session=session, email="ann@example.com", password=PW, now=now + timedelta(seconds=1)
        )
    later = now + timedelta(minutes=16)
    user = accounts.user_authenticate(
        session=session, email="ann@example.com", password=PW, now=later
    )
    assert user.email == "ann@example.com"


def test_throttle_counts_unknown_emails_too(session):
    now = utcnow()
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.user_authenticate(
                session=session, email="ghost@example.com", password="whatever123", now=now
            )
    with pytest.raises(AccountError, match="Too many"):
        accounts.user_authenticate(
            session=session, email="ghost@example.com", password="whatever123", now=now
        )


@both_databases
def test_sessions_are_random_hashed_expiring_and_revocable(session, make_user):
    user = make_user()
    token = accounts.session_create(session=session, user=user)
    session.commit()
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.token_hash != token and len(token) >= 40
    assert accounts.session_user(session=session, token=token).id == user.id
    assert accounts.session_user(session=session, token=token[:-1] + "x") is None
    assert accounts.session_user(session=session, token="short") is None
    assert accounts.session_user(session=session, token=None) is None
    assert (
        accounts.session_user(
            session=session, token=token, now=row.expires_at + timedelta(seconds=1)
        )
        is None
    )
    token2 = accounts.session_create(session=session, user=user)
    accounts.session_revoke(session=session, token=token2)
    assert accounts.session_user(session=session, token=token2) is None


@both_databases
def test_password_reset_is_single_use_and_logs_out_everywhere(session, make_user):
    user = make_user("ann@example.com")
    old_session = accounts.session_create(session=session, user=user)
    accounts.password_reset_request(session=session, email="ANN@example.com")
    session.commit()
    token = _reset_token_from_outbox(session, "ann@example.com")
    accounts.password_reset_complete(
        session=session, token=token, new_password="a brand new secret"
    )
    session.commit()
    assert accounts.session_user(session=session, token=old_session) is None
    assert accounts.user_authenticate(
        session=session, email="ann@example.com", password="a brand new secret"
    )
    with pytest.raises(AccountError, match="used or has expired"):
        accounts.password_reset_complete(
            session=session, token=token, new_password="another new secret"
        )


def test_password_reset_expires(session, make_user):
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    token = _reset_token_from_outbox(session, "ann@example.com")
    row = session.exec(select(PasswordResetToken)).one()
    with pytest.raises(AccountError, match="expired"):
        accounts.password_reset_complete(
            session=session,
            token=token,
            new_password="a brand new secret",
            now=row.expires_at + timedelta(seconds=1),
        )


def test_password_reset_for_unknown_email_sends_nothing(session):
    accounts.password_reset_request(session=session, email="nobody@example.com")
    assert session.exec(select(OutboxMessage)).all() == []


def test_password_reset_refuses_garbage_tokens(session):
    for token in ["", "x" * 500, None, "' OR 1=1 --" * 3, "🙂" * 30]:
        with pytest.raises(AccountError, match="used or has expired"):
            accounts.password_reset_complete(
                session=session, token=token, new_password="a brand new secret"
            )


def test_password_change_checks_current_and_keeps_this_session(session, make_user):
    user = make_user()
    here = accounts.session_create(session=session, user=user)
    elsewhere = accounts.session_create(session=session, user=user)
    with pytest.raises(AccountError) as err:
        accounts.password_change(
            session=session, user_id=user.id, current="wrong one!", new="a brand new secret"
        )
    assert err.value.field == "current_password"
    with pytest.raises(AccountError, match="differ"):
        accounts.password_change(session=session, user_id=user.id, current=PW, new=PW)
    accounts.password_change(
        session=session, user_id=user.id, current=PW, new="a brand new secret", keep_token=here
    )
    assert accounts.session_user(session=session, token=here) is not None
    assert accounts.session_user(session=session, token=elsewhere) is None


@both_databases
def test_delete_account_removes_its_data(session, make_user):
    user = make_user("ann@example.com")
    other = make_user("bob@example.com")
    accounts.session_create(session=session, user=user)
    qid = session.exec(select(SavedQuestion.question_id)).first()  # none yet
    assert qid is None
    saved.saved_import(session=session, user_id=user.id, question_ids=[1, 2, 3])
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    with pytest.raises(AccountError, match="not deleted"):
        accounts.user_delete(session=session, user_id=user.id, password="wrong one!")
    accounts.user_delete(session=session, user_id=user.id, password=PW)
    session.commit()
    uid = user.id
    assert session.get(User, uid) is None
    for model in (UserSession, UserRole, SavedQuestion, PasswordResetToken, OutboxMessage):
        rows = session.exec(select(model).where(model.user_id == uid)).all()
        assert rows == [], model
    assert session.get(User, other.id) is not None
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "account.deleted")).one()


def test_role_set_grant_revoke_and_self_protection(session, make_user):
    admin = make_user("admin@example.com", roles=("admin",))
    bob = make_user("bob@example.com")
    actor = accounts.principal_of(session, admin)
    accounts.role_set(session=session, actor=actor, user_id=bob.id, role="mentor", granted=True)
    assert "mentor" in accounts.principal_of(session, bob).roles
    accounts.role_set(session=session, actor=actor, user_id=bob.id, role="mentor", granted=False)
    assert "mentor" not in accounts.principal_of(session, bob).roles
    with pytest.raises(AccountError, match="own admin"):
        accounts.role_set(
            session=session, actor=actor, user_id=admin.id, role="admin", granted=False
        )
    with pytest.raises(InvalidInput, match="Unknown role"):
        accounts.role_set(session=session, actor=actor, user_id=bob.id, role="root", granted=True)


@both_databases
def test_throttle_window_rolls_over(session, make_user):
    make_user("ann@example.com")
    start = utcnow()
    for i in range(4):
        with pytest.raises(AccountError, match="Wrong e-mail"):
            accounts.user_authenticate(
                session=session,
                email="ann@example.com",
                password="nope nope nope",
                now=start + timedelta(minutes=i),
            )
    # 20 minutes later the window has passed: the count starts again, no lock after 1 more.
    later = start + timedelta(minutes=20)
    with pytest.raises(AccountError, match="Wrong e-mail"):
        accounts.user_authenticate(
            session=session, email="ann@example.com", password="nope nope nope", now=later
        )
    row = session.get(LoginThrottle, "email:ann@example.com")
    session.refresh(row)
    assert row.failures == 1 and row.locked_until is None


@both_databases
def test_password_spraying_from_one_address_is_throttled(session, make_user, monkeypatch):
    monkeypatch.setenv("PREPPLE_LOGIN_MAX_FAILURES_PER_IP", "6")
    from prepple.settings import reset_settings_cache

    reset_settings_cache()
    now = utcnow()
    for i in range(5):
        with pytest.raises(AccountError, match="Wrong e-mail"):
            accounts.user_authenticate(
                session=session,
                email=f"victim{i}@example.com",
                password="Summer2026!!",
                client_ip="203.0.113.9",
                now=now,
            )
    # The 6th failure from the address locks it, whichever accounts were tried.
    with pytest.raises(AccountError, match="Too many"):
        accounts.user_authenticate(
            session=session,
            email="victim9@example.com",
            password="Summer2026!!",
            client_ip="203.0.113.9",
            now=now,
        )
    make_user("real@example.com")
    with pytest.raises(AccountError, match="Too many"):
        accounts.user_authenticate(
            session=session, email="real@example.com", password=PW, client_ip="203.0.113.9", now=now
        )
    # Another address is not affected.
    assert accounts.user_authenticate(
        session=session, email="real@example.com", password=PW, client_ip="198.51.100.7", now=now
    )


def test_reset_requests_are_limited_and_a_new_link_ends_the_old(session, make_user):
    make_user("ann@example.com")
    now = utcnow()
    first = accounts.password_reset_request(session=session, email="ann@example.com", now=now)
    session.commit()
    old_token = _reset_token_from_outbox(session, "ann@example.com")
    second = accounts.password_reset_request(session=session, email="ann@example.com", now=now)
    session.commit()
    assert first and second and first != second
    with pytest.raises(AccountError, match="used or has expired"):
        accounts.password_reset_complete(
            session=session, token=old_token, new_password="a brand new secret"
        )
    assert accounts.password_reset_request(session=session, email="ann@example.com", now=now)
    # The fourth within the hour is silently dropped (no mail-bombing).
    assert (
        accounts.password_reset_request(session=session, email="ann@example.com", now=now) is None
    )
    later = now + timedelta(hours=1, minutes=1)
    assert accounts.password_reset_request(session=session, email="ann@example.com", now=later)


def test_password_change_ends_outstanding_reset_links(session, make_user):
    user = make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    token = _reset_token_from_outbox(session, "ann@example.com")
    accounts.password_change(session=session, user_id=user.id, current=PW, new="a brand new secret")
    with pytest.raises(AccountError, match="used or has expired"):
        accounts.password_reset_complete(
            session=session, token=token, new_password="another new secret"
        )


def test_used_reset_link_text_is_scrubbed(session, make_user):
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    token = _reset_token_from_outbox(session, "ann@example.com")
    accounts.password_reset_complete(
        session=session, token=token, new_password="a brand new secret"
    )
    session.commit()
    body = notifications.readable_body(session.exec(select(OutboxMessage.body)).one())
    assert token not in body


@both_databases
def test_prune_removes_only_what_has_expired(session, make_user):
    user = make_user("ann@example.com")
    live = accounts.session_create(session=session, user=user)
    accounts.session_create(session=session, user=user, now=utcnow() - timedelta(days=60))
    accounts.password_reset_request(
        session=session, email="ann@example.com", now=utcnow() - timedelta(hours=3)
    )
    session.commit()
    with pytest.raises(AccountError):
        accounts.user_authenticate(
            session=session,
            email="ann@example.com",
            password="nope nope",
            now=utcnow() - timedelta(hours=2),
        )
    session.commit()
    counts = accounts.prune_expired(session=session)
    session.commit()
    assert counts == {"sessions": 1, "reset_tokens": 1, "throttle_rows": 1}
    assert accounts.session_user(session=session, token=live) is not None
    assert "token=" not in notifications.readable_body(
        session.exec(select(OutboxMessage.body)).one()
    )
