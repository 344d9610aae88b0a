"""Where practice recordings live: a folder on this machine, or any S3-compatible bucket.

Plain Python (no Reflex). Callers deal in *keys*, relative names such as
``"recordings/12/3f2a9c.webm"``; :func:`validate_key` refuses anything that could escape the
storage root (``..``, absolute paths, backslashes, characters outside ``[A-Za-z0-9/_.-]``).

Two backends share one contract (:class:`Storage`):

- :class:`LocalStorage` keeps files under a root folder. ``put_file`` renames the staging file
  into place (``os.replace``) when it is on the same filesystem, otherwise copies it to a
  temporary file beside the target and renames that, so a reader never sees half a file.
  Playback goes through the app's own authorised route (with HTTP Range support), so
  :meth:`~Storage.playback_url` returns ``None`` and :meth:`~Storage.local_path` the file.
- :class:`S3Storage` uses boto3. Uploads and downloads stream from and to disk through
  s3transfer (multipart above 8 MB, 8 MB parts); playback is a presigned GET URL.

Every failure is raised as :class:`StorageError` (:class:`StorageNotFoundError` for a missing
key) with a message that names the operation, bucket and key but never a credential.
:func:`get_storage` returns the backend the settings choose, built once per settings values.
"""

from __future__ import annotations

import abc
import errno
import io
import mimetypes
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:  # boto3 is imported lazily: the local backend must not pay for it.
    from boto3.s3.transfer import TransferConfig

    from prepple.settings import Settings

#: Multipart uploads start above this size, in parts of this size.
MULTIPART_THRESHOLD = 8 * 1024 * 1024
MULTIPART_CHUNKSIZE = 8 * 1024 * 1024
#: Parts uploaded at once; each in-flight part is read lazily from disk, not buffered whole.
TRANSFER_CONCURRENCY = 4
#: Copy buffer for the local backend.
COPY_BUFFER = 1024 * 1024

MAX_KEY_LENGTH = 512
_KEY_RE = re.compile(r"[A-Za-z0-9/_.-]+")
_DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Some platforms' MIME tables lack the recorder's formats.
mimetypes.add_type("video/webm", ".webm")
mimetypes.add_type("audio/webm", ".weba")


class StorageError(Exception):
    """A storage operation failed; the message is safe to log (it never holds a secret)."""


class StorageNotFoundError(StorageError):
    """The key names no stored object."""


class InvalidKeyError(StorageError, ValueError):
    """The key is not a safe relative name (see :func:`validate_key`)."""


class ReadableStream(Protocol):
    """What :meth:`Storage.open_read` returns: a binary stream to read in chunks, then close.

    A local file object or botocore's ``StreamingBody``; both are context managers."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (all the rest when negative); ``b""`` at the end."""
        ...

    def close(self) -> None:
        """Release the file handle or HTTP connection."""
        ...

    def __enter__(self) -> ReadableStream:
        """Use in a ``with`` block; the stream is closed at its end."""
        ...

    def __exit__(self, *exc_info: object) -> Any:
        """Close the stream."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe relative storage key, else raise.

    A key is 1-512 characters of ``[A-Za-z0-9/_.-]``, does not start or end with ``/``, and
    has no empty, ``.`` or ``..`` segment. Raises :class:`InvalidKeyError` (a
    :class:`StorageError` and a ``ValueError``)."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError("storage key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKeyError(f"storage key is longer than {MAX_KEY_LENGTH} characters")
    if "\\" in key:
        raise InvalidKeyError("storage key must not contain a backslash")
    if not _KEY_RE.fullmatch(key):
        raise InvalidKeyError("storage key may only contain letters, digits and / _ . -")
    if key.startswith("/"):
        raise InvalidKeyError("storage key must be relative, not absolute")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKeyError("storage key must not have empty, '.' or '..' segments")
    return key


def guess_content_type(key: str) -> str:
    """The MIME type a key's extension suggests (``application/octet-stream`` if unknown)."""
    return mimetypes.guess_type(key, strict=False)[0] or _DEFAULT_CONTENT_TYPE


def iter_stream(stream: ReadableStream, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield ``stream`` in chunks of at most ``chunk_size`` bytes, closing it at the end."""
    try:
        while chunk := stream.read(chunk_size):
            yield chunk
    finally:
        stream.close()


def _temp_beside(target: Path) -> tuple[int, Path]:
    """A new temporary file in ``target``'s folder (so ``os.replace`` onto it is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    return fd, Path(name)


def _atomic_copy(src: Path, dest: Path) -> int:
    """Copy ``src`` to ``dest`` through a temporary file beside it; return the bytes copied."""
    fd, tmp = _temp_beside(dest)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, COPY_BUFFER)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size


class Storage(abc.ABC):
    """The contract both backends keep. Keys are validated by every method."""

    #: Short backend name ("local" or "s3").
    backend: str = ""

    @abc.abstractmethod
    def put_file(
        self,
        key: str,
        path: str | os.PathLike[str],
        content_type: str,
        *,
        keep_source: bool = False,
    ) -> int:
        """Store the file at ``path`` under ``key`` (replacing any object there) and return
        the number of bytes stored.

        The source is a staging file the storage takes over: it is gone afterwards unless
        ``keep_source`` is true. On failure it is left in place for the caller to clean up."""

    @abc.abstractmethod
    def open_read(self, key: str) -> ReadableStream:
        """Open the object for streaming reads; close it when done (or use ``with``).

        Raises :class:`StorageNotFoundError` if there is no such object."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """The object's size in bytes; :class:`StorageNotFoundError` if it is missing."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""

    @abc.abstractmethod
    def download_to(self, key: str, path: str | os.PathLike[str]) -> int:
        """Write the object to ``path`` (streaming, through a temporary file beside it, so a
        half-written file never appears) and return its size in bytes."""

    def local_path(self, key: str) -> Path | None:
        """The object's file on this machine (which may not exist yet), or ``None`` when the
        backend keeps no local files (S3)."""
        validate_key(key)
        return None

    def playback_url(
        self, key: str, *, expires: int | None = None, content_type: str | None = None
    ) -> str | None:
        """A URL the browser may fetch the object from directly (with Range requests), valid
        for ``expires`` seconds; ``None`` when the app must serve the bytes itself (local)."""
        validate_key(key)
        return None


class LocalStorage(Storage):
    """Objects as files under ``root`` (created on first write)."""

    backend = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        """Keep objects under ``root``."""
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage(root={str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        # Belt and braces: a symlink inside the root must not lead outside it.
        if self.root not in path.parents:
            raise InvalidKeyError("storage key resolves outside the storage root")
        return path

    def put_file(
        self,
        key: str,
        path: str | os.PathLike[str],
        content_type: str,
        *,
        keep_source: bool = False,
    ) -> int:
        """Move (or copy, with ``keep_source``) the file into place atomically.

        A rename when source and root share a filesystem; otherwise a copy to a temporary
        file beside the target, renamed over it. ``content_type`` is not stored: the local
        route derives it from the key's extension."""
        dest = self._path(key)
        src = Path(path)
        try:
            size = src.stat().st_size
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not keep_source:
                try:
                    os.replace(src, dest)
                    return size
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise
            size = _atomic_copy(src, dest)
            if not keep_source:
                src.unlink(missing_ok=True)
            return size
        except FileNotFoundError as exc:
            raise StorageError(
                f"cannot store {key!r}: source file {str(src)!r} is missing"
            ) from exc
        except OSError as exc:
            raise StorageError(f"cannot store {key!r} on local disk: {exc.strerror}") from exc

    def open_read(self, key: str) -> ReadableStream:
        """Open the file for reading (a seekable binary file object)."""
        path = self._path(key)
        try:
            return cast(ReadableStream, open(path, "rb"))  # noqa: SIM115 - the caller closes it
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise StorageNotFoundError(f"no stored object {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key!r} from local disk: {exc.strerror}") from exc

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        """The file's size in bytes."""
        path = self._path(key)
        try:
            if not path.is_file():
                raise FileNotFoundError(key)
            return path.stat().st_size
        except FileNotFoundError as exc:
            raise StorageNotFoundError(f"no stored object {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot stat {key!r} on local disk: {exc.strerror}") from exc

    def delete(self, key: str) -> None:
        """Remove the file if it exists."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r} from local disk: {exc.strerror}") from exc

    def download_to(self, key: str, path: str | os.PathLike[str]) -> int:
        """Copy the file to ``path`` atomically."""
        src = self._path(key)
        if not src.is_file():
            raise StorageNotFoundError(f"no stored object {key!r}")
        try:
            return _atomic_copy(src, Path(path))
        except FileNotFoundError as exc:
            raise StorageNotFoundError(f"no stored object {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot copy {key!r} from local disk: {exc.strerror}") from exc

    def local_path(self, key: str) -> Path:
        """The file that holds (or would hold) ``key``."""
        return self._path(key)


def default_transfer_config() -> TransferConfig:
    """s3transfer settings: multipart above 8 MB in 8 MB parts, a few parts at a time."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=MULTIPART_THRESHOLD,
        multipart_chunksize=MULTIPART_CHUNKSIZE,
        max_concurrency=TRANSFER_CONCURRENCY,
        use_threads=True,
    )


class S3Storage(Storage):
    """Objects in one S3 bucket, through a boto3 S3 client (thread-safe; shared)."""

    backend = "s3"

    def __init__(
        self,
        bucket: str,
        client: Any,
        *,
        presign_seconds: int = 3600,
        transfer_config: TransferConfig | None = None,
    ) -> None:
        """Use ``bucket`` through ``client`` (a ``boto3`` S3 client)."""
        if not bucket:
            raise StorageError("S3 storage needs a bucket name (PREPPLE_S3_BUCKET)")
        self.bucket = bucket
        self.client = client
        self.presign_seconds = presign_seconds
        self.transfer_config = transfer_config or default_transfer_config()

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r})"

    def _error(self, action: str, key: str | None, exc: BaseException) -> StorageError:
        """A :class:`StorageError` describing ``exc`` without credentials or signed URLs."""
        from botocore.exceptions import ClientError

        where = f"bucket {self.bucket!r}" + (f", key {key!r}" if key else "")
        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code = str(err.get("Code", "?"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = str(err.get("Message", "")).strip()
            detail = f"{code}" + (f" (HTTP {status})" if status else "")
            if message:
                detail += f": {message}"
            missing = _is_not_found(exc) and action not in ("upload", "bucket creation")
            cls = StorageNotFoundError if missing else StorageError
            return cls(f"S3 {action} failed ({where}): {detail}")
        # boto3 re-raises a failed upload's ClientError as S3UploadFailedError (as context).
        cause = exc.__cause__ or exc.__context__
        if type(exc).__name__ == "S3UploadFailedError" and isinstance(cause, ClientError):
            return self._error(action, key, cause)
        # botocore's own errors name the endpoint, never keys; drop any user:pass@ in a URL.
        text = re.sub(r"://[^/@\s]+@", "://", str(exc))
        return StorageError(f"S3 {action} failed ({where}): {type(exc).__name__}: {text}")

    def ensure_bucket(self) -> bool:
        """Create the bucket if it does not exist; return whether it was created."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except ClientError as exc:
            if not _is_not_found(exc):
                raise self._error("bucket check", None, exc) from exc
        except BotoCoreError as exc:
            raise self._error("bucket check", None, exc) from exc
        params: dict[str, Any] = {"Bucket": self.bucket}
        region = self.client.meta.region_name
        if region and region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "BucketAlreadyOwnedByYou":
                return False  # another process created it meanwhile
            raise self._error("bucket creation", None, exc) from exc
        except BotoCoreError as exc:
            raise self._error("bucket creation", None, exc) from exc
        return True

    def put_file(
        self,
        key: str,
        path: str | os.PathLike[str],
        content_type: str,
        *,
        keep_source: bool = False,
    ) -> int:
        """Upload with ``upload_file`` (streamed from disk; multipart above 8 MB)."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        src = Path(path)
        try:
            size = src.stat().st_size
        except OSError as exc:
            raise StorageError(
                f"cannot store {key!r}: source file {str(src)!r} is missing"
            ) from exc
        try:
            self.client.upload_file(
                str(src),
                self.bucket,
                key,
                ExtraArgs={"ContentType": content_type or guess_content_type(key)},
                Config=self.transfer_config,
            )
        except (ClientError, BotoCoreError, S3UploadFailedError) as exc:
            raise self._error("upload", key, exc) from exc
        except OSError as exc:
            raise StorageError(f"cannot upload {key!r}: {exc.strerror or exc}") from exc
        if not keep_source:
            src.unlink(missing_ok=True)
        return size

    def open_read(self, key: str) -> ReadableStream:
        """A readable stream over ``get_object``'s body (read it in chunks; ``with`` works)."""
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise self._error("read", key, exc) from exc
        stream = _S3Stream(response["Body"], int(response.get("ContentLength", -1)), key, self)
        return cast(ReadableStream, stream)

    def _head(self, key: str) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise self._error("head", key, exc) from exc

    def exists(self, key: str) -> bool:
        """Whether ``head_object`` finds the key."""
        try:
            self._head(key)
        except StorageNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        """``ContentLength`` from ``head_object``."""
        return int(self._head(key)["ContentLength"])

    def delete(self, key: str) -> None:
        """``delete_object`` (S3 treats a missing key as success)."""
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_not_found(exc):
                return
            raise self._error("delete", key, exc) from exc
        except BotoCoreError as exc:
            raise self._error("delete", key, exc) from exc

    def download_to(self, key: str, path: str | os.PathLike[str]) -> int:
        """``download_file`` to a temporary file beside ``path``, renamed into place."""
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        dest = Path(path)
        fd, tmp = _temp_beside(dest)
        os.close(fd)
        try:
            self.client.download_file(self.bucket, key, str(tmp), Config=self.transfer_config)
            size = tmp.stat().st_size
            os.replace(tmp, dest)
            return size
        except (ClientError, BotoCoreError) as exc:
            raise self._error("download", key, exc) from exc
        except OSError as exc:
            raise StorageError(f"cannot download {key!r}: {exc.strerror or exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)

    def playback_url(
        self, key: str, *, expires: int | None = None, content_type: str | None = None
    ) -> str:
        """A presigned GET URL, valid ``expires`` seconds (default ``s3_presign_seconds``),
        whose response carries ``content_type`` (default: guessed from the key's extension).

        Signing happens locally: no request is made and the object's existence is not
        checked."""
        from botocore.exceptions import BotoCoreError, ClientError

        validate_key(key)
        try:
            return self.client.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentType": content_type or guess_content_type(key),
                },
                ExpiresIn=int(expires if expires is not None else self.presign_seconds),
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error("presign", key, exc) from exc


class _S3Stream(io.RawIOBase):
    """botocore's ``StreamingBody`` as a plain binary file object.

    ``StreamingBody.__enter__`` hands out the raw urllib3 response, which skips the length
    check; this wrapper keeps the checked body in ``with`` blocks too, and turns network errors
    during the read into :class:`StorageError`."""

    def __init__(self, body: Any, length: int, key: str, storage: S3Storage) -> None:
        super().__init__()
        self._body = body
        self._key = key
        self._storage = storage
        #: The object's size in bytes (``-1`` if the server did not say).
        self.length = length

    def readable(self) -> bool:
        """Always true."""
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to ``size`` bytes (everything left when negative or ``None``)."""
        from botocore.exceptions import BotoCoreError
        from urllib3.exceptions import HTTPError

        if self.closed:
            raise ValueError("I/O operation on closed file")
        try:
            return self._body.read(None if size is None or size < 0 else size)
        except (BotoCoreError, HTTPError) as exc:
            raise self._storage._error("read", self._key, exc) from exc

    def readall(self) -> bytes:
        """Everything left."""
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with up to ``len(buffer)`` bytes; return how many were read."""
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Release the HTTP connection."""
        if not self.closed:
            self._body.close()
        super().close()


def _is_not_found(exc: Any) -> bool:
    """Whether a botocore ``ClientError`` means "no such bucket/key"."""
    code = str(exc.response.get("Error", {}).get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound") or status == 404


def make_s3_client(settings: Settings) -> Any:
    """A boto3 S3 client from the settings (endpoint, region, credentials if given).

    With a custom endpoint (MinIO, R2, moto...) requests use path-style addressing and send
    checksums only when required, since many S3-compatible servers reject the newer default
    checksum headers."""
    import boto3
    from botocore.config import Config

    custom = bool(settings.s3_endpoint_url)
    config = Config(
        region_name=settings.s3_region or None,
        signature_version="s3v4",
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        s3={"addressing_style": "path" if custom else "auto"},
        request_checksum_calculation="when_required" if custom else "when_supported",
        response_checksum_validation="when_required" if custom else "when_supported",
    )
    session = boto3.session.Session()  # the default session is not thread-safe to share
    return session.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=config,
    )


_cache: dict[tuple[Any, ...], Storage] = {}
_cache_lock = threading.Lock()


def _cache_key(settings: Settings) -> tuple[Any, ...]:
    if settings.storage_backend == "local":
        return ("local", str(settings.storage_dir))
    return (
        "s3",
        settings.s3_bucket,
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key_id,
        settings.s3_secret_access_key,
        settings.s3_presign_seconds,
    )


def get_storage(settings: Settings | None = None) -> Storage:
    """The storage the settings choose (``storage_backend``), built once per settings values.

    For S3 the bucket is created on first use if it is missing; a failure raises
    :class:`StorageError` and nothing is cached, so the next call tries again."""
    if settings is None:
        from prepple.settings import get_settings

        settings = get_settings()
    key = _cache_key(settings)
    with _cache_lock:
        storage = _cache.get(key)
        if storage is None:
            storage = _build(settings)
            _cache[key] = storage
        return storage


def _build(settings: Settings) -> Storage:
    if settings.storage_backend == "local":
        assert settings.storage_dir is not None  # filled in by the settings validator
        return LocalStorage(settings.storage_dir)
    if settings.storage_backend == "s3":
        if not settings.s3_bucket:
            raise StorageError("PREPPLE_STORAGE_BACKEND=s3 needs PREPPLE_S3_BUCKET")
        storage = S3Storage(
            settings.s3_bucket,
            make_s3_client(settings),
            presign_seconds=settings.s3_presign_seconds,
        )
        storage.ensure_bucket()
        return storage
    raise StorageError(f"unknown storage backend {settings.storage_backend!r}")


def reset_storage_cache() -> None:
    """Forget every built storage (tests switch settings between cases)."""
    with _cache_lock:
        _cache.clear()


__all__ = [
    "InvalidKeyError",
    "LocalStorage",
    "ReadableStream",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageNotFoundError",
    "default_transfer_config",
    "get_storage",
    "guess_content_type",
    "iter_stream",
    "make_s3_client",
    "reset_storage_cache",
    "validate_key",
]
