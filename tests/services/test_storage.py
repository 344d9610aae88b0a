"""The storage contract, run against a local folder and against a real S3 API over HTTP.

S3 is moto's ``ThreadedMotoServer`` on 127.0.0.1 (a free port, once per module), reached by a
boto3 client with dummy credentials passed as arguments (the process environment is left
alone). Each test uses its own bucket, so tests don't see each other's objects.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from prepple.services import storage as storage_mod
from prepple.services.storage import (
    InvalidKeyError,
    LocalStorage,
    S3Storage,
    Storage,
    StorageError,
    StorageNotFoundError,
    get_storage,
    iter_stream,
    reset_storage_cache,
    validate_key,
)
from prepple.settings import reset_settings_cache

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key-do-not-leak"
MB = 1024 * 1024


def make_client(endpoint: str, **config: object):
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, **config),
    )


@pytest.fixture(scope="module")
def s3_client(s3_endpoint):
    """One client for the module (building a boto3 client takes a noticeable moment)."""
    return make_client(s3_endpoint)


@pytest.fixture
def s3_storage(s3_client) -> S3Storage:
    store = S3Storage(f"test-{uuid.uuid4().hex[:12]}", s3_client)
    assert store.ensure_bucket() is True
    return store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    return request.getfixturevalue("s3_storage")


def staging(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / "staging" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_all(store: Storage, key: str) -> bytes:
    return b"".join(iter_stream(store.open_read(key), 7))


# --- the contract, on both backends ------------------------------------------------------------


def test_put_exists_size_read_round_trip(store, tmp_path):
    data = os.urandom(100_000)
    key = "recordings/12/3f2a-b_c.webm"
    assert not store.exists(key)
    src = staging(tmp_path, data)
    assert store.put_file(key, src, "video/webm") == len(data)
    assert not src.exists()  # the staging file was taken over
    assert store.exists(key)
    assert store.size(key) == len(data)
    assert read_all(store, key) == data
    with store.open_read(key) as stream:
        assert stream.read(10) == data[:10]


def test_put_keep_source_and_overwrite(store, tmp_path):
    key = "recordings/1/a.webm"
    src = staging(tmp_path, b"first version")
    assert store.put_file(key, src, "video/webm", keep_source=True) == 13
    assert src.read_bytes() == b"first version"
    store.put_file(key, staging(tmp_path, b"second"), "video/webm")
    assert read_all(store, key) == b"second"
    assert store.size(key) == 6


def test_download_to(store, tmp_path):
    data = os.urandom(50_000)
    store.put_file("recordings/2/x.webm", staging(tmp_path, data), "video/webm")
    dest = tmp_path / "work" / "x.webm"
    dest.parent.mkdir()
    assert store.download_to("recordings/2/x.webm", dest) == len(data)
    assert dest.read_bytes() == data
    assert os.listdir(dest.parent) == ["x.webm"]  # no temporary file left behind


def test_delete_is_idempotent(store, tmp_path):
    key = "recordings/3/gone.webm"
    store.put_file(key, staging(tmp_path, b"bye"), "video/webm")
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)
    store.delete("recordings/never/was.webm")


def test_missing_key_raises(store, tmp_path):
    key = "recordings/404/none.webm"
    assert not store.exists(key)
    with pytest.raises(StorageNotFoundError):
        store.open_read(key)
    with pytest.raises(StorageNotFoundError):
        store.size(key)
    with pytest.raises(StorageError):
        store.download_to(key, tmp_path / "out.webm")
    assert not (tmp_path / "out.webm").exists()


def test_missing_source_file_raises(store, tmp_path):
    with pytest.raises(StorageError, match="missing"):
        store.put_file("recordings/1/a.webm", tmp_path / "nope.webm", "video/webm")


HOSTILE_KEYS = [
    "",
    "../etc/passwd",
    "recordings/../../secret",
    "recordings/..",
    "/etc/passwd",
    "recordings\\12\\a.webm",
    "recordings//a.webm",
    "recordings/./a.webm",
    "recordings/a.webm/",
    "recordings/a b.webm",
    "recordings/ä.webm",
    "recordings/a.webm\x00",
    "recordings/%2e%2e/a",
    "x" * 513,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_refused(store, tmp_path, key):
    src = staging(tmp_path, b"data")
    calls = [
        lambda: store.put_file(key, src, "video/webm"),
        lambda: store.open_read(key),
        lambda: store.exists(key),
        lambda: store.size(key),
        lambda: store.delete(key),
        lambda: store.download_to(key, tmp_path / "out"),
        lambda: store.local_path(key),
        lambda: store.playback_url(key),
    ]
    for call in calls:
        with pytest.raises(InvalidKeyError):
            call()
    assert src.exists()


def test_valid_keys_accepted():
    for key in ["a", "recordings/12/3f2a.webm", "a-b_c.d/e.F9", "recordings/1/..a.webm"]:
        assert validate_key(key) == key


# --- local specifics ---------------------------------------------------------------------------


def test_local_paths_and_no_playback_url(tmp_path):
    store = LocalStorage(tmp_path / "store")
    store.put_file("recordings/5/v.webm", staging(tmp_path, b"abc"), "video/webm")
    path = store.local_path("recordings/5/v.webm")
    assert path == (tmp_path / "store" / "recordings" / "5" / "v.webm").resolve()
    assert path.read_bytes() == b"abc"
    assert store.playback_url("recordings/5/v.webm") is None


def test_local_cross_device_falls_back_to_atomic_copy(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path / "store")
    real_replace = os.replace
    seen = []

    def replace(src, dst):
        seen.append((Path(src).name, Path(dst).name))
        if len(seen) == 1:  # the direct rename of the staging file: another filesystem
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(storage_mod.os, "replace", replace)
    data = os.urandom(3 * MB + 5)
    src = staging(tmp_path, data)
    assert store.put_file("recordings/6/v.webm", src, "video/webm") == len(data)
    assert not src.exists()
    assert seen[1][0].endswith(".part") and seen[1][1] == "v.webm"
    folder = tmp_path / "store" / "recordings" / "6"
    assert os.listdir(folder) == ["v.webm"]
    assert (folder / "v.webm").read_bytes() == data


def test_local_symlink_out_of_root_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.webm").write_bytes(b"secret")
    root = tmp_path / "store"
    (root / "recordings").mkdir(parents=True)
    (root / "recordings" / "link").symlink_to(outside)
    store = LocalStorage(root)
    with pytest.raises(InvalidKeyError):
        store.open_read("recordings/link/secret.webm")


# --- S3 specifics ------------------------------------------------------------------------------


def test_s3_multipart_upload(s3_storage, tmp_path):
    rng = random.Random(7)
    src = tmp_path / "big.webm"
    digest = hashlib.sha256()
    with open(src, "wb") as out:
        for i in range(20):
            # Random-ish: a random 64 KiB block repeated, plus runs of zeros (sparse-ish).
            chunk = (
                (rng.randbytes(64 * 1024) * 12) + bytes(MB - 12 * 64 * 1024) if i % 3 else bytes(MB)
            )
            digest.update(chunk)
            out.write(chunk)
    assert s3_storage.put_file("recordings/9/big.webm", src, "video/webm") == 20 * MB
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key="recordings/9/big.webm")
    assert head["ETag"].strip('"').endswith("-3")  # 8 + 8 + 4 MB parts
    assert head["ContentType"] == "video/webm"
    got = hashlib.sha256()
    with s3_storage.open_read("recordings/9/big.webm") as body:
        assert body.length == 20 * MB
        while chunk := body.read(MB):
            got.update(chunk)
    assert got.hexdigest() == digest.hexdigest()


def test_s3_presigned_url_and_range(s3_storage, tmp_path):
    data = bytes(range(256)) * 40
    key = "recordings/10/play.webm"
    s3_storage.put_file(key, staging(tmp_path, data), "video/webm")
    assert s3_storage.local_path(key) is None
    url = s3_storage.playback_url(key, expires=60)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "video/webm"
        assert resp.read() == data
    request = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=5) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert resp.read() == data[100:200]


def test_s3_ensure_bucket_is_idempotent(s3_storage):
    assert s3_storage.ensure_bucket() is False


def test_s3_errors_are_wrapped_without_secrets(tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}", retries={"max_attempts": 1}, connect_timeout=1)
    store = S3Storage("nowhere", client)
    for call in (
        store.ensure_bucket,
        lambda: store.put_file("recordings/1/a.webm", staging(tmp_path, b"x"), "video/webm"),
        lambda: store.size("recordings/1/a.webm"),
    ):
        with pytest.raises(StorageError) as info:
            call()
        message = str(info.value)
        assert "nowhere" in message
        assert SECRET_KEY not in message and ACCESS_KEY not in message


def test_s3_read_from_missing_bucket(s3_client):
    store = S3Storage(f"missing-{uuid.uuid4().hex[:8]}", s3_client)
    with pytest.raises(StorageNotFoundError, match="NoSuchBucket"):
        store.open_read("recordings/1/a.webm")


# --- choosing the backend from settings --------------------------------------------------------


@pytest.fixture
def fresh_settings(monkeypatch, tmp_path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PREPPLE_DATA_DIR", str(tmp_path / "data"))
    for name in ("STORAGE_DIR", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID"):
        monkeypatch.delenv(f"PREPPLE_{name}", raising=False)
    reset_settings_cache()
    reset_storage_cache()
    yield monkeypatch
    reset_settings_cache()
    reset_storage_cache()


def test_get_storage_local_by_default(fresh_settings, tmp_path):
    fresh_settings.setenv("PREPPLE_STORAGE_BACKEND", "local")
    store = get_storage()
    assert isinstance(store, LocalStorage)
    assert store.root == (tmp_path / "data" / "recordings").resolve()
    assert get_storage() is store
    fresh_settings.setenv("PREPPLE_STORAGE_DIR", str(tmp_path / "elsewhere"))
    reset_settings_cache()
    other = get_storage()
    assert other is not store and other.root == (tmp_path / "elsewhere").resolve()


def test_get_storage_s3_creates_bucket(fresh_settings, s3_endpoint, tmp_path):
    bucket = f"prepple-{uuid.uuid4().hex[:8]}"
    for name, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_PRESIGN_SECONDS": "120",
    }.items():
        fresh_settings.setenv(f"PREPPLE_{name}", value)
    reset_settings_cache()
    store = get_storage()
    assert isinstance(store, S3Storage) and store.bucket == bucket
    assert store.presign_seconds == 120
    assert get_storage() is store
    store.put_file("recordings/1/a.webm", staging(tmp_path, b"hello"), "video/webm")
    assert read_all(store, "recordings/1/a.webm") == b"hello"
    assert "X-Amz-Expires=120" in store.playback_url("recordings/1/a.webm")
    reset_storage_cache()
    assert get_storage() is not store


def test_get_storage_s3_needs_a_bucket(fresh_settings):
    fresh_settings.setenv("PREPPLE_STORAGE_BACKEND", "s3")
    reset_settings_cache()
    with pytest.raises(StorageError, match="PREPPLE_S3_BUCKET"):
        get_storage()
