"""Arriving through an e-mailed link while logged out: what the log-in page may say about an
invitation, binding it to the account that came through the link, and reset links that are
checked when opened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import OutboxMessage, PasswordResetToken, Question, Recording, utcnow
from prepple.services import accounts, notifications, sharing
from prepple.services.sharing import Target


@pytest.fixture
def qid(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()


@pytest.fixture
def answer(session, make_user, qid):
    owner = make_user("olive@example.com", name="Olive Owner")
    rec = Recording(
        user_id=owner.id,
        question_id=qid,
        status="done",
        media_key="u/q.webm",
        mime="video/webm",
        transcript_json='{"text": "My private transcript about the outage."}',
        report_json="{}",
    )
    session.add(rec)
    session.commit()
    return owner, rec


def invite(session, owner, rec, email="ivy@example.com", **kw):
    (share,), _ = sharing.share_create(
        session=session, owner_id=owner.id, targets=[Target.of_row(rec)], emails=[email], **kw
    )
    session.commit()
    return share


@pytest.mark.parametrize(
    "path,expected",
    [
        ("/s/12-AbC_d-e", "12-AbC_d-e"),
        ("/view/r5?k=3-xyz", "3-xyz"),
        ("/view/a77?k=3-xyz", "3-xyz"),
        ("/view/r5", ""),
        ("/questions", ""),
        ("/s/12-abc/../x", ""),
        ("/s/12-abc?x=1", ""),
        ("/view/r5?k=3-xyz&next=//evil", ""),
        ("//evil.example/s/1-a", ""),
        (None, ""),
        ("/s/" + "1" * 300, ""),
    ],
)
def test_key_in_path(path, expected):
    assert sharing.key_in_path(path) == expected


def test_preview_says_who_invited_to_what_and_nothing_else(session, answer, qid):
    owner, rec = answer
    share = invite(session, owner, rec, message="Please look at my pacing")
    preview = sharing.invitation_preview(session=session, key=sharing.share_key(share))
    question = session.get(Question, qid)
    assert preview == sharing.InvitePreview(inviter="Olive Owner", title=question.text)
    shown = str(preview)
    assert "transcript" not in shown and "pacing" not in shown and "ivy@" not in shown


def test_no_preview_for_links_forgeries_or_dead_invitations(session, answer, make_user):
    owner, rec = answer
    link = sharing.share_create(
        session=session, owner_id=owner.id, targets=[Target.of_row(rec)], link=True
    )[0][0]
    session.commit()
    assert sharing.invitation_preview(session=session, key=sharing.share_key(link)) is None
    share = invite(session, owner, rec, expires_days=1)
    key = sharing.share_key(share)
    assert sharing.invitation_preview(session=session, key=key[:-2] + "xx") is None
    assert sharing.invitation_preview(session=session, key="nonsense") is None
    later = utcnow() + timedelta(days=2)
    assert sharing.invitation_preview(session=session, key=key, now=later) is None
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec), visibility="private"
    )
    session.commit()
    assert sharing.invitation_preview(session=session, key=key) is None
    sharing.visibility_set(
        session=session, user_id=owner.id, target=Target.of_row(rec), visibility="shared"
    )
    sharing.share_revoke(session=session, owner_id=owner.id, share_id=share.id)
    session.commit()
    assert sharing.invitation_preview(session=session, key=key) is None


def test_signing_up_through_the_link_binds_the_invitation(session, answer, make_user):
    owner, rec = answer
    share = invite(session, owner, rec, email="new@example.com")
    key = sharing.share_key(share)
    newcomer = make_user("new@example.com")
    assert sharing.shared_with_me(session=session, user_id=newcomer.id) == []
    assert sharing.invitation_bind(session=session, user_id=newcomer.id, key=key)
    session.commit()
    inbox = sharing.shared_with_me(session=session, user_id=newcomer.id)
    assert [i.share_id for i in inbox] == [share.id]
    viewer = sharing.viewer_of(session, newcomer.id)
    assert sharing.access(session=session, viewer=viewer, target=Target.of_row(rec)).via == (
        "invite"
    )
    assert sharing.invitation_bind(session=session, user_id=newcomer.id, key=key)  # idempotent


def test_binding_refuses_other_addresses_other_holders_and_dead_links(session, answer, make_user):
    owner, rec = answer
    share = invite(session, owner, rec, email="new@example.com", expires_days=1)
    key = sharing.share_key(share)
    stranger = make_user("stranger@example.com")
    assert not sharing.invitation_bind(session=session, user_id=stranger.id, key=key)
    assert share.invitee_user_id is None
    assert not sharing.invitation_bind(session=session, user_id=owner.id, key=key)
    assert not sharing.invitation_bind(session=session, user_id=stranger.id, key="1-forged")
    newcomer = make_user("new@example.com")
    later = utcnow() + timedelta(days=2)
    assert not sharing.invitation_bind(session=session, user_id=newcomer.id, key=key, now=later)
    assert share.invitee_user_id is None
    assert sharing.invitation_bind(session=session, user_id=newcomer.id, key=key)
    # Once held, another account with the same (unverified) address can't take it over.
    share.invitee_user_id = stranger.id
    session.add(share)
    session.commit()
    assert not sharing.invitation_bind(session=session, user_id=newcomer.id, key=key)


def _reset_token(session, email):
    accounts.password_reset_request(session=session, email=email)
    session.commit()
    msg = session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return notifications.readable_body(msg).split("token=")[1].split()[0]


def test_a_reset_link_is_checked_when_opened_without_spending_it(session, make_user):
    make_user("ann@example.com")
    token = _reset_token(session, "ann@example.com")
    assert accounts.password_reset_valid(session=session, token=token)
    assert accounts.password_reset_valid(session=session, token=token)  # nothing spent
    row = session.exec(select(PasswordResetToken)).one()
    assert not accounts.password_reset_valid(
        session=session, token=token, now=row.expires_at + timedelta(seconds=1)
    )
    for junk in ("", None, "x" * 500, "a" * 40, 42):
        assert not accounts.password_reset_valid(session=session, token=junk)
    accounts.password_reset_complete(session=session, token=token, new_password="a new passphrase")
    session.commit()
    assert not accounts.password_reset_valid(session=session, token=token)
    with pytest.raises(accounts.AccountError) as err:
        accounts.password_reset_complete(
            session=session, token=token, new_password="another passphrase"
        )
    assert err.value.message == accounts.RESET_LINK_DEAD


def test_preview_names_a_long_question_whole_and_marks_a_cut_set_title(session, answer, qid):
    owner, rec = answer
    question = session.get(Question, qid)
    question.text = "Tell me about a time you " + "worked with many different teams " * 6 + "?"
    session.add(question)
    session.commit()
    share = invite(session, owner, rec)
    preview = sharing.invitation_preview(session=session, key=sharing.share_key(share))
    assert preview.title == question.text and len(preview.title) > 120
    second = Recording(
        user_id=owner.id,
        question_id=qid,
        status="done",
        media_key="u/q2.webm",
        mime="video/webm",
        report_json="{}",
    )
    session.add(second)
    session.commit()
    (both,), _ = sharing.share_create(
        session=session,
        owner_id=owner.id,
        targets=[Target.of_row(rec), Target.of_row(second)],
        emails=["ivy@example.com"],
    )
    session.commit()
    preview = sharing.invitation_preview(session=session, key=sharing.share_key(both))
    assert preview.title.startswith("2 answers, starting with:") and preview.title.endswith("…")
