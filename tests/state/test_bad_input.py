"""Every form, every field, hostile values: a clear message, and nothing changes.

Values go straight to the handlers (as a crafted websocket event would), so the browser's
`required`/`maxlength` checks don't help here."""

import pytest
from sqlmodel import select

from prepple.models import AuditEntry, OutboxMessage, User, UserRole, UserSession
from prepple.state.account import AccountState
from prepple.state.auth import AuthState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, login_token, new_tree

PW = "correct horse battery"
BAD_VALUES = {
    "empty": "",
    "spaces": "   ",
    "huge": "x" * 50_000,
    "script": "<script>alert(1)</script>",
    "nul": "abc\x00def",
    "rtl-override": "\u202eevil",
    "not-text": 12345,
    "none": None,
}

# form handler -> (good values, fields to spoil)
FORMS = {
    (AuthState, "register"): (
        {"display_name": "Ann", "email": "new@example.com", "password": PW, "password_confirm": PW},
        ["display_name", "email", "password"],
    ),
    (AuthState, "login"): ({"email": "me@example.com", "password": PW}, ["email", "password"]),
    (AuthState, "request_reset"): ({"email": "me@example.com"}, ["email"]),
    (AccountState, "change_password"): (
        {
            "current_password": PW,
            "new_password": "a new secret phrase",
            "new_password_confirm": "a new secret phrase",
        },
        ["current_password", "new_password"],
    ),
    (AccountState, "delete_account"): (
        {"delete_password": PW, "confirm": "DELETE"},
        ["delete_password", "confirm"],
    ),
}
NEW_PASSWORDS = {("register", "password"), ("change_password", "new_password")}
CASES = [
    (cls, name, field, label)
    for (cls, name), (_, fields) in FORMS.items()
    for field in fields
    for label in BAD_VALUES
    # Any characters make a valid new password; markup is only refused in names and e-mails.
    if not ((name, field) in NEW_PASSWORDS and label == "script")
    # A name loses control and bidi characters where text enters (validation.scrub);
    # test_a_name_is_cleaned_not_refused checks what is stored.
    and not ((name, field) == ("register", "display_name") and label in ("nul", "rtl-override"))
]


def _snapshot(session):
    session.expire_all()
    users = session.exec(select(User.id, User.email, User.display_name, User.password_hash))
    return (
        sorted(users.all()),
        len(session.exec(select(UserRole)).all()),
        len(session.exec(select(UserSession)).all()),
        len(session.exec(select(OutboxMessage)).all()),
        len(session.exec(select(AuditEntry)).all()),
    )


@pytest.mark.parametrize(
    "cls,name,field,label", CASES, ids=[f"{c.__name__}.{n}-{f}-{v}" for c, n, f, v in CASES]
)
def test_bad_value_gives_message_and_changes_nothing(session, make_user, cls, name, field, label):
    user = make_user("me@example.com")
    token = login_token(user)
    good, _ = FORMS[(cls, name)]
    form = dict(good, **{field: BAD_VALUES[label]})
    if field == "password" and "password_confirm" in form:
        form["password_confirm"] = form["password"]
    if field == "new_password":
        form["new_password_confirm"] = form["new_password"]
    # Log-in and sign-up start from a visitor; account forms from the signed-in user.
    root = new_tree("" if cls is AuthState else token)
    call(root, SessionState, "refresh_viewer")
    before = _snapshot(session)
    call(root, cls, name, form)
    state = get(root, cls)
    assert state.errors, f"no message for {field}={label!r}"
    message = next(iter(state.errors.values()))
    assert isinstance(message, str) and 5 < len(message) < 200
    assert "Traceback" not in message and "<script>" not in message
    assert _snapshot(session) == before


def test_a_name_is_cleaned_not_refused(session):
    root = new_tree("")
    call(root, SessionState, "refresh_viewer")
    form = {
        "display_name": "\u202eAnn\x00\u200b\u2066",
        "email": "clean@example.com",
        "password": PW,
        "password_confirm": PW,
    }
    call(root, AuthState, "register", form)
    assert not get(root, AuthState).errors
    session.expire_all()
    user = session.exec(select(User).where(User.email == "clean@example.com")).one()
    assert user.display_name == "Ann"
