"""Photos and videos of the digital inspection: what an upload must be, and where it is kept.

One interface (`MediaStore`: put, get, delete by key), two adapters: the local filesystem under
`var/media/` (`MEDIA_STORE=local`, the default; `MEDIA_PATH`) and S3-compatible object storage
(`MEDIA_STORE=s3`, for deploy/; aiobotocore). Which one a service gets is its settings' choice
(`media_store`), never its code's (docs/decisions/0024-media-store.md).

`check_upload` is the rule every upload passes before it is stored: its size within the limit of
its kind and its type told by its CONTENT (a file's name and the client's content type count for
nothing): JPEG, PNG, HEIC/HEIF and WebP photos, MP4 and QuickTime (MOV) videos. A photo is decoded
and written again without its metadata — a tablet's photo carries the workshop's GPS position in
its EXIF — and a small JPEG thumbnail is made of it. HEIC is recognised but not decoded (Pillow
reads no HEIC): it is refused with a clear message rather than stored with its GPS tags.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic import Field, SecretStr

from events.settings import Settings

PHOTO_MAX_BYTES = 10 * 1024 * 1024
VIDEO_MAX_BYTES = 50 * 1024 * 1024
THUMBNAIL_SIDE = 320
# A decoded photo larger than this is a decompression bomb, not a photo of a brake disc.
MAX_PIXELS = 60_000_000

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
ACCEPTED = (*PHOTO_TYPES, *VIDEO_TYPES)


class MediaSettings(Settings):
    """Where media are kept and how large an upload may be."""

    media_store: Literal["local", "s3"] = "local"
    media_path: Path = Path("var/media")
    media_s3_endpoint: str | None = None  # None: AWS itself
    media_s3_bucket: str = "dealerflow-media"
    media_s3_region: str = "us-east-1"
    media_s3_access_key: SecretStr | None = Field(default=None, repr=False)
    media_s3_secret_key: SecretStr | None = Field(default=None, repr=False)
    media_max_photo_bytes: int = Field(default=PHOTO_MAX_BYTES, ge=1)
    media_max_video_bytes: int = Field(default=VIDEO_MAX_BYTES, ge=1)


# --- the rule an upload passes --------------------------------------------------------------


class UploadRefused(Exception):
    """An upload that is not stored: `code` and `status` for the HTTP answer."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class Limits:
    photo_bytes: int = PHOTO_MAX_BYTES
    video_bytes: int = VIDEO_MAX_BYTES

    @property
    def largest(self) -> int:
        return max(self.photo_bytes, self.video_bytes)

    @classmethod
    def of(cls, settings: MediaSettings) -> Limits:
        return cls(settings.media_max_photo_bytes, settings.media_max_video_bytes)


@dataclass(frozen=True)
class CheckedUpload:
    """What is stored: the content (a photo without its metadata), its type by content, and a
    JPEG thumbnail for photos."""

    kind: Literal["photo", "video"]
    content_type: str
    content: bytes
    thumbnail: bytes | None
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    """The content type told by the first bytes, or None for anything this store does not take."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"  # isom, mp41, mp42, avc1, iso2…, M4V: the MP4 family
    if data[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video/quicktime"  # an older QuickTime file without an ftyp box
    return None


def _photo(data: bytes, content_type: str) -> CheckedUpload:
    """The photo decoded and written again: pixels (turned upright) without EXIF, GPS, XMP or
    comments; and its thumbnail."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise UploadRefused("media_too_large", 413, f"a photo has at most {MAX_PIXELS} pixels")
            opened.load()
            upright = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UploadRefused("media_unreadable", 415, f"the photo cannot be read: {error}") from None
    # A new image of the pixels alone: nothing of the file's metadata can come along.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    palette = upright.getpalette() if upright.mode == "P" else None
    if palette:
        clean.putpalette(palette)
    out = io.BytesIO()
    if content_type == "image/jpeg":
        clean.convert("RGB").save(out, "JPEG", quality=90)
    elif content_type == "image/png":
        clean.save(out, "PNG")
    else:
        clean.save(out, "WEBP", quality=90)
    thumb = clean.convert("RGB")
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=80)
    return CheckedUpload("photo", content_type, out.getvalue(), small.getvalue(), clean.width, clean.height)


def check_upload(data: bytes, limits: Limits = Limits()) -> CheckedUpload:
    """`data` as it will be stored, or `UploadRefused`: empty, of a type not taken (415), larger
    than its kind allows (413), or a photo that does not decode (415)."""
    if not data:
        raise UploadRefused("media_empty", 422, "the upload is empty")
    content_type = sniff(data)
    if content_type == "image/heic":
        raise UploadRefused(
            "media_type_not_accepted", 415, "HEIC photos are not taken yet: set the camera to 'most compatible' (JPEG)"
        )
    if content_type is None:
        raise UploadRefused(
            "media_type_not_accepted", 415, "send a photo (JPEG, PNG, WebP) or a video (MP4, MOV), told by its content"
        )
    if content_type in VIDEO_TYPES:
        if len(data) > limits.video_bytes:
            raise UploadRefused("media_too_large", 413, f"a video is at most {limits.video_bytes} bytes")
        return CheckedUpload("video", content_type, data, None)
    if len(data) > limits.photo_bytes:
        raise UploadRefused("media_too_large", 413, f"a photo is at most {limits.photo_bytes} bytes")
    return _photo(data, content_type)


# --- where media are kept -------------------------------------------------------------------


class MediaStore(Protocol):
    """Bytes by key. `get` of a key never put (or deleted) raises `KeyError`; `delete` of one is
    no error (an erasure retried after a crash deletes what is left)."""

    async def put(self, key: str, content: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _safe(key: str) -> str:
    # Keys are made by the service (`<group>/<site>/<media id>`), never by a client; still, a
    # key that could climb out of the store's folder is refused by both adapters alike.
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"not a media key: {key!r}")
    return key


class LocalMediaStore:
    """Files under one folder (`var/media/` in development): written to a temporary name and
    renamed, so a reader never sees half a photo."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _safe(key)

    async def put(self, key: str, content: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(content)
            partial.replace(path)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise KeyError(key) from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def close(self) -> None:
        return None


class S3MediaStore:
    """Objects in one bucket of an S3-compatible store (MinIO, Ceph, OSS, COS, AWS). The client
    is made on first use and kept; `close` ends it."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str,
        access_key: str | None,
        secret_key: str | None,
    ) -> None:
        self.bucket = bucket
        self._options: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
        }
        self._client: Any = None
        self._context: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        async with self._lock:
            if self._client is None:
                from aiobotocore.session import get_session  # only a deployment with S3 needs it

                self._context = get_session().create_client("s3", **self._options)
                self._client = await self._context.__aenter__()
            return self._client

    async def put(self, key: str, content: bytes, content_type: str) -> None:
        s3 = await self._s3()
        await s3.put_object(Bucket=self.bucket, Key=_safe(key), Body=content, ContentType=content_type)

    async def get(self, key: str) -> bytes:
        s3 = await self._s3()
        try:
            answer = await s3.get_object(Bucket=self.bucket, Key=_safe(key))
        except s3.exceptions.NoSuchKey:
            raise KeyError(key) from None
        async with answer["Body"] as body:
            data: bytes = await body.read()
        return data

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=_safe(key))

    async def close(self) -> None:
        async with self._lock:
            if self._context is not None:
                await self._context.__aexit__(None, None, None)
                self._client = self._context = None


def media_store(settings: MediaSettings) -> MediaStore:
    """The adapter the settings choose."""
    if settings.media_store == "s3":
        return S3MediaStore(
            settings.media_s3_bucket,
            endpoint_url=settings.media_s3_endpoint,
            region=settings.media_s3_region,
            access_key=settings.media_s3_access_key.get_secret_value() if settings.media_s3_access_key else None,
            secret_key=settings.media_s3_secret_key.get_secret_value() if settings.media_s3_secret_key else None,
        )
    return LocalMediaStore(settings.media_path)
