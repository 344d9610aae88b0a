"""Sharing answers and recordings, and who may see them: ``access()`` decides every case.

A *target* is one planned answer or one practice recording. Its ``visibility`` says who besides
the owner may see it:

- ``private``: nobody. Shares made earlier are suspended (not deleted) until it is shared again.
- ``shared``: the people and links it was shared with (a live :class:`Share` naming it).
- ``public``: also every signed-in member of the community.

A share is an e-mail invite (only the account with that address may use it; the invitee may
sign up later) or a link (anyone holding it, visitors too, may look; commenting needs an
account). Shares can expire and be revoked; both take effect on the next request, because
every event handler and media request calls :func:`access` again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from prepple.models import Answer, Question, Recording, Share, ShareItem, User, utcnow
from prepple.services import notifications, validation
from prepple.services.errors import DomainError
from prepple.services.planner import script_of, sections_dict
from prepple.settings import get_settings

VISIBILITIES = ("private", "shared", "public")
KINDS = ("recording", "answer")
MAX_INVITES = 10
MAX_INVITES_PER_DAY = 50
MAX_SET = 20
MAX_EXPIRY_DAYS = 365


class ShareError(DomainError):
    """Refused or invalid sharing action; ``message`` is safe to show, ``status`` is HTTP-like."""

    def __init__(self, message: str, status: int = 400, *, needs_login: bool = False) -> None:
        super().__init__(message, status=status)
        self.needs_login = needs_login


NOT_SHARED = "This answer isn't shared with you (or it no longer exists)."


@dataclass(frozen=True)
class Target:
    """What is shared: ``kind`` is "recording" or "answer"."""

    kind: str
    id: int

    @property
    def key(self) -> str:
        """The stable text key ("recording:12") used by feedback rows."""
        return f"{self.kind}:{self.id}"

    @property
    def ref(self) -> str:
        """The short form used in URLs ("r12", "a5")."""
        return f"{self.kind[0]}{self.id}"

    def columns(self) -> dict[str, int | None]:
        """The foreign-key columns of a feedback row about this target."""
        return {
            "recording_id": self.id if self.kind == "recording" else None,
            "answer_id": self.id if self.kind == "answer" else None,
        }

    @classmethod
    def parse(cls, ref: object) -> Target:
        """``"r12"`` / ``"a5"`` (or a Target) -> Target; anything else is a 404."""
        if isinstance(ref, Target):
            return ref
        if (
            isinstance(ref, str)
            and 2 <= len(ref) <= 11
            and ref[0] in "ra"
            and ref[1:].isascii()
            and ref[1:].isdigit()
        ):
            number = int(ref[1:])
            if 0 < number < 2**31:
                return cls("recording" if ref[0] == "r" else "answer", number)
        raise ShareError(NOT_SHARED, 404)

    @classmethod
    def of_row(cls, row: Recording | Answer) -> Target:
        """The target a row stands for."""
        return cls("recording" if isinstance(row, Recording) else "answer", row.id)

    @classmethod
    def of_columns(cls, recording_id: int | None, answer_id: int | None) -> Target:
        """The target a feedback or share row points at."""
        if recording_id:
            return cls("recording", recording_id)
        return cls("answer", answer_id or 0)

    def column(self, model: type) -> Any:
        """The foreign-key column of ``model`` (a feedback or share table) for this kind."""
        return model.recording_id if self.kind == "recording" else model.answer_id


@dataclass(frozen=True)
class Viewer:
    """Who is looking: an account (``user_id``, ``email``) or a visitor (``user_id=None``)."""

    user_id: int | None = None
    email: str = ""
    moderator: bool = False


VISITOR = Viewer()


@dataclass(frozen=True)
class Access:
    """What a viewer may do with a target, and through which grant."""

    via: str  # owner | invite | link | community
    owner_id: int
    share_id: int | None = None
    include_plan: bool = True
    may_comment: bool = True

    @property
    def is_owner(self) -> bool:
        return self.via == "owner"


def viewer_of(session: Session, user_id: int | None) -> Viewer:
    """The viewer for a user id (visitors: ``None``)."""
    if not user_id:
        return VISITOR
    from prepple.models import UserRole

    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return VISITOR
    staff = session.exec(
        select(UserRole.role).where(
            UserRole.user_id == user.id, col(UserRole.role).in_(("moderator", "admin"))
        )
    ).first()
    return Viewer(user_id=user.id, email=user.email, moderator=staff is not None)


def target_row(session: Session, target: Target) -> Recording | Answer:
    """The row behind ``target`` (ShareError 404 when it doesn't exist)."""
    model = Recording if target.kind == "recording" else Answer
    row = session.get(model, target.id)
    if row is None or (isinstance(row, Recording) and row.status == "uploading"):
        raise ShareError(NOT_SHARED, 404)
    return row


def target_text(row: Recording | Answer) -> str:
    """The words of a target: the plan's script, or the recording's transcript."""
    import json

    if isinstance(row, Answer):
        return script_of(row.framework, sections_dict(row.sections_json))
    try:
        return str(json.loads(row.transcript_json or "{}").get("text", ""))
    except ValueError:
        return ""


def question_of(session: Session, row: Recording | Answer) -> Question | None:
    """The question a target answers."""
    return session.get(Question, row.question_id)


# --- link keys -----------------------------------------------------------------------------------


def _mac(share_id: int, nonce: str) -> str:
    key = hashlib.sha256(f"{get_settings().secret_key}|share-link".encode()).digest()
    digest = hmac.new(key, f"{share_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def share_key(share: Share) -> str:
    """The unguessable key in a share's link (``/s/<key>``): 144 bits of HMAC over the id and
    a random nonce. Derived, not stored, so a copy of the database alone opens nothing."""
    return f"{share.id}-{_mac(share.id, share.nonce)}"


def share_link(share: Share) -> str:
    """The absolute link to a share."""
    return f"{get_settings().base_url.rstrip('/')}/s/{share_key(share)}"


def share_by_key(session: Session, key: object) -> Share:
    """The share a link key names (ShareError 404 for a malformed or forged key)."""
    if not isinstance(key, str) or len(key) > 64 or "-" not in key or not key.isascii():
        raise ShareError("This link isn't valid. Check that it was copied whole.", 404)
    head, mac = key.split("-", 1)
    if not head.isdigit() or len(head) > 10:
        raise ShareError("This link isn't valid. Check that it was copied whole.", 404)
    share = session.get(Share, int(head))
    if share is None or not hmac.compare_digest(mac, _mac(share.id, share.nonce)):
        raise ShareError("This link isn't valid. Check that it was copied whole.", 404)
    return share


def _live(share: Share, now: datetime) -> None:
    if share.revoked_at is not None:
        raise ShareError("The owner stopped sharing this.", 410)
    if share.expires_at is not None and share.expires_at <= now:
        raise ShareError("This link has expired. Ask the owner for a new one.", 410)


def _contains(session: Session, share: Share, target: Target) -> bool:
    return (
        session.exec(
            select(ShareItem.id).where(
                ShareItem.share_id == share.id, target.column(ShareItem) == target.id
            )
        ).first()
        is not None
    )


# --- the one access decision --------------------------------------------------------------------


def access(
    *,
    session: Session,
    viewer: Viewer,
    target: Target,
    key: str = "",
    now: datetime | None = None,
) -> Access:
    """May ``viewer`` see ``target`` (optionally through the link ``key``)? Returns how, or
    raises ShareError: 404 for strangers (the target's existence is not revealed), 410 for a
    revoked or expired link, 401 (``needs_login``) for an invite opened while logged out, 403
    for an invitation meant for another account.

    A link that no longer works does not hide what the viewer may see anyway (an invitation
    of their own, the community). Moderators may open what has an open report, to judge it.
    Nothing of a deactivated account is shown to anyone else (but a moderator judging it)."""
    now = now or utcnow()
    try:
        row = target_row(session, target)
    except ShareError:
        if key:
            share_by_key(session, key)  # a forged key reads the same whether or not it exists
        raise
    if viewer.user_id and row.user_id == viewer.user_id:
        return Access(via="owner", owner_id=row.user_id)
    if key:
        share = share_by_key(session, key)
    owner = session.get(User, row.user_id)
    if owner is None or not owner.is_active:
        # A deactivated account's links, invitations and community answers show nothing;
        # moderators may still judge what was reported.
        if viewer.moderator and _reported(session, target):
            return Access("moderator", row.user_id, None, True, False)
        raise ShareError(NOT_SHARED, 404)
    try:
        if key:
            return _through_link(session, viewer, share, row, target, now)
        raise ShareError(NOT_SHARED, 404)
    except ShareError as refused:
        grant = _without_link(session, viewer, row, target, now) if viewer.user_id else None
        if grant is not None:
            return grant
        if not key and row.visibility == "public" and not viewer.user_id:
            raise ShareError(
                "Log in to see the community's answers.", 401, needs_login=True
            ) from None
        raise refused from None


def _through_link(
    session: Session,
    viewer: Viewer,
    share: Share,
    row: Recording | Answer,
    target: Target,
    now: datetime,
) -> Access:
    if share.owner_id != row.user_id or not _contains(session, share, target):
        raise ShareError(NOT_SHARED, 404)
    if row.visibility == "private":
        raise ShareError("The owner made this answer private again.", 410)
    _live(share, now)
    if not share.invitee_email:
        return Access("link", row.user_id, share.id, share.include_plan, bool(viewer.user_id))
    if not viewer.user_id:
        raise ShareError(
            "Log in (or sign up) with the address the invitation went to.", 401, needs_login=True
        )
    _bind(session, viewer, share)
    return Access("invite", row.user_id, share.id, share.include_plan, True)


def _bind(session: Session, viewer: Viewer, share: Share) -> None:
    """Give an invitation to the account that came through its link (ShareError 403 when it
    was meant for another address, or another account holds it already)."""
    if viewer.email != share.invitee_email:
        raise ShareError("This invitation was sent to another e-mail address.", 403)
    if share.invitee_user_id is None:
        # The first account with the address that opens the e-mailed link holds it from now
        # on (addresses aren't verified, so the address alone is not enough).
        share.invitee_user_id = viewer.user_id
        session.add(share)
        session.flush()
    elif share.invitee_user_id != viewer.user_id:
        raise ShareError("This invitation was already opened by another account.", 403)


def _without_link(
    session: Session, viewer: Viewer, row: Recording | Answer, target: Target, now: datetime
) -> Access | None:
    if row.visibility != "private":
        invite = _invite_for(session, viewer, target, now)
        if invite is not None:
            return Access("invite", row.user_id, invite.id, invite.include_plan, True)
        owner = session.get(User, row.user_id)
        if row.visibility == "public" and owner is not None and owner.is_active:
            return Access("community", row.user_id, None, False, True)
    if viewer.moderator and _reported(session, target):
        return Access("moderator", row.user_id, None, True, False)
    return None


def _reported(session: Session, target: Target) -> bool:
    from prepple.models import AbuseReport, Comment

    comment_ids = select(Comment.id).where(target.column(Comment) == target.id)
    return (
        session.exec(
            select(AbuseReport.id).where(
                AbuseReport.status == "open",
                ((AbuseReport.target_kind == target.kind) & (AbuseReport.target_id == target.id))
                | (
                    (AbuseReport.target_kind == "comment")
                    & col(AbuseReport.target_id).in_(comment_ids)
                ),
            )
        ).first()
        is not None
    )


def _invite_for(session: Session, viewer: Viewer, target: Target, now: datetime) -> Share | None:
    """A live invitation this account already holds (opened once through its link)."""
    rows = session.exec(
        select(Share)
        .join(ShareItem, col(ShareItem.share_id) == Share.id)
        .where(
            Share.invitee_user_id == viewer.user_id,
            Share.invitee_email == viewer.email,
            col(Share.revoked_at).is_(None),
            target.column(ShareItem) == target.id,
        )
    ).all()
    for share in rows:
        if share.expires_at is None or share.expires_at > now:
            return share
    return None


def require_owner(*, session: Session, user_id: int, target: Target) -> Recording | Answer:
    """The target's row if ``user_id`` owns it (ShareError 404 otherwise)."""
    row = target_row(session, target)
    if row.user_id != user_id:
        raise ShareError(NOT_SHARED, 404)
    return row


# --- owners: visibility and shares ----------------------------------------------------------------


def visibility_set(
    *, session: Session, user_id: int, target: Target, visibility: object, confirmed: bool = False
) -> str | None:
    """Change who may see a target. Making it public first checks that it is not a near-copy
    of someone else's public answer to the same question: then nothing changes and the warning
    is returned, until the owner confirms. Returns ``None`` when the change was made."""
    from prepple.services import community

    if visibility not in VISIBILITIES:
        raise ShareError("Choose private, shared or public.")
    row = require_owner(session=session, user_id=user_id, target=target)
    if visibility != "private":
        _shareable(row)
    if visibility == "public" and row.visibility != "public" and not confirmed:
        warning = community.near_copy_warning(session=session, row=row)
        if warning:
            return warning
    row.visibility = str(visibility)
    session.add(row)
    session.flush()
    return None


MODERATED = "A moderator removed this answer from sharing, so it stays private."


def _shareable(row: Recording | Answer) -> None:
    if row.moderated_at is not None:
        raise ShareError(MODERATED, 403)
    if isinstance(row, Recording) and row.status != "done":
        raise ShareError("Share this recording once its results are ready.", 409)


def shares_revoke_all(*, session: Session, target: Target, now: datetime | None = None) -> int:
    """Turn off every live share of a target (moderation, or sharing a private answer anew)."""
    ids = select(ShareItem.share_id).where(target.column(ShareItem) == target.id)
    shares = session.exec(
        select(Share).where(col(Share.id).in_(ids), col(Share.revoked_at).is_(None))
    ).all()
    for share in shares:
        share.revoked_at = now or utcnow()
        session.add(share)
    session.flush()
    return len(shares)


@dataclass
class ShareView:
    """A share as its owner sees it."""

    id: int
    kind: str  # invite | link
    invitee: str
    link: str
    count: int
    status: str  # active | paused (the answer is private) | revoked | expired
    expires: str
    created: str
    views: int


def _status(share: Share, now: datetime, *, paused: bool = False) -> str:
    if share.revoked_at is not None:
        return "revoked"
    if share.expires_at is not None and share.expires_at <= now:
        return "expired"
    return "paused" if paused else "active"


def share_create(
    *,
    session: Session,
    owner_id: int,
    targets: list[Target],
    emails: object = (),
    link: bool = False,
    expires_days: object = None,
    include_plan: bool = True,
    message: object = "",
    now: datetime | None = None,
) -> tuple[list[Share], list[int]]:
    """Share one target or a set: one invite per e-mail address and/or one link.

    Every target must be the owner's; a private one becomes "shared". Invitees get an e-mail
    (with the link) and, when they have an account, a bell notification. Returns the shares
    and the outbox ids to deliver after commit."""
    now = now or utcnow()
    if not targets:
        raise ShareError("Choose at least one answer to share.")
    if len(targets) > MAX_SET:
        raise ShareError(f"Share at most {MAX_SET} answers at a time.")
    owner = session.get(User, owner_id)
    if owner is None:
        raise ShareError(NOT_SHARED, 404)
    rows = [require_owner(session=session, user_id=owner_id, target=t) for t in targets]
    for row in rows:
        _shareable(row)
    addresses = _emails(emails)
    if not addresses and not link:
        raise ShareError("Add an e-mail address, or make a link.")
    if owner.email in addresses:
        raise ShareError("That's your own address: you can already see your answers.")
    expires_at = _expiry(expires_days, now)
    note = validation.clean_text(
        message, field="message", label="The message", max_len=1000, required=False, multiline=True
    )
    title = _title(session, rows)
    sent_today = session.exec(
        select(func.count()).where(
            Share.owner_id == owner_id,
            Share.invitee_email != "",
            Share.created_at > now - timedelta(days=1),
        )
    ).one()
    if sent_today + len(addresses) > MAX_INVITES_PER_DAY:
        raise ShareError(
            f"You can send up to {MAX_INVITES_PER_DAY} invitations a day; try again tomorrow."
        )
    for row, target in zip(rows, targets, strict=True):
        if row.visibility == "private":
            # Shares paused when it went private stay off: sharing anew starts fresh.
            shares_revoke_all(session=session, target=target, now=now)
            row.visibility = "shared"
            session.add(row)
    shares: list[Share] = []
    for email in addresses + ([""] if link else []):
        share = Share(
            owner_id=owner_id,
            title=title,
            invitee_email=email,
            message=note,
            include_plan=bool(include_plan),
            nonce=secrets.token_hex(16),
            expires_at=expires_at,
            created_at=now,
        )
        session.add(share)
        session.flush()
        for position, target in enumerate(targets):
            session.add(ShareItem(share_id=share.id, position=position, **target.columns()))
        shares.append(share)
    session.flush()
    queued = [_invite(session, owner, share, now) for share in shares if share.invitee_email]
    return shares, [m for m in queued if m]


def _emails(emails: object) -> list[str]:
    if isinstance(emails, str):
        emails = [e for e in emails.replace(";", ",").replace("\n", ",").split(",") if e.strip()]
    if not isinstance(emails, list | tuple):
        raise ShareError("E-mail addresses must be text.")
    if len(emails) > MAX_INVITES:
        raise ShareError(f"Invite at most {MAX_INVITES} people at a time.")
    out: list[str] = []
    for raw in emails:
        try:
            email = validation.clean_email(raw)
        except validation.InvalidInput as exc:
            raise ShareError(f"{str(raw)[:60]!r}: {exc.message}") from exc
        if email not in out:
            out.append(email)
    return out


def _expiry(days: object, now: datetime) -> datetime | None:
    if isinstance(days, bool):
        raise ShareError("Choose how many days the link works.")
    if days in (None, "", "never", 0, "0"):
        return None
    try:
        number = int(days)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise ShareError("Choose how many days the link works.") from exc
    if not 1 <= number <= MAX_EXPIRY_DAYS:
        raise ShareError(f"A link can work for 1 to {MAX_EXPIRY_DAYS} days.")
    return now + timedelta(days=number)


def _title(session: Session, rows: list[Recording | Answer]) -> str:
    question = question_of(session, rows[0])
    text = question.text if question else "An answer"
    if len(rows) > 1:
        text = f"{len(rows)} answers, starting with: {text}"
    return text[:120]


def _invite(session: Session, owner: User, share: Share, now: datetime) -> int | None:
    from prepple.models import Notification

    link = share_link(share)
    invitee = session.exec(select(User).where(User.email == share.invitee_email)).first()
    if invitee is not None:
        share.invitee_user_id = invitee.id  # the address's account holds it from the start
        session.add(share)
        session.add(
            Notification(
                user_id=invitee.id,
                kind="share",
                title=f"{owner.display_name} shared an answer with you",
                body=share.title,
                link=f"/s/{share_key(share)}",
                created_at=now,
            )
        )
    body = (
        f"{owner.display_name} shared an interview answer with you on Prepple and would like "
        f"your feedback:\n\n  {share.title}\n\n"
        + (f"Their note: {share.message}\n\n" if share.message else "")
        + f"Open it here: {link}\n\n"
        + (
            "Log in with this e-mail address to see it."
            if invitee
            else "Create a free account with this e-mail address to see it."
        )
    )
    msg = notifications.notify(
        session=session,
        to_email=share.invitee_email,
        user_id=invitee.id if invitee else None,
        kind="share_invite",
        subject=f"{owner.display_name} asked for your feedback on an answer",
        body=body,
        sensitive=True,  # it holds the link's key: staff never read it
    )
    return msg.id if msg.channel == "smtp" else None


# --- invitations opened while logged out ------------------------------------------------------

_KEY = r"([0-9]{1,10}-[A-Za-z0-9_=-]{1,60})"
_KEY_IN_PATH = re.compile(rf"^/(?:s/{_KEY}|view/[ar][0-9]{{1,10}}\?k={_KEY})$")


def key_in_path(path: object) -> str:
    """The share key inside a log-in page's ``next`` (``/s/<key>`` or ``/view/<ref>?k=<key>``),
    or "" when it names none."""
    if not isinstance(path, str) or len(path) > 200:
        return ""
    match = _KEY_IN_PATH.match(path)
    return (match.group(1) or match.group(2)) if match else ""


@dataclass(frozen=True)
class InvitePreview:
    """What the log-in page may say about an invitation whose link the visitor holds: who
    invited them and to which question (the share's title), nothing of the answer itself."""

    inviter: str
    title: str


def invitation_preview(
    *, session: Session, key: object, now: datetime | None = None
) -> InvitePreview | None:
    """Who invited the holder of ``key`` to what, when it is a live invitation to something
    still shared; ``None`` for links, forged keys, revoked or expired invitations."""
    now = now or utcnow()
    try:
        share = share_by_key(session, key)
        _live(share, now)
    except ShareError:
        return None
    if not share.invitee_email:
        return None
    items = session.exec(select(ShareItem).where(ShareItem.share_id == share.id)).all()
    rows = [row for item in items if (row := target_row_or_none(session, item)) is not None]
    if not rows:
        return None
    owner = session.get(User, share.owner_id)
    if owner is None or not owner.is_active:
        return None
    title = share.title  # cut at 120 characters when the share was made
    if len(items) == 1 and (question := question_of(session, rows[0])) is not None:
        title = question.text
    elif len(title) >= 120:
        title = title.rstrip() + "…"
    return InvitePreview(inviter=owner.display_name, title=title)


def invitation_bind(
    *, session: Session, user_id: int, key: object, now: datetime | None = None
) -> bool:
    """After an account signs up or logs in through an invitation's link (its key rode along
    in ``next``), give it the invitation, so it is in "Shared with me" at once. Binds only a
    live invitation sent to this account's address and not held by another account; returns
    whether this account now holds it. Never raises for a bad key."""
    now = now or utcnow()
    viewer = viewer_of(session, user_id)
    if not viewer.user_id:
        return False
    try:
        share = share_by_key(session, key)
        _live(share, now)
        if not share.invitee_email or share.owner_id == viewer.user_id:
            return False
        _bind(session, viewer, share)
    except ShareError:
        return False
    return True


def share_revoke(*, session: Session, owner_id: int, share_id: object, now: datetime | None = None):
    """Turn a share off at once (only its owner may)."""
    share = session.get(Share, share_id) if isinstance(share_id, int) else None
    if share is None or share.owner_id != owner_id:
        raise ShareError("That share doesn't exist.", 404)
    if share.revoked_at is None:
        share.revoked_at = now or utcnow()
        session.add(share)
        session.flush()


def shares_of(
    *, session: Session, owner_id: int, target: Target, now: datetime | None = None
) -> list[ShareView]:
    """Every share of a target, newest first, as its owner sees them."""
    now = now or utcnow()
    row = require_owner(session=session, user_id=owner_id, target=target)
    rows = session.exec(
        select(Share)
        .join(ShareItem, col(ShareItem.share_id) == Share.id)
        .where(Share.owner_id == owner_id, target.column(ShareItem) == target.id)
        .order_by(col(Share.id).desc())
    ).all()
    counts = dict(
        session.exec(
            select(ShareItem.share_id, func.count())
            .where(col(ShareItem.share_id).in_([s.id for s in rows] or [0]))
            .group_by(ShareItem.share_id)
        ).all()
    )
    return [
        ShareView(
            id=s.id,
            kind="invite" if s.invitee_email else "link",
            invitee=s.invitee_email,
            link=f"/s/{share_key(s)}",
            count=counts.get(s.id, 0),
            status=_status(s, now, paused=row.visibility == "private"),
            expires=f"{s.expires_at:%Y-%m-%d}" if s.expires_at else "",
            created=f"{s.created_at:%Y-%m-%d}",
            views=s.views,
        )
        for s in rows
    ]


@dataclass
class ShareContents:
    """What a share's landing page lists."""

    share_id: int
    title: str
    owner_name: str
    message: str
    refs: list[str]
    questions: list[str]


def share_open(
    *, session: Session, viewer: Viewer, key: object, now: datetime | None = None
) -> ShareContents:
    """Open a share's link: the targets the viewer may see through it (counts a view)."""
    share = share_by_key(session, key)
    items = session.exec(
        select(ShareItem).where(ShareItem.share_id == share.id).order_by(ShareItem.position)
    ).all()
    refs: list[str] = []
    questions: list[str] = []
    error: ShareError | None = None
    for item in items:
        target = Target.of_columns(item.recording_id, item.answer_id)
        try:
            access(session=session, viewer=viewer, target=target, key=str(key), now=now)
        except ShareError as exc:
            error = error or exc
            continue
        refs.append(target.ref)
        question = question_of(session, target_row(session, target))
        questions.append(question.text if question else "")
    if not refs:
        raise error or ShareError(NOT_SHARED, 404)
    if viewer.user_id != share.owner_id:
        session.exec(
            update(Share)
            .where(col(Share.id) == share.id)
            .values(views=Share.views + 1)
            .execution_options(synchronize_session=False)
        )
    owner = session.get(User, share.owner_id)
    return ShareContents(
        share_id=share.id,
        title=share.title,
        owner_name=owner.display_name if owner else "",
        message=share.message,
        refs=refs,
        questions=questions,
    )


@dataclass
class InboxItem:
    """One share in a feedback provider's "shared with me" inbox."""

    share_id: int
    title: str
    owner_name: str
    link: str
    created: str
    count: int
    reviewed: bool


def shared_with_me(
    *, session: Session, user_id: int, now: datetime | None = None
) -> list[InboxItem]:
    """Live invites to this user's address, newest first, with whether they have reviewed."""
    from prepple.models import Comment, Review

    now = now or utcnow()
    viewer = viewer_of(session, user_id)
    if not viewer.email:
        return []
    shares = session.exec(
        select(Share)
        .where(
            Share.invitee_user_id == user_id,
            Share.invitee_email == viewer.email,
            col(Share.revoked_at).is_(None),
        )
        .order_by(col(Share.id).desc())
        .limit(200)
    ).all()
    out = []
    for share in shares:
        if share.expires_at is not None and share.expires_at <= now:
            continue
        owner = session.get(User, share.owner_id)
        items = session.exec(select(ShareItem).where(ShareItem.share_id == share.id)).all()
        visible = [
            i for i in items if target_row_or_none(session, i) is not None
        ]  # deleted targets drop out
        if not visible:
            continue
        recs = [i.recording_id for i in visible if i.recording_id]
        answers = [i.answer_id for i in visible if i.answer_id]
        reviewed = bool(
            session.exec(
                select(Review.id).where(
                    Review.author_id == user_id,
                    col(Review.recording_id).in_(recs or [0])
                    | col(Review.answer_id).in_(answers or [0]),
                )
            ).first()
            or session.exec(
                select(Comment.id).where(
                    Comment.author_id == user_id,
                    col(Comment.recording_id).in_(recs or [0])
                    | col(Comment.answer_id).in_(answers or [0]),
                )
            ).first()
        )
        out.append(
            InboxItem(
                share_id=share.id,
                title=share.title,
                owner_name=owner.display_name if owner else "",
                link=f"/s/{share_key(share)}",
                created=f"{share.created_at:%Y-%m-%d}",
                count=len(visible),
                reviewed=reviewed,
            )
        )
    return out


def target_row_or_none(session: Session, item: ShareItem) -> Recording | Answer | None:
    """The live, non-private row behind a share item, if any."""
    row = (
        session.get(Recording, item.recording_id)
        if item.recording_id
        else session.get(Answer, item.answer_id)
    )
    return row if row is not None and row.visibility != "private" else None
