"""The media store's rule for uploads (size and type by content, no GPS kept, thumbnails) and its
two adapters: the local folder, and S3 — tested against moto's S3 server (`moto_server`), a
stand-in for MinIO/OSS/AWS that speaks the same HTTP API, started as a separate process."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from PIL import Image

from events.media import (
    CheckedUpload,
    Limits,
    LocalMediaStore,
    MediaSettings,
    MediaStore,
    S3MediaStore,
    UploadRefused,
    check_upload,
    media_store,
    sniff,
)
from events.testing.waiting import eventually

GPS_IFD = 0x8825


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A camera-like JPEG: EXIF with the make and a GPS position (Beijing), as a tablet writes it."""
    image = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TabletCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def mp4(size: int = 2048) -> bytes:
    return b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(size)


def test_the_fixture_photo_does_carry_gps() -> None:
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        assert image.getexif().get_ifd(GPS_IFD)  # otherwise the next test proves nothing


def test_a_photo_is_stored_without_its_location_or_camera_metadata() -> None:
    checked = check_upload(jpeg_with_gps())
    assert (checked.kind, checked.content_type) == ("photo", "image/jpeg")
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (640, 480)
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert len(stored.getexif()) == 0
    assert b"TabletCam" not in checked.content


def test_a_photo_gets_a_small_jpeg_thumbnail() -> None:
    checked = check_upload(jpeg_with_gps((2000, 1000)))
    assert checked.thumbnail is not None
    with Image.open(io.BytesIO(checked.thumbnail)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) <= 320
        assert thumbnail.size == (320, 160)


def test_the_type_is_told_by_the_content_not_the_name() -> None:
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    assert check_upload(png.getvalue()).content_type == "image/png"
    assert check_upload(mp4()) == CheckedUpload("video", "video/mp4", mp4(), None)
    assert sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00") == "video/quicktime"
    with pytest.raises(UploadRefused) as refused:
        check_upload(b"%PDF-1.7 not a photo at all")
    assert (refused.value.code, refused.value.status) == ("media_type_not_accepted", 415)


def test_a_file_that_starts_like_a_jpeg_but_is_not_one_is_refused() -> None:
    with pytest.raises(UploadRefused) as refused:
        check_upload(b"\xff\xd8\xff\xe0" + b"garbage" * 100)
    assert (refused.value.code, refused.value.status) == ("media_unreadable", 415)


def test_heic_is_recognised_and_refused_rather_than_kept_with_its_gps() -> None:
    with pytest.raises(UploadRefused, match="HEIC") as refused:
        check_upload(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100))
    assert refused.value.status == 415


def test_size_limits_are_per_kind_and_configurable() -> None:
    limits = Limits(photo_bytes=1000, video_bytes=5000)
    with pytest.raises(UploadRefused) as too_large:
        check_upload(jpeg_with_gps(), limits)
    assert (too_large.value.code, too_large.value.status) == ("media_too_large", 413)
    assert check_upload(mp4(3000), limits).kind == "video"
    with pytest.raises(UploadRefused, match="video is at most 5000"):
        check_upload(mp4(6000), limits)
    with pytest.raises(UploadRefused) as empty:
        check_upload(b"")
    assert empty.value.status == 422


def test_settings_choose_the_adapter_and_the_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDIA_PATH", str(tmp_path))
    monkeypatch.setenv("MEDIA_MAX_PHOTO_BYTES", "123")
    settings = MediaSettings()
    store = media_store(settings)
    assert isinstance(store, LocalMediaStore)
    assert store.root == tmp_path
    assert Limits.of(settings).photo_bytes == 123
    monkeypatch.setenv("MEDIA_STORE", "s3")
    monkeypatch.setenv("MEDIA_S3_BUCKET", "photos")
    s3 = media_store(MediaSettings())
    assert isinstance(s3, S3MediaStore)
    assert s3.bucket == "photos"


async def _round_trip(store: MediaStore) -> None:
    key = f"group-a/site-1/{uuid4()}"
    await store.put(key, b"first", "image/jpeg")
    await store.put(key, b"photo bytes", "image/jpeg")
    assert await store.get(key) == b"photo bytes"
    await store.delete(key)
    with pytest.raises(KeyError):
        await store.get(key)
    await store.delete(key)  # deleting what is gone is no error: an erasure may be retried
    with pytest.raises(ValueError, match="not a media key"):
        await store.put("../escape", b"x", "image/jpeg")


async def test_the_local_store_keeps_files_under_its_folder(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path / "media")
    await _round_trip(store)
    await store.put("g/s/one", b"kept", "image/png")
    assert (tmp_path / "media" / "g" / "s" / "one").read_bytes() == b"kept"
    assert not list((tmp_path / "media").rglob("*.partial"))


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
async def s3_store(moto_url: str) -> AsyncIterator[S3MediaStore]:
    async def up() -> bool:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(moto_url)).status_code < 500
        except httpx.TransportError:
            return False

    await eventually(up, what="moto's S3 server answers")
    store = S3MediaStore("media-test", endpoint_url=moto_url, region="us-east-1", access_key="k", secret_key="s")
    s3 = await store._s3()
    await s3.create_bucket(Bucket="media-test")
    yield store
    await store.close()


async def test_the_s3_store_puts_gets_and_deletes_objects(s3_store: S3MediaStore) -> None:
    await _round_trip(s3_store)
    await s3_store.put("g/s/photo", b"\xff\xd8\xffjpeg", "image/jpeg")
    s3 = await s3_store._s3()
    head = await s3.head_object(Bucket="media-test", Key="g/s/photo")
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentLength"] == 7
