"""Sharing: the access decision for every kind of viewer, creating and revoking shares, the
share landing page, the "shared with me" inbox, and playback tokens re-checked per request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import select

from prepple.models import (
    Answer,
    Comment,
    Notification,
    OutboxMessage,
    Question,
    Recording,
    Share,
    ShareItem,
    utcnow,
)
from prepple.services import accounts, notifications, planner, recordings, sharing, signing
from prepple.services.recordings import RecordingError
from prepple.services.sharing import VISITOR, ShareError, Target, Viewer
from prepple.services.validation import InvalidInput
from prepple.settings import get_settings, reset_settings_cache

T0 = utcnow()


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Argon2 at a token cost: these tests make many accounts and never log in."""
    fast = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", lambda: fast)


@pytest.fixture
def qids(session):
    return session.exec(select(Question.id).order_by(Question.id)).all()[:4]


def done_recording(session, user, qid, *, text="I led the migration.", duration=60.0, **kw):
    rec = Recording(
        user_id=user.id,
        question_id=qid,
        status="done",
        media_key=f"u{user.id}/q{qid}.webm",
        mime="video/webm",
        has_video=True,
        duration_seconds=duration,
        transcript_json=json.dumps({"text": text, "words": []}),
        report_json="{}",
        **kw,
    )
    session.add(rec)
    session.commit()
    return rec


def planned(session, user, qid, text="Our launch slipped and I split the work.") -> Answer:
    """A planned answer, inserted directly (``plan_save`` runs the whole feedback engine)."""
    row = Answer(
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections_json=json.dumps({"situation": text}),
        words=len(text.split()),
    )
    session.add(row)
    session.commit()
    return row


def plan_saved(session, user, qid, text: str) -> Answer:
    """A planned answer saved through the planner, as the app does."""
    planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections={"situation": text},
    )
    session.commit()
    return session.exec(
        select(Answer).where(Answer.user_id == user.id, Answer.question_id == qid)
    ).one()


def viewer(session, user) -> Viewer:
    return sharing.viewer_of(session, user.id) if user is not None else VISITOR


def create(session, owner, targets, **kw):
    shares, queued = sharing.share_create(session=session, owner_id=owner.id, targets=targets, **kw)
    session.commit()
    return shares, queued


# --- the authorization matrix ---------------------------------------------------------------------


@dataclass
class World:
    owner: object
    invitee: object
    member: object
    foreign: object
    target: Target
    invite: Share
    link: Share
    other: Share  # the owner's link to a different answer
    foreign_share: Share  # another owner's link

    def who(self, name: str):
        return None if name == "visitor" else getattr(self, name)

    def key(self, how: str) -> str:
        real = {
            "invite": self.invite,
            "link": self.link,
            "other": self.other,
            "foreign": self.foreign_share,
        }
        if how in real:
            return sharing.share_key(real[how])
        mac_of_invite = sharing.share_key(self.invite).split("-", 1)[1]
        return {
            "none": "",
            "forged": "1-AAAA",
            "abc": "abc",
            "long": "1-" + "A" * 10_000,
            "swapped": f"{self.link.id}-{mac_of_invite}",  # a real MAC under another id
            "superscript": "\u00b2-AAAA",  # str.isdigit() is true, int() is not
            "nonascii": f"{self.link.id}-\u00e9\u00e9\u00e9",
        }[how]


@pytest.fixture(params=["recording", "answer"])
def world(request, session, make_user, qids) -> World:
    owner = make_user("owner@example.com", name="Olive Owner")
    invitee = make_user("ivy@example.com", name="Ivy")
    member = make_user("mel@example.com", name="Mel")
    foreign = make_user("fox@example.com", name="Fox")
    rec = done_recording(session, owner, qids[0])
    ans = planned(session, owner, qids[1])
    target, other_target = (
        (Target.of_row(rec), Target.of_row(ans))
        if request.param == "recording"
        else (Target.of_row(ans), Target.of_row(rec))
    )
    (invite,), _ = create(session, owner, [target], emails=[invitee.email], expires_days=7, now=T0)
    (link,), _ = create(session, owner, [target], link=True, expires_days=7, now=T0)
    (other,), _ = create(session, owner, [other_target], link=True, now=T0)
    foreign_rec = done_recording(session, foreign, qids[0])
    (foreign_share,), _ = create(session, foreign, [Target.of_row(foreign_rec)], link=True)
    return World(owner, invitee, member, foreign, target, invite, link, other, foreign_share)


def _apply(session, world: World, scenario: str) -> None:
    def set_to(value):
        assert (
            sharing.visibility_set(
                session=session,
                user_id=world.owner.id,
                target=world.target,
                visibility=value,
                confirmed=True,
            )
            is None
        )

    if scenario == "revoked":
        for share in (world.invite, world.link):
            sharing.share_revoke(session=session, owner_id=world.owner.id, share_id=share.id)
    elif scenario == "private":
        set_to("private")
    elif scenario == "restored":
        set_to("private")
        set_to("shared")
    elif scenario == "public":
        set_to("public")
    session.commit()


# (scenario, who, how, expected): expected is the grant ("owner", "invite", "link" for a
# signed-in link holder, "link-ro" for a visitor holding the link, "community") or a status.
MATRIX = [
    ("live", "owner", "none", "owner"),
    ("live", "owner", "link", "owner"),
    ("live", "owner", "forged", "owner"),
    ("live", "invitee", "none", "invite"),
    ("live", "invitee", "invite", "invite"),
    ("live", "invitee", "link", "link"),
    ("live", "visitor", "invite", 401),
    ("live", "member", "invite", 403),
    ("live", "foreign", "invite", 403),
    ("live", "member", "link", "link"),
    ("live", "visitor", "link", "link-ro"),
    ("live", "member", "none", 404),
    ("live", "visitor", "none", 404),
    ("live", "member", "other", 404),
    ("live", "member", "foreign", 404),
    ("live", "foreign", "foreign", 404),
    ("live", "visitor", "foreign", 404),
    ("live", "member", "forged", 404),
    ("live", "member", "abc", 404),
    ("live", "visitor", "abc", 404),
    ("live", "member", "long", 404),
    ("live", "member", "swapped", 404),
    ("live", "member", "superscript", 404),
    ("live", "member", "nonascii", 404),
    ("revoked", "owner", "none", "owner"),
    ("revoked", "owner", "link", "owner"),
    ("revoked", "invitee", "none", 404),
    ("revoked", "invitee", "invite", 410),
    ("revoked", "member", "link", 410),
    ("revoked", "visitor", "link", 410),
    ("revoked", "visitor", "invite", 410),
    ("revoked", "member", "forged", 404),
    ("expired", "owner", "none", "owner"),
    ("expired", "invitee", "none", 404),
    ("expired", "invitee", "invite", 410),
    ("expired", "member", "link", 410),
    ("expired", "visitor", "link", 410),
    ("expired", "member", "swapped", 404),
    ("private", "owner", "none", "owner"),
    ("private", "owner", "link", "owner"),
    ("private", "invitee", "none", 404),
    ("private", "invitee", "invite", 410),
    ("private", "member", "link", 410),
    ("private", "visitor", "link", 410),
    ("private", "member", "none", 404),
    ("private", "visitor", "none", 404),
    ("private", "member", "forged", 404),
    ("private", "member", "long", 404),
    # A valid key that never named this answer must not reveal that it exists (as 410 would).
    ("private", "member", "other", 404),
    ("private", "member", "foreign", 404),
    ("private", "foreign", "foreign", 404),
    ("restored", "invitee", "none", "invite"),
    ("restored", "invitee", "invite", "invite"),
    ("restored", "member", "link", "link"),
    ("restored", "visitor", "link", "link-ro"),
    ("restored", "member", "none", 404),
    ("restored", "visitor", "none", 404),
    ("public", "owner", "none", "owner"),
    ("public", "member", "none", "community"),
    ("public", "foreign", "none", "community"),
    ("public", "visitor", "none", 401),
    ("public", "invitee", "none", "invite"),
    ("public", "member", "link", "link"),
    ("public", "visitor", "link", "link-ro"),
    ("public", "member", "invite", "community"),  # a link not meant for them hides nothing
    ("public", "visitor", "invite", 401),
    ("public", "member", "forged", 404),
    ("public", "member", "foreign", "community"),
]

GRANTS = {
    "owner": ("owner", True),
    "invite": ("invite", True),
    "link": ("link", True),
    "link-ro": ("link", False),
    "community": ("community", True),
}


@pytest.mark.parametrize(
    ("scenario", "who", "how", "expected"),
    [pytest.param(*case, id="-".join(map(str, case))) for case in MATRIX],
)
def test_access_matrix(session, world, scenario, who, how, expected):
    _apply(session, world, scenario)
    now = T0 + (timedelta(days=8) if scenario == "expired" else timedelta(days=1))
    kwargs = dict(
        session=session,
        viewer=viewer(session, world.who(who)),
        target=world.target,
        key=world.key(how),
        now=now,
    )
    if isinstance(expected, int):
        with pytest.raises(ShareError) as err:
            sharing.access(**kwargs)
        assert err.value.status == expected
        assert err.value.needs_login is (expected == 401)
        assert err.value.message
        return
    grant = sharing.access(**kwargs)
    assert (grant.via, grant.may_comment) == GRANTS[expected]
    assert grant.owner_id == world.owner.id
    assert grant.is_owner is (expected == "owner")
    expected_share = {
        "invite": world.invite.id,
        "link": world.link.id,
        "link-ro": world.link.id,
    }.get(expected)
    assert grant.share_id == expected_share
    assert grant.include_plan is (expected != "community")


def test_expiry_takes_effect_at_the_exact_moment(session, world):
    member = viewer(session, world.member)
    key = sharing.share_key(world.link)
    deadline = world.link.expires_at
    assert deadline == T0 + timedelta(days=7)
    kw = dict(session=session, viewer=member, target=world.target, key=key)
    assert sharing.access(**kw, now=deadline - timedelta(seconds=1)).via == "link"
    with pytest.raises(ShareError) as err:
        sharing.access(**kw, now=deadline)
    assert err.value.status == 410


def test_restoring_visibility_does_not_revive_a_revoked_share(session, world):
    owner = world.owner
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=world.link.id)
    for value in ("private", "shared"):
        sharing.visibility_set(
            session=session, user_id=owner.id, target=world.target, visibility=value
        )
    session.commit()
    kw = dict(session=session, target=world.target, now=T0)
    with pytest.raises(ShareError) as err:
        sharing.access(**kw, viewer=VISITOR, key=sharing.share_key(world.link))
    assert err.value.status == 410
    invitee = viewer(session, world.invitee)
    assert sharing.access(**kw, viewer=invitee).via == "invite"


def test_a_share_naming_someone_elses_answer_grants_nothing(session, world):
    """Defence in depth: even a share row that names another owner's answer (which
    share_create never makes) opens nothing; the share's owner must own the target."""
    session.add(ShareItem(share_id=world.foreign_share.id, position=1, **world.target.columns()))
    session.commit()
    key = sharing.share_key(world.foreign_share)
    for scenario in ("live", "private"):
        _apply(session, world, scenario)
        with pytest.raises(ShareError) as err:
            sharing.access(session=session, viewer=VISITOR, target=world.target, key=key)
        assert err.value.status == 404


def test_a_link_without_the_plan_says_so(session, make_user, qids):
    owner = make_user("o@example.com")
    rec = done_recording(session, owner, qids[0])
    (share,), _ = create(session, owner, [Target.of_row(rec)], link=True, include_plan=False)
    grant = sharing.access(
        session=session, viewer=VISITOR, target=Target.of_row(rec), key=sharing.share_key(share)
    )
    assert grant.include_plan is False
    assert grant.may_comment is False


def test_missing_and_unfinished_targets_are_404_even_for_the_owner(session, make_user, qids):
    owner = make_user("o@example.com")
    uploading = Recording(user_id=owner.id, question_id=qids[0], status="uploading")
    session.add(uploading)
    session.commit()
    me = viewer(session, owner)
    for target in (
        Target("recording", uploading.id),
        Target("recording", 999_999),
        Target("answer", 999_999),
    ):
        with pytest.raises(ShareError) as err:
            sharing.access(session=session, viewer=me, target=target)
        assert err.value.status == 404


def test_viewer_of_treats_unknown_and_inactive_accounts_as_visitors(session, make_user):
    user = make_user("x@example.com")
    assert sharing.viewer_of(session, user.id) == Viewer(user.id, "x@example.com")
    assert sharing.viewer_of(session, None) == VISITOR
    assert sharing.viewer_of(session, 0) == VISITOR
    assert sharing.viewer_of(session, 999_999) == VISITOR
    user.is_active = False
    session.add(user)
    session.commit()
    assert sharing.viewer_of(session, user.id) == VISITOR


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("r12", Target("recording", 12)),
        ("a5", Target("answer", 5)),
        ("r2147483647", Target("recording", 2**31 - 1)),
    ],
)
def test_target_parse_accepts_short_refs(ref, expected):
    assert Target.parse(ref) == expected
    assert Target.parse(ref).ref == ref
    assert Target.parse(expected) is expected


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "r",
        "r0",
        "x12",
        "12",
        "r-1",
        "r1.5",
        "r\u00b2",
        "a\u0661",
        "r2147483648",
        "r" + "9" * 20,
        None,
        12,
        ["r1"],
    ],
)
def test_target_parse_refuses_anything_else_as_404(ref):
    with pytest.raises(ShareError) as err:
        Target.parse(ref)
    assert err.value.status == 404


def test_target_keys_and_columns():
    rec, ans = Target("recording", 3), Target("answer", 4)
    assert (rec.key, rec.ref, rec.columns()) == (
        "recording:3",
        "r3",
        {"recording_id": 3, "answer_id": None},
    )
    assert (ans.key, ans.ref, ans.columns()) == (
        "answer:4",
        "a4",
        {"recording_id": None, "answer_id": 4},
    )


# --- share_create ---------------------------------------------------------------------------------


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com", name="Olive Owner")


@pytest.fixture
def rec(session, owner, qids):
    return done_recording(session, owner, qids[0])


def test_share_create_makes_an_invite_per_address_and_a_link(session, owner, rec):
    target = Target.of_row(rec)
    assert rec.visibility == "private"
    shares, queued = create(
        session,
        owner,
        [target],
        emails="Ann@Example.com; bob@example.com\nann@example.com",
        link=True,
        message="Be honest <b>please</b>",
    )
    assert [s.invitee_email for s in shares] == ["ann@example.com", "bob@example.com", ""]
    assert queued == []  # no SMTP: the messages stay in the outbox
    assert all(s.message == "Be honest <b>please</b>" and s.expires_at is None for s in shares)
    assert all(s.owner_id == owner.id for s in shares)
    question = session.get(Question, rec.question_id)
    assert shares[0].title == question.text[:120]
    session.refresh(rec)
    assert rec.visibility == "shared"
    for share in shares:
        items = session.exec(select(ShareItem).where(ShareItem.share_id == share.id)).all()
        assert [(i.recording_id, i.answer_id) for i in items] == [(rec.id, None)]
    # the keys differ, are derived (not stored) and resolve back to their share
    keys = {sharing.share_key(s) for s in shares}
    assert len(keys) == 3
    for share in shares:
        assert sharing.share_by_key(session, sharing.share_key(share)).id == share.id


def test_link_keys_are_derived_from_the_secret_key(session, owner, rec, monkeypatch):
    (share,), _ = create(session, owner, [Target.of_row(rec)], link=True)
    key = sharing.share_key(share)
    assert key.startswith(f"{share.id}-") and len(key) == len(f"{share.id}-") + 24
    assert sharing.access(session=session, viewer=VISITOR, target=Target.of_row(rec), key=key)
    monkeypatch.setenv("PREPPLE_SECRET_KEY", "another-secret-key-" + "x" * 40)
    reset_settings_cache()
    with pytest.raises(ShareError) as err:
        sharing.access(session=session, viewer=VISITOR, target=Target.of_row(rec), key=key)
    assert err.value.status == 404
    assert sharing.share_key(share) != key


def test_an_invite_lands_in_the_outbox_with_the_link(session, owner, rec):
    (share,), _ = create(session, owner, [Target.of_row(rec)], emails=["new@example.com"])
    msg = session.exec(
        select(OutboxMessage).where(OutboxMessage.to_email == "new@example.com")
    ).one()
    link = sharing.share_link(share)
    assert link == f"{get_settings().base_url.rstrip('/')}/s/{sharing.share_key(share)}"
    assert link in notifications.readable_body(msg) and link not in msg.body
    assert msg.kind == "share_invite"
    assert msg.user_id is None
    assert "Olive Owner" in msg.subject
    assert "Create a free account" in notifications.readable_body(msg)
    # nobody with that address has an account: no bell notification
    assert session.exec(select(Notification).where(Notification.kind == "share")).all() == []


def test_an_invitee_with_an_account_also_gets_a_notification(session, owner, rec, make_user):
    ivy = make_user("ivy@example.com")
    (share,), _ = create(session, owner, [Target.of_row(rec)], emails=["IVY@example.com"])
    note = session.exec(select(Notification).where(Notification.user_id == ivy.id)).one()
    assert note.kind == "share"
    assert note.link == f"/s/{sharing.share_key(share)}"
    assert "Olive Owner" in note.title
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == ivy.email)).one()
    assert msg.user_id == ivy.id
    assert "Log in with this e-mail address" in notifications.readable_body(msg)
    # the owner is not notified about their own share
    assert session.exec(select(Notification).where(Notification.user_id == owner.id)).all() == []


def test_with_smtp_the_invites_are_queued_for_delivery(session, owner, rec, monkeypatch):
    monkeypatch.setenv("PREPPLE_SMTP_HOST", "smtp.invalid")
    reset_settings_cache()
    _, queued = create(
        session, owner, [Target.of_row(rec)], emails=["a@example.com", "b@example.com"], link=True
    )
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "share_invite")).all()
    assert sorted(queued) == sorted(m.id for m in rows)
    assert len(queued) == 2


def test_share_create_refuses_someone_elses_answer_with_404(session, owner, rec, make_user, qids):
    other = make_user("other@example.com")
    theirs = done_recording(session, other, qids[0])
    for targets in ([Target.of_row(theirs)], [Target.of_row(rec), Target.of_row(theirs)]):
        with pytest.raises(ShareError) as err:
            create(session, owner, targets, link=True)
        assert err.value.status == 404
    session.refresh(theirs)
    assert theirs.visibility == "private"
    assert session.exec(select(Share)).all() == []


@pytest.mark.parametrize("status", ["queued", "transcribing", "failed"])
def test_share_create_refuses_an_unfinished_recording_with_409(session, owner, qids, status):
    rec = done_recording(session, owner, qids[0])
    rec.status = status
    session.add(rec)
    session.commit()
    with pytest.raises(ShareError) as err:
        create(session, owner, [Target.of_row(rec)], link=True)
    assert err.value.status == 409


@pytest.mark.parametrize(
    "emails",
    [
        ["not-an-email"],
        ["a@b"],
        ["ann@example.com", "two words@example.com"],
        [123],
        [None],
        ["a\u202e@example.com"],
        42,
        {"ann@example.com": 1},
    ],
)
def test_share_create_refuses_bad_addresses(session, owner, rec, emails):
    with pytest.raises(ShareError) as err:
        create(session, owner, [Target.of_row(rec)], emails=emails)
    assert err.value.status == 400
    assert session.exec(select(Share)).all() == []


def test_share_create_limits_invites_and_set_size(session, owner, rec):
    target = Target.of_row(rec)
    many = [f"p{i}@example.com" for i in range(sharing.MAX_INVITES + 1)]
    with pytest.raises(ShareError, match="at most"):
        create(session, owner, [target], emails=many)
    shares, _ = create(session, owner, [target], emails=many[: sharing.MAX_INVITES])
    assert len(shares) == sharing.MAX_INVITES
    with pytest.raises(ShareError, match="at most"):
        create(session, owner, [target] * (sharing.MAX_SET + 1), link=True)
    with pytest.raises(ShareError):
        create(session, owner, [], link=True)


@pytest.mark.parametrize("emails", [["owner@example.com"], ["OWNER@example.com", "x@example.com"]])
def test_share_create_refuses_the_owners_own_address(session, owner, rec, emails):
    with pytest.raises(ShareError, match="own address"):
        create(session, owner, [Target.of_row(rec)], emails=emails)


def test_share_create_needs_an_address_or_a_link(session, owner, rec):
    with pytest.raises(ShareError, match="e-mail address, or make a link"):
        create(session, owner, [Target.of_row(rec)], emails=" , ; ")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (None, None),
        ("", None),
        ("never", None),
        (0, None),
        ("0", None),
        (1, timedelta(days=1)),
        ("30", timedelta(days=30)),
        (sharing.MAX_EXPIRY_DAYS, timedelta(days=sharing.MAX_EXPIRY_DAYS)),
        (sharing.MAX_EXPIRY_DAYS + 1, "error"),
        (-1, "error"),
        ("abc", "error"),
        ("1.5", "error"),
        (float("inf"), "error"),
        (10**30, "error"),
        ([7], "error"),
    ],
)
def test_share_create_expiry_bounds(session, owner, rec, days, expected):
    if expected == "error":
        with pytest.raises(ShareError):
            create(session, owner, [Target.of_row(rec)], link=True, expires_days=days, now=T0)
        return
    (share,), _ = create(session, owner, [Target.of_row(rec)], link=True, expires_days=days, now=T0)
    assert share.expires_at == (None if expected is None else T0 + expected)


def test_share_create_refuses_a_hostile_message(session, owner, rec):
    for message in ("x" * 1001, 5):
        with pytest.raises(InvalidInput):
            create(session, owner, [Target.of_row(rec)], link=True, message=message)
    # Control and bidi characters are removed where text enters (validation.scrub).
    (share,), _ = create(session, owner, [Target.of_row(rec)], link=True, message="bad\x00\u202eb")
    assert share.message == "badb"


def test_a_public_target_stays_public_when_shared(session, owner, rec, qids):
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec), visibility="public"
    )
    ans = planned(session, owner, qids[1])
    shares, _ = create(session, owner, [Target.of_row(rec), Target.of_row(ans)], link=True)
    session.refresh(rec)
    session.refresh(ans)
    assert (rec.visibility, ans.visibility) == ("public", "shared")
    assert shares[0].title.startswith("2 answers, starting with: ")
    assert len(shares[0].title) <= 120


# --- revoke, list -------------------------------------------------------------------------------


def test_only_the_owner_may_revoke(session, owner, rec, make_user):
    other = make_user("other@example.com")
    (share,), _ = create(session, owner, [Target.of_row(rec)], link=True)
    for who, share_id in (
        (other.id, share.id),
        (owner.id, 999_999),
        (owner.id, str(share.id)),
        (owner.id, None),
    ):
        with pytest.raises(ShareError) as err:
            sharing.share_revoke(session=session, owner_id=who, share_id=share_id)
        assert err.value.status == 404
    session.refresh(share)
    assert share.revoked_at is None
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=share.id, now=T0)
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=share.id)  # idempotent
    session.commit()
    session.refresh(share)
    assert share.revoked_at == T0


def test_shares_of_lists_every_share_with_its_status(session, owner, rec, make_user, qids):
    target = Target.of_row(rec)
    ans = planned(session, owner, qids[1])
    (active,), _ = create(
        session, owner, [target, Target.of_row(ans)], emails=["a@example.com"], now=T0
    )
    (revoked,), _ = create(session, owner, [target], link=True, now=T0)
    (expired,), _ = create(session, owner, [target], link=True, expires_days=1, now=T0)
    (elsewhere,), _ = create(session, owner, [Target.of_row(ans)], link=True, now=T0)
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=revoked.id)
    session.commit()
    views = sharing.shares_of(
        session=session, owner_id=owner.id, target=target, now=T0 + timedelta(days=2)
    )
    assert [(v.id, v.kind, v.status) for v in views] == [
        (expired.id, "link", "expired"),
        (revoked.id, "link", "revoked"),
        (active.id, "invite", "active"),
    ]
    assert views[2].invitee == "a@example.com"
    assert views[2].count == 2
    assert views[0].expires == f"{T0 + timedelta(days=1):%Y-%m-%d}"
    assert views[1].expires == ""
    assert all(v.link == f"/s/{sharing.share_key(session.get(Share, v.id))}" for v in views)
    assert elsewhere.id not in [v.id for v in views]
    stranger = make_user("s@example.com")
    with pytest.raises(ShareError) as err:
        sharing.shares_of(session=session, owner_id=stranger.id, target=target)
    assert err.value.status == 404


# --- opening a share, the inbox -------------------------------------------------------------------


def test_share_open_counts_views_for_others_and_lists_only_visible_refs(
    session, owner, rec, make_user, qids
):
    ans = plan_saved(session, owner, qids[1], "Our launch slipped and I split the work.")
    (share,), _ = create(
        session, owner, [Target.of_row(rec), Target.of_row(ans)], link=True, message="Thanks!"
    )
    key = sharing.share_key(share)
    member = viewer(session, make_user("m@example.com"))

    opened = sharing.share_open(session=session, viewer=member, key=key)
    assert opened.refs == [f"r{rec.id}", f"a{ans.id}"]
    assert opened.questions == [session.get(Question, q).text for q in (qids[0], qids[1])]
    assert (opened.owner_name, opened.message, opened.share_id) == (
        "Olive Owner",
        "Thanks!",
        share.id,
    )
    sharing.share_open(session=session, viewer=VISITOR, key=key)
    sharing.share_open(session=session, viewer=viewer(session, owner), key=key)  # not counted
    session.commit()
    session.refresh(share)
    assert share.views == 2

    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(ans), visibility="private"
    )
    session.commit()
    assert sharing.share_open(session=session, viewer=member, key=key).refs == [f"r{rec.id}"]
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec), visibility="private"
    )
    session.commit()
    with pytest.raises(ShareError) as err:
        sharing.share_open(session=session, viewer=member, key=key)
    assert err.value.status == 410
    session.refresh(share)
    assert share.views == 3  # a refused open is not a view


@pytest.mark.parametrize("key", ["", "abc", "1-AAAA", "9" * 11 + "-x", None, 5, "x" * 10_000])
def test_share_open_refuses_a_bad_key(session, key):
    with pytest.raises(ShareError) as err:
        sharing.share_open(session=session, viewer=VISITOR, key=key)
    assert err.value.status == 404


def test_share_open_of_an_invite_needs_the_invitee(session, owner, rec, make_user):
    ivy = make_user("ivy@example.com")
    (share,), _ = create(session, owner, [Target.of_row(rec)], emails=[ivy.email])
    key = sharing.share_key(share)
    with pytest.raises(ShareError) as err:
        sharing.share_open(session=session, viewer=VISITOR, key=key)
    assert (err.value.status, err.value.needs_login) == (401, True)
    with pytest.raises(ShareError) as err:
        sharing.share_open(
            session=session, viewer=viewer(session, make_user("m@example.com")), key=key
        )
    assert err.value.status == 403
    assert sharing.share_open(session=session, viewer=viewer(session, ivy), key=key).refs == [
        f"r{rec.id}"
    ]


def test_shared_with_me_lists_live_invites_only(session, owner, rec, make_user, qids):
    ivy = make_user("ivy@example.com")
    other_owner = make_user("other@example.com", name="Otto")
    ans = planned(session, owner, qids[1])
    rec2 = done_recording(session, owner, qids[2])
    theirs = done_recording(session, other_owner, qids[0])
    (live,), _ = create(session, owner, [Target.of_row(rec)], emails=[ivy.email], now=T0)
    (revoked,), _ = create(session, owner, [Target.of_row(ans)], emails=[ivy.email], now=T0)
    (expiring,), _ = create(
        session, owner, [Target.of_row(ans)], emails=[ivy.email], expires_days=1, now=T0
    )
    (hidden,), _ = create(session, owner, [Target.of_row(rec2)], emails=[ivy.email], now=T0)
    (from_otto,), _ = create(
        session, other_owner, [Target.of_row(theirs)], emails=[ivy.email], now=T0
    )
    create(session, owner, [Target.of_row(rec)], link=True)  # links are not invites
    create(session, owner, [Target.of_row(rec)], emails=["someone@example.com"])
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=revoked.id)
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec2), visibility="private"
    )
    session.commit()

    inbox = sharing.shared_with_me(session=session, user_id=ivy.id, now=T0 + timedelta(hours=1))
    assert [i.share_id for i in inbox] == [from_otto.id, expiring.id, live.id]
    later = sharing.shared_with_me(session=session, user_id=ivy.id, now=T0 + timedelta(days=2))
    assert [i.share_id for i in later] == [from_otto.id, live.id]
    assert hidden.id not in [i.share_id for i in later]
    item = later[1]
    assert (item.owner_name, item.count, item.reviewed) == ("Olive Owner", 1, False)
    assert item.link == f"/s/{sharing.share_key(live)}"

    session.add(Comment(recording_id=rec.id, author_id=ivy.id, body="Nice pace."))
    session.commit()
    reviewed = {
        i.share_id: i.reviewed for i in sharing.shared_with_me(session=session, user_id=ivy.id)
    }
    assert reviewed == {from_otto.id: False, live.id: True, expiring.id: False}
    assert sharing.shared_with_me(session=session, user_id=owner.id) == []
    assert sharing.shared_with_me(session=session, user_id=999_999) == []


def test_an_invite_to_a_future_account_works_once_it_signs_up(session, owner, rec, make_user):
    (share,), _ = create(session, owner, [Target.of_row(rec)], emails=["later@example.com"])
    later = make_user("later@example.com")
    me = viewer(session, later)
    target = Target.of_row(rec)
    # Addresses aren't verified: the address alone opens nothing until its link is used.
    with pytest.raises(ShareError) as err:
        sharing.access(session=session, viewer=me, target=target)
    assert err.value.status == 404
    assert sharing.shared_with_me(session=session, user_id=later.id) == []
    key = sharing.share_key(share)
    assert sharing.access(session=session, viewer=me, target=target, key=key).via == "invite"
    assert share.invitee_user_id == later.id
    assert sharing.access(session=session, viewer=me, target=target).via == "invite"
    assert [i.share_id for i in sharing.shared_with_me(session=session, user_id=later.id)] == [
        share.id
    ]


# --- visibility ---------------------------------------------------------------------------------


def test_visibility_set_validates(session, owner, rec, make_user, qids):
    target = Target.of_row(rec)
    for bad in ("everyone", "", None, "PUBLIC", ["public"]):
        with pytest.raises(ShareError):
            sharing.visibility_set(session=session, user_id=owner.id, target=target, visibility=bad)
    other = make_user("other@example.com")
    with pytest.raises(ShareError) as err:
        sharing.visibility_set(
            session=session, user_id=other.id, target=target, visibility="public"
        )
    assert err.value.status == 404
    rec.status = "scoring"
    session.add(rec)
    session.commit()
    for value in ("shared", "public"):
        with pytest.raises(ShareError) as err:
            sharing.visibility_set(
                session=session, user_id=owner.id, target=target, visibility=value
            )
        assert err.value.status == 409
    assert (
        sharing.visibility_set(
            session=session, user_id=owner.id, target=target, visibility="private"
        )
        is None
    )
    ans = planned(session, owner, qids[1])
    assert (
        sharing.visibility_set(
            session=session, user_id=owner.id, target=Target.of_row(ans), visibility="public"
        )
        is None
    )
    session.commit()
    session.refresh(ans)
    assert ans.visibility == "public"


# --- playback tokens ------------------------------------------------------------------------------


@pytest.fixture
def shared_rec(session, owner, rec, make_user):
    ivy = make_user("ivy@example.com")
    (invite,), _ = create(session, owner, [Target.of_row(rec)], emails=[ivy.email])
    (link,), _ = create(session, owner, [Target.of_row(rec)], link=True)
    return rec, ivy, invite, link


def _media(session, token, rid):
    return recordings.media_for_token(session=session, token=token, recording_id=rid)


def test_the_owners_token_plays_privately_cached(session, owner, shared_rec, holder_for):
    rec, *_ = shared_rec
    where = _media(session, recordings.media_token(rec.id, holder_for(owner)), rec.id)
    assert where.owner is True
    assert where.mime == "video/webm"
    assert where.url is None  # local storage: the app serves the bytes
    assert where.path is not None and str(where.path).endswith(rec.media_key)
    assert (
        _media(session, recordings.media_token(rec.id, holder_for(owner)), str(rec.id)).owner
        is True
    )


def test_shared_tokens_play_but_not_as_owner(session, shared_rec, holder_for):
    rec, ivy, invite, link = shared_rec
    tokens = [
        recordings.media_token(rec.id, holder_for(ivy), sharing.share_key(invite)),
        recordings.media_token(rec.id, holder_for(ivy)),  # the invite, found by address
        recordings.media_token(rec.id, None, sharing.share_key(link)),  # a visitor with the link
    ]
    for token in tokens:
        where = _media(session, token, rec.id)
        assert where.owner is False
        assert str(where.path).endswith(rec.media_key)


def test_a_token_is_rechecked_after_revoke(session, owner, shared_rec, holder_for):
    rec, ivy, invite, link = shared_rec
    with_key = recordings.media_token(rec.id, holder_for(ivy), sharing.share_key(invite))
    by_address = recordings.media_token(rec.id, holder_for(ivy))
    visitor = recordings.media_token(rec.id, None, sharing.share_key(link))
    for share in (invite, link):
        sharing.share_revoke(session=session, owner_id=owner.id, share_id=share.id)
    session.commit()
    for token, status in ((with_key, 410), (by_address, 404), (visitor, 410)):
        with pytest.raises(RecordingError) as err:
            _media(session, token, rec.id)
        assert err.value.status == status
    assert _media(session, recordings.media_token(rec.id, holder_for(owner)), rec.id).owner is True


def test_a_token_is_rechecked_after_making_it_private(session, owner, shared_rec):
    rec, ivy, invite, link = shared_rec
    token = recordings.media_token(rec.id, None, sharing.share_key(link))
    assert _media(session, token, rec.id).owner is False
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec), visibility="private"
    )
    session.commit()
    with pytest.raises(RecordingError) as err:
        _media(session, token, rec.id)
    assert err.value.status == 410


def test_tokens_refused_for_strangers_other_recordings_and_forgeries(
    session, owner, shared_rec, make_user, qids, holder_for
):
    rec, ivy, invite, link = shared_rec
    stranger = make_user("s@example.com")
    other = done_recording(session, owner, qids[1])
    cases = [
        (recordings.media_token(rec.id, holder_for(stranger)), rec.id, 404),
        (
            recordings.media_token(rec.id, None, sharing.share_key(invite)),
            rec.id,
            403,
        ),  # 401 -> 403
        (
            recordings.media_token(rec.id, holder_for(stranger), sharing.share_key(invite)),
            rec.id,
            403,
        ),
        (
            recordings.media_token(rec.id, holder_for(owner)),
            other.id,
            403,
        ),  # another recording's token
        (recordings.media_token(other.id, None, sharing.share_key(link)), other.id, 404),
        (
            recordings.upload_token(rec, holder_for(owner)),
            rec.id,
            403,
        ),  # a token for another purpose
        (signing.sign("media", {"r": rec.id, "u": owner.id}, ttl_seconds=-10), rec.id, 403),
        ("garbage", rec.id, 403),
        (None, rec.id, 403),
        ("", rec.id, 403),
    ]
    for token, rid, status in cases:
        with pytest.raises(RecordingError) as err:
            _media(session, token, rid)
        assert err.value.status == status, (token, rid)


def test_a_recording_without_media_is_404(session, owner, qids, holder_for):
    rec = done_recording(session, owner, qids[0])
    rec.media_key = ""
    session.add(rec)
    session.commit()
    with pytest.raises(RecordingError) as err:
        _media(session, recordings.media_token(rec.id, holder_for(owner)), rec.id)
    assert err.value.status == 404


# --- review follow-ups: paused shares, moderation, limits, staff ----------------------------------


def test_sharing_a_private_answer_anew_does_not_revive_its_paused_links(session, owner, rec):
    target = Target.of_row(rec)
    (old_link,), _ = create(session, owner, [target], link=True)
    sharing.visibility_set(session=session, user_id=owner.id, target=target, visibility="private")
    session.commit()
    assert [
        v.status for v in sharing.shares_of(session=session, owner_id=owner.id, target=target)
    ] == ["paused"]
    (new_link,), _ = create(session, owner, [target], link=True)
    assert session.get(Share, old_link.id).revoked_at is not None
    with pytest.raises(ShareError) as err:
        sharing.access(
            session=session, viewer=VISITOR, target=target, key=sharing.share_key(old_link)
        )
    assert err.value.status == 410
    grant = sharing.access(
        session=session, viewer=VISITOR, target=target, key=sharing.share_key(new_link)
    )
    assert grant.via == "link"


def test_invitations_per_day_are_capped(session, owner, rec, monkeypatch):
    monkeypatch.setattr(sharing, "MAX_INVITES_PER_DAY", 3)
    target = Target.of_row(rec)
    create(session, owner, [target], emails=["a@example.com", "b@example.com"])
    with pytest.raises(ShareError) as err:
        create(session, owner, [target], emails=["c@example.com", "d@example.com"])
    assert "a day" in err.value.message
    create(session, owner, [target], emails=["c@example.com"])  # exactly at the cap
    create(session, owner, [target], link=True)  # links are not invitations


def test_the_invitation_e_mail_is_hidden_from_staff(session, owner, rec):
    from prepple.models import OutboxMessage
    from prepple.services import notifications

    (share,), _ = create(session, owner, [Target.of_row(rec)], emails=["x@example.com"])
    msg = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "x@example.com")).one()
    assert msg.sensitive and sharing.share_key(share) in notifications.readable_body(msg)
    assert sharing.share_key(share) not in notifications.staff_body(msg)


def test_moderators_open_only_what_is_reported_and_removal_sticks(session, owner, rec, make_user):
    from prepple.models import AbuseReport
    from prepple.services import reviews

    target = Target.of_row(rec)
    (link,), _ = create(session, owner, [target], link=True)
    holder = make_user("holder@example.com")
    mod = make_user("mod@example.com", roles=("moderator",))
    with pytest.raises(ShareError):
        sharing.access(session=session, viewer=viewer(session, mod), target=target)
    reviews.report_abuse(
        session=session,
        viewer=viewer(session, holder),
        kind="recording",
        target_id=rec.id,
        reason="spam",
        key=sharing.share_key(link),
    )
    session.commit()
    grant = sharing.access(session=session, viewer=viewer(session, mod), target=target)
    assert grant.via == "moderator" and not grant.may_comment
    report = session.exec(select(AbuseReport)).one()
    reviews.report_resolve(session=session, report_id=report.id, action="remove")
    session.commit()
    session.refresh(rec)
    assert rec.visibility == "private" and rec.moderated_at is not None
    assert session.get(Share, link.id).revoked_at is not None
    for value in ("shared", "public"):
        with pytest.raises(ShareError) as err:
            sharing.visibility_set(
                session=session, user_id=owner.id, target=target, visibility=value
            )
        assert err.value.status == 403
    with pytest.raises(ShareError):
        create(session, owner, [target], link=True)


def test_a_deactivated_owners_public_answers_leave_the_community(session, owner, rec, make_user):
    from prepple.services import community

    target = Target.of_row(rec)
    sharing.visibility_set(session=session, user_id=owner.id, target=target, visibility="public")
    session.commit()
    member = viewer(session, make_user("member@example.com"))
    assert sharing.access(session=session, viewer=member, target=target).via == "community"
    assert [
        a.ref
        for a in community.public_answers(
            session=session, viewer=member, question_id=rec.question_id
        )
    ] == [target.ref]
    owner.is_active = False
    session.add(owner)
    session.commit()
    with pytest.raises(ShareError):
        sharing.access(session=session, viewer=member, target=target)
    assert (
        community.public_answers(session=session, viewer=member, question_id=rec.question_id) == []
    )
