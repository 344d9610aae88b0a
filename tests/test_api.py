"""The upload and media routes over HTTP (Starlette's test client on the real routes)."""

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from prepple import api as api_module
from prepple import jobs
from prepple.models import Question, Recording, User
from prepple.services import recordings, storage
from tests.media_files import speech_webm


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "enqueue_recording", sent.append)
    return sent


@pytest.fixture
def client(session, queued):
    return TestClient(api_module.api)


@pytest.fixture(scope="module")
def webm_bytes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-media")
    return speech_webm("We shipped the release a week early.", folder, video=True).read_bytes()


@pytest.fixture
def upload(session, make_user, holder_for):
    user = make_user("ann@example.com")
    qid = session.exec(select(Question.id)).first()
    rec = recordings.recording_create(session=session, user_id=user.id, question_id=qid)
    session.commit()
    return rec, {"X-Upload-Token": recordings.upload_token(rec, holder_for(user))}


def _url(rec, tail=""):
    return f"/api/recordings/{rec.id}/upload{tail}"


def test_chunked_upload_resumes_after_a_lost_response(client, upload, webm_bytes, queued, session):
    rec, headers = upload
    half = len(webm_bytes) // 2
    assert client.put(
        _url(rec, "?offset=0"), content=webm_bytes[:half], headers=headers
    ).json() == {
        "ok": True,
        "received": half,
    }
    # The browser never saw that answer and sends the same chunk again: refused with the offset.
    again = client.put(_url(rec, "?offset=0"), content=webm_bytes[:half], headers=headers)
    assert again.status_code == 409 and again.json()["received"] == half
    assert client.get(_url(rec), headers=headers).json()["received"] == half
    rest = client.put(_url(rec, f"?offset={half}"), content=webm_bytes[half:], headers=headers)
    assert rest.json()["received"] == len(webm_bytes)
    done = client.post(_url(rec, f"/complete?total={len(webm_bytes)}"), headers=headers)
    assert done.status_code == 200 and done.json()["status"] == "queued"
    assert queued == [rec.id]
    session.expire_all()
    assert session.get(Recording, rec.id).status == "queued"


def test_routes_refuse_without_a_valid_token(client, upload):
    rec, headers = upload
    for method, url in (("get", _url(rec)), ("put", _url(rec, "?offset=0"))):
        for bad in (
            {},
            {"X-Upload-Token": "nonsense"},
            {"X-Upload-Token": headers["X-Upload-Token"] + "x"},
        ):
            res = getattr(client, method)(url, headers=bad)
            assert res.status_code == 403, (method, bad)
    other = f"/api/recordings/{rec.id + 1}/upload"
    assert client.get(other, headers=headers).status_code == 403


def test_wrong_media_is_stored_and_reported(client, upload, queued):
    rec, headers = upload
    body = b"just some text, not a video\n" * 40
    client.put(_url(rec, "?offset=0"), content=body, headers=headers)
    res = client.post(_url(rec, f"/complete?total={len(body)}"), headers=headers)
    data = res.json()
    assert res.status_code == 422 and data["stored"] is True and data["error"]
    assert queued == []


def test_oversized_chunks_and_bad_offsets_are_refused(client, upload):
    rec, headers = upload
    big = b"x" * (recordings.CHUNK_MAX + 1)
    assert client.put(_url(rec, "?offset=0"), content=big, headers=headers).status_code == 413
    assert client.put(_url(rec, "?offset=-1"), content=b"x", headers=headers).status_code == 400
    assert client.put(_url(rec, "?offset=abc"), content=b"x", headers=headers).status_code == 400
    assert client.post(_url(rec, "/complete?total=0"), headers=headers).status_code == 422
    bad_length = client.put(
        _url(rec, "?offset=0"), content=b"x", headers={**headers, "Content-Length": "1e3"}
    )
    assert bad_length.status_code == 400 and "Content-Length" in bad_length.json()["error"]


def test_a_take_under_a_second_is_refused_over_http_and_kept(client, upload, queued, tmp_path):
    """The recorder refuses a take stopped at 0:00; a crafted upload of one gets the same
    message from the server, and the file is kept (``stored``)."""
    from tests.media_files import silence_wav, wav_to_webm

    rec, headers = upload
    body = wav_to_webm(silence_wav(tmp_path / "s.wav", 0.3), tmp_path / "s.webm").read_bytes()
    client.put(_url(rec, "?offset=0"), content=body, headers=headers)
    res = client.post(_url(rec, f"/complete?total={len(body)}"), headers=headers)
    data = res.json()
    assert res.status_code == 422 and data["stored"] is True
    assert data["error"].startswith(recordings.TOO_SHORT)
    assert queued == []


def test_media_route_streams_with_ranges_for_the_owner_only(
    client, upload, webm_bytes, make_user, session, holder_for
):
    rec, headers = upload
    client.put(_url(rec, "?offset=0"), content=webm_bytes, headers=headers)
    client.post(_url(rec, f"/complete?total={len(webm_bytes)}"), headers=headers)
    token = recordings.media_token(rec.id, holder_for(session.get(User, rec.user_id)))
    session.expire_all()
    stored = storage.get_storage().local_path(session.get(Recording, rec.id).media_key)
    whole = client.get(f"/api/recordings/{rec.id}/media?token={token}")
    assert whole.status_code == 200 and whole.content == stored.read_bytes()
    assert whole.headers["content-type"].startswith("video/webm")
    part = client.get(
        f"/api/recordings/{rec.id}/media?token={token}", headers={"Range": "bytes=0-99"}
    )
    assert part.status_code == 206 and part.content == whole.content[:100]
    stranger = make_user("eve@example.com")
    forged = recordings.media_token(rec.id, holder_for(stranger))  # a valid one, for someone else
    assert client.get(f"/api/recordings/{rec.id}/media?token={forged}").status_code == 404
    upload_token = headers["X-Upload-Token"]
    assert client.get(f"/api/recordings/{rec.id}/media?token={upload_token}").status_code == 403


def test_a_repeated_complete_is_answered_not_refused(client, upload, webm_bytes, queued):
    """The browser never saw the first answer (a dropped connection) and asks again."""
    rec, headers = upload
    client.put(_url(rec, "?offset=0"), content=webm_bytes, headers=headers)
    first = client.post(_url(rec, f"/complete?total={len(webm_bytes)}"), headers=headers)
    again = client.post(_url(rec, f"/complete?total={len(webm_bytes)}"), headers=headers)
    assert first.json() == again.json() == {"ok": True, "id": rec.id, "status": "queued"}
    assert client.get(_url(rec), headers=headers).json()["status"] == "queued"
    # A late chunk can't recreate the staging file once the recording is stored.
    late = client.put(_url(rec, f"?offset={len(webm_bytes)}"), content=b"x", headers=headers)
    assert late.status_code == 409
    assert not recordings.staging_path(rec.id).exists()


def test_routes_refuse_links_of_an_ended_session(client, session, make_user):
    """Upload, media and calendar links stop the moment their log-in session ends."""
    from prepple.models import User
    from prepple.services import accounts
    from prepple.state.schedule import ics_token

    user = make_user("bea@example.com")
    token = accounts.session_create(session=session, user=session.get(User, user.id))
    session.commit()
    holder = accounts.session_lookup(session=session, token=token)[1]
    qid = session.exec(select(Question.id)).first()
    rec = recordings.recording_create(session=session, user_id=user.id, question_id=qid)
    session.commit()
    upload = {"X-Upload-Token": recordings.upload_token(rec, holder)}
    media = f"/api/recordings/{rec.id}/media?token={recordings.media_token(rec.id, holder)}"
    ics = f"/api/schedule.ics?token={ics_token(holder)}"
    assert client.get(_url(rec), headers=upload).status_code == 200
    assert client.get(ics).status_code == 200
    assert client.get(media).status_code == 404  # allowed, but nothing uploaded yet
    accounts.session_revoke(session=session, token=token)
    session.commit()
    assert client.get(_url(rec), headers=upload).status_code == 403
    assert client.put(_url(rec, "?offset=0"), content=b"x", headers=upload).status_code == 403
    assert client.post(_url(rec, "/complete?total=1"), headers=upload).status_code == 403
    assert client.get(media).status_code == 403
    assert client.get(ics).status_code == 403
