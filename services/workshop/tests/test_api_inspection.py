"""The digital vehicle inspection over HTTP, on a real PostgreSQL and broker and a media folder:
the site's checklists, grading from the tablet, photos stored without their GPS position,
completion reporting yellow and red items as findings with their grade and photos, last visit's
results carried forward by VIN, the media for staff and for an approval link's holder, and the
media erased with the customer's personal data."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from events.catalog import workshop as ev
from events.catalog.privacy import PersonalDataErased
from events.catalog.reception import AdditionalWorkDeclined, RepairOrderSigned, VehicleCheckedIn, VehicleHandedOver
from events.catalog.reception_values import Consent, Contact, Recommendation, RepairLine, VehicleIdentity
from events.clock import ManualClock
from events.contract import Event
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, DISPATCHER, SERVICE_MANAGER, TECHNICIAN, Identity
from events.links import LinkClaims, sign_link
from events.media import Limits, LocalMediaStore
from events.settings import Settings
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from workshop.app import create_app
from workshop.media_files import MediaFiles

GROUP, SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
START = datetime.now(UTC).replace(microsecond=0)
GPS_IFD = 0x8825
VIN = "LSVAU2180N2000042"


def as_(role: str, user: str | None = None, site: str = SITE) -> dict[str, str]:
    return identity_headers(Identity(user or f"{role}-1", "Wang Lei", GROUP, frozenset({role}), frozenset({site})))


TECH, MANAGER, DISPATCH, ADVISOR_AT = as_(TECHNICIAN), as_(SERVICE_MANAGER), as_(DISPATCHER), as_(ADVISOR)


def photo(size: tuple[int, int] = (800, 600), gps: bool = True) -> bytes:
    image = Image.new("RGB", size, (120, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "TabletCam"
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 44.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@dataclass
class Shop:
    http: httpx.AsyncClient
    clock: ManualClock
    publisher: Publisher
    app: Any
    media_root: Path

    async def reception(self, *events: Event) -> None:
        meta = Metadata(Tenant(GROUP, SITE), "advisor-1", str(uuid.uuid4()))
        # One stream per RO, as reception publishes them: in order on one partition.
        await self.publisher.publish(meta, *((f"src-{getattr(e, 'repair_order_id', '')}", e) for e in events))

    async def car_in_workshop(self, vin: str = VIN, customer: uuid.UUID | None = None) -> uuid.UUID:
        ro = uuid.uuid4()
        events: list[Event] = []
        if customer is not None:
            events.append(checked_in(ro, customer, vin))
        events += [signed(ro, vin), VehicleHandedOver(repair_order_id=ro, key_tag="K-9", handed_over_at=START)]
        await self.reception(*events)

        async def received() -> bool:
            answer = await self.http.get(f"/sites/{SITE}/work-orders/{ro}", headers=DISPATCH)
            return answer.status_code == 200 and answer.json()["key_tag"] is not None

        await eventually(received, what=f"work order {ro}")
        return ro

    def at(self, ro: uuid.UUID) -> str:
        return f"/sites/{SITE}/work-orders/{ro}/inspection"

    async def grade_all(self, ro: uuid.UUID, grades: dict[str, dict[str, Any]]) -> dict[str, Any]:
        view: dict[str, Any] = (await self.http.get(self.at(ro), headers=TECH)).json()
        for item in view["items"]:
            body = grades.get(item["item_id"]) or {"grade": "green"}
            answer = await self.http.put(f"{self.at(ro)}/items/{item['item_id']}", json=body, headers=TECH)
            assert answer.status_code == 200, answer.text
            view = answer.json()
        return view

    async def upload(self, ro: uuid.UUID, item: str, content: bytes, name: str = "photo.jpg") -> httpx.Response:
        return await self.http.post(
            f"{self.at(ro)}/items/{item}/media", files={"file": (name, content, "image/jpeg")}, headers=TECH
        )


def signed(ro: uuid.UUID, vin: str) -> RepairOrderSigned:
    line = RepairLine(
        line_id=uuid.uuid4(),
        labour_operation="OIL-CHG",
        description="oil service",
        labour_minutes=40,
        labour_price=12000,
        pay_type="CUSTOMER_PAY",
    )
    return RepairOrderSigned(
        repair_order_id=ro,
        vehicle=VehicleIdentity(vin=vin, plate="沪A12345", model="Lavida"),
        priority="appointment",
        customer_waiting=False,
        lines=(line,),
        promised_at=START + timedelta(hours=3),
        signature_ref="sig-1",
        signed_at=START,
    )


def checked_in(ro: uuid.UUID, customer: uuid.UUID, vin: str) -> VehicleCheckedIn:
    person = Contact(name="Li Na", phone="13800138000", customer_id=customer)
    return VehicleCheckedIn(
        repair_order_id=ro,
        arrival_kind="appointment",
        priority="appointment",
        customer=person,
        vehicle=VehicleIdentity(vin=vin, plate="沪A12345"),
        vehicle_user=person,
        service_advisor="advisor-1",
        arrived_at=START,
        greeted_at=START,
        customer_waiting=False,
        contact_phone="13800138000",
    )


@pytest.fixture
async def shop(
    database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str, tmp_path: Path
) -> AsyncIterator[Shop]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    clock = ManualClock(START)
    files = MediaFiles(LocalMediaStore(tmp_path / "media"), Limits(photo_bytes=2 * 1024 * 1024, video_bytes=4096))
    app = create_app(clock=clock, database_url=database, kafka=kafka, media=files)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://w") as http:
        await consumers_assigned(app)
        yield Shop(http, clock, Publisher(postgres_url, kafka), app, tmp_path / "media")


# --- templates -----------------------------------------------------------------------------


async def test_the_site_starts_with_the_30_point_check_and_the_service_manager_edits_it(shop: Shop) -> None:
    listed = (await shop.http.get(f"/sites/{SITE}/inspection-templates", headers=TECH)).json()
    assert [t["template_id"] for t in listed] == ["default-30-point"]
    assert listed[0]["seeded"] is True
    points = listed[0]["points"]
    assert len(points) == 30
    assert {p["measure"] for p in points} == {"none", "tread_depth_mm", "pad_thickness_mm", "battery_health_pct"}

    tyre = {"item_id": "tyre_front_left", "area": "tyres", "label": "Tyre FL", "measure": "tread_depth_mm"}
    body: dict[str, Any] = {
        "name": "Lavida 10,000 km",
        "model_family": "Lavida",
        "service_type": "maintenance",
        "points": [tyre],
    }
    refused = await shop.http.put(f"/sites/{SITE}/inspection-templates/lavida", json=body, headers=TECH)
    assert refused.status_code == 403
    saved = await shop.http.put(f"/sites/{SITE}/inspection-templates/lavida", json=body, headers=MANAGER)
    assert saved.status_code == 200, saved.text
    assert saved.json()["set_by"] == "service_manager-1"
    twice = {**body, "points": [tyre, tyre]}
    duplicate = await shop.http.put(f"/sites/{SITE}/inspection-templates/lavida", json=twice, headers=MANAGER)
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "duplicate_inspection_point")
    bad_measure = {**body, "points": [{**tyre, "measure": "vibes"}]}
    assert (
        await shop.http.put(f"/sites/{SITE}/inspection-templates/lavida", json=bad_measure, headers=MANAGER)
    ).status_code == 422

    ro = await shop.car_in_workshop()
    fitting = await shop.http.post(shop.at(ro), json={"service_type": "maintenance"}, headers=TECH)
    assert fitting.status_code == 201, fitting.text
    assert (fitting.json()["template_id"], len(fitting.json()["items"])) == ("lavida", 1)


# --- the inspection --------------------------------------------------------------------------


async def test_graded_items_and_photos_become_findings_with_their_grade_and_photos(shop: Shop) -> None:
    ro = await shop.car_in_workshop()
    opened = await shop.http.post(shop.at(ro), headers=TECH)
    assert opened.status_code == 201, opened.text
    assert (opened.json()["ungraded"], opened.json()["previous_repair_order_id"]) == (30, None)
    again = await shop.http.post(shop.at(ro), headers=TECH)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "inspection_already_open")

    item = f"{shop.at(ro)}/items"
    eye_only = await shop.http.put(f"{item}/horn", json={"grade": "green", "measured": 3}, headers=TECH)
    assert (eye_only.status_code, eye_only.json()["error"]["code"]) == (409, "invalid_amount")
    too_deep = await shop.http.put(f"{item}/tyre_front_left", json={"grade": "red", "measured": 45}, headers=TECH)
    assert (too_deep.status_code, too_deep.json()["error"]["code"]) == (409, "invalid_amount")
    unmeasured = await shop.http.put(f"{item}/brake_pads_front", json={"grade": "red"}, headers=TECH)
    assert (unmeasured.status_code, unmeasured.json()["error"]["code"]) == (409, "missing_information")
    purple = await shop.http.put(f"{item}/horn", json={"grade": "purple"}, headers=TECH)
    assert (purple.status_code, purple.json()["error"]["code"]) == (409, "invalid_code")
    unknown = await shop.http.put(f"{item}/flux_capacitor", json={"grade": "green"}, headers=TECH)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (409, "unknown_inspection_item")
    early = await shop.http.post(f"{shop.at(ro)}/complete", headers=TECH)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "inspection_items_not_graded")

    uploaded = await shop.upload(ro, "brake_pads_front", photo(), name="evidence.pdf")
    assert uploaded.status_code == 201, uploaded.text
    media = uploaded.json()["media"]
    assert (media["kind"], media["content_type"]) == ("photo", "image/jpeg")

    view = await shop.grade_all(
        ro,
        {
            "brake_pads_front": {"grade": "red", "measured": 2.0, "note": "worn to the indicator"},
            "wiper_blades": {"grade": "yellow", "note": "streaking"},
            "battery": {"grade": "green", "measured": 91},
        },
    )
    assert (view["green"], view["yellow"], view["red"], view["ungraded"]) == (28, 1, 1, 0)

    done = await shop.http.post(f"{shop.at(ro)}/complete", headers=TECH)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert {f["item_id"] for f in done.json()["findings"]} == {"brake_pads_front", "wiper_blades"}

    history = await shop.app.state.runtime.store.read_stream(f"work_order-{ro}")
    (found,) = [e.event for e in history if isinstance(e.event, ev.AdditionalWorkFound)]
    by_grade = {f.severity: f for f in found.findings}
    assert set(by_grade) == {"red", "yellow"}
    red = by_grade["red"]
    assert red.description == "Brake pads, front: worn to the indicator"
    assert red.safety_critical is True
    assert [m.media_id for m in red.media] == [uuid.UUID(media["media_id"])]
    assert red.proposed_lines[0].labour_operation == "BRK-PAD"
    assert by_grade["yellow"].safety_critical is False
    assert by_grade["yellow"].media == ()
    order = (await shop.http.get(f"/sites/{SITE}/work-orders/{ro}", headers=DISPATCH)).json()
    assert len(order["pending_findings"]) == 2

    retried = await shop.http.post(f"{shop.at(ro)}/complete", headers=TECH)
    assert (retried.status_code, retried.json()["error"]["code"]) == (409, "inspection_completed")
    history = await shop.app.state.runtime.store.read_stream(f"work_order-{ro}")
    assert sum(isinstance(e.event, ev.AdditionalWorkFound) for e in history) == 1


async def test_a_yellow_item_with_no_usual_repair_needs_a_quote(shop: Shop) -> None:
    ro = await shop.car_in_workshop()
    await shop.http.post(shop.at(ro), headers=TECH)
    await shop.grade_all(ro, {"exhaust": {"grade": "yellow", "note": "mount cracked"}})
    unquoted = await shop.http.post(f"{shop.at(ro)}/complete", headers=TECH)
    assert (unquoted.status_code, unquoted.json()["error"]["code"]) == (409, "finding_not_quoted")
    line = {
        "line_id": str(uuid.uuid4()),
        "labour_operation": "EXH-MOUNT",
        "description": "exhaust mount",
        "labour_minutes": 30,
        "labour_price": 9000,
        "pay_type": "CUSTOMER_PAY",
    }
    quoted = await shop.http.post(
        f"{shop.at(ro)}/complete",
        json={"quotes": {"exhaust": {"proposed_lines": [line], "extra_minutes": 30}}},
        headers=TECH,
    )
    assert quoted.status_code == 200, quoted.text
    history = await shop.app.state.runtime.store.read_stream(f"work_order-{ro}")
    (found,) = [e.event for e in history if isinstance(e.event, ev.AdditionalWorkFound)]
    assert [(f.severity, f.proposed_lines[0].labour_operation) for f in found.findings] == [("yellow", "EXH-MOUNT")]


# --- media ---------------------------------------------------------------------------------


async def test_an_uploaded_photo_is_served_without_its_location_with_a_thumbnail(shop: Shop) -> None:
    ro = await shop.car_in_workshop()
    await shop.http.post(shop.at(ro), headers=TECH)
    original = photo((1600, 1200))
    with Image.open(io.BytesIO(original)) as sent:
        assert sent.getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    uploaded = (await shop.upload(ro, "tyre_front_left", original)).json()["media"]

    served = await shop.http.get(uploaded["url"].removeprefix("/api/v1"), headers=ADVISOR_AT)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.content)) as stored:
        assert stored.size == (1600, 1200)
        assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"TabletCam" not in served.content
    thumbnail = await shop.http.get(uploaded["thumbnail_url"].removeprefix("/api/v1"), headers=ADVISOR_AT)
    with Image.open(io.BytesIO(thumbnail.content)) as small:
        assert max(small.size) == 320

    elsewhere = as_(ADVISOR, site=OTHER_SITE)
    other = await shop.http.get(f"/sites/{OTHER_SITE}/media/{uploaded['media_id']}", headers=elsewhere)
    assert other.status_code == 404
    assert (await shop.http.get(f"/sites/{SITE}/media/{uploaded['media_id']}", headers=elsewhere)).status_code == 403


async def test_uploads_are_checked_by_content_and_size(shop: Shop) -> None:
    ro = await shop.car_in_workshop()
    await shop.http.post(shop.at(ro), headers=TECH)
    pdf = await shop.upload(ro, "horn", b"%PDF-1.7 an invoice, named like a photo", name="horn.jpg")
    assert (pdf.status_code, pdf.json()["error"]["code"]) == (415, "media_type_not_accepted")
    big = await shop.upload(ro, "horn", photo().ljust(3 * 1024 * 1024, b"\0"))
    assert (big.status_code, big.json()["error"]["code"]) == (413, "media_too_large")
    video = await shop.upload(ro, "horn", b"\x00\x00\x00\x18ftypisom" + bytes(8000), name="clip.mp4")
    assert (video.status_code, video.json()["error"]["code"]) == (413, "media_too_large")
    nowhere = await shop.upload(ro, "flux_capacitor", photo())
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (409, "unknown_inspection_item")
    assert not list(shop.media_root.rglob("*")) or all(p.is_dir() for p in shop.media_root.rglob("*"))
    view = (await shop.http.get(shop.at(ro), headers=TECH)).json()
    assert all(not item["media"] for item in view["items"])


def link(ro: uuid.UUID, *, purpose: str = "approval", expires: timedelta = timedelta(days=2)) -> str:
    claims = LinkClaims(purpose=purpose, site_id=SITE, subject=str(ro), scope="round-1", expires_at=START + expires)
    return sign_link(claims, Settings().link_key)


async def test_the_approval_links_holder_sees_that_ros_media_and_no_other(shop: Shop) -> None:
    ro, other_ro = await shop.car_in_workshop(), await shop.car_in_workshop()
    await shop.http.post(shop.at(ro), headers=TECH)
    media_id = (await shop.upload(ro, "brake_discs_front", photo())).json()["media"]["media_id"]

    shown = await shop.http.get(f"/public/media/{link(ro)}/{media_id}")
    assert (shown.status_code, shown.headers["content-type"]) == (200, "image/jpeg")
    assert (await shop.http.get(f"/public/media/{link(ro)}/{media_id}/thumbnail")).status_code == 200
    for token in (link(other_ro), link(ro, purpose="appointment"), link(ro)[:-2] + "xx"):
        refused = await shop.http.get(f"/public/media/{token}/{media_id}")
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "link_invalid")
    expired = await shop.http.get(f"/public/media/{link(ro, expires=timedelta(days=-1))}/{media_id}")
    assert (expired.status_code, expired.json()["error"]["code"]) == (410, "link_expired")
    assert "ask the service advisor for a new one" in expired.json()["error"]["message"]


def test_the_public_media_document_a_links_refusals_and_the_erasure_in_the_error_body() -> None:
    paths = create_app(database_url="postgresql://unused/unused").openapi()["paths"]
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for path in ("/public/media/{token}/{media_id}", "/public/media/{token}/{media_id}/thumbnail"):
        answers = paths[path]["get"]["responses"]
        assert "`link_invalid`" in answers["404"]["description"], path
        assert "`link_expired`" in answers["410"]["description"], path
        assert "`media_erased`" in answers["410"]["description"], path
        for status in ("404", "410"):
            assert answers[status]["content"]["application/json"]["schema"] == error_body, (path, status)
        assert "image/jpeg" in answers["200"]["content"], path


async def test_an_erasure_deletes_the_media_of_the_customers_cars(shop: Shop) -> None:
    customer = uuid.uuid4()
    ro = await shop.car_in_workshop(customer=customer)
    kept_ro = await shop.car_in_workshop(vin="LSVAU2180N2000099", customer=uuid.uuid4())
    await shop.http.post(shop.at(ro), headers=TECH)
    await shop.http.post(shop.at(kept_ro), headers=TECH)
    erased_id = (await shop.upload(ro, "battery", photo())).json()["media"]["media_id"]
    kept_id = (await shop.upload(kept_ro, "battery", photo())).json()["media"]["media_id"]
    assert len([p for p in shop.media_root.rglob("*") if p.is_file()]) == 4  # two photos, two thumbnails

    erasure = PersonalDataErased(
        customer_id=customer, subject_ids=(customer,), reason="PIPL art. 47", requested_at=START
    )
    await shop.publisher.publish(
        Metadata(Tenant(GROUP, SITE), "manager-1", "c-erase"), (f"personal_data-{customer}", erasure)
    )

    async def status() -> int:
        return (await shop.http.get(f"/sites/{SITE}/media/{erased_id}", headers=ADVISOR_AT)).status_code

    assert await eventually(status, until=lambda code: code == 410, what="the photo erased") == 410
    assert (await shop.http.get(f"/sites/{SITE}/media/{erased_id}/thumbnail", headers=ADVISOR_AT)).status_code == 410
    assert not any(erased_id in p.name for p in shop.media_root.rglob("*"))
    assert (await shop.http.get(f"/sites/{SITE}/media/{kept_id}", headers=ADVISOR_AT)).status_code == 200


# --- carried forward -----------------------------------------------------------------------


async def test_the_next_inspection_shows_last_visits_grades_values_and_declined_items(shop: Shop) -> None:
    first = await shop.car_in_workshop()
    await shop.http.post(shop.at(first), headers=TECH)
    media_id = (await shop.upload(first, "tyre_front_left", photo())).json()["media"]["media_id"]
    await shop.grade_all(
        first,
        {
            "tyre_front_left": {"grade": "red", "measured": 1.4, "note": "below the legal limit"},
            "battery": {"grade": "yellow", "measured": 62},
        },
    )
    done = (await shop.http.post(f"{shop.at(first)}/complete", headers=TECH)).json()
    tyre_finding = next(f["finding_id"] for f in done["findings"] if f["item_id"] == "tyre_front_left")
    await shop.reception(declined(first, uuid.UUID(tyre_finding)))

    async def declined_noted() -> bool:
        pool = shop.app.state.runtime.pool
        return bool(
            await pool.fetchval("SELECT declined FROM inspection_items WHERE finding_id = $1", uuid.UUID(tyre_finding))
        )

    await eventually(declined_noted, what="the decline in the inspections' read model")

    shop.clock.advance(timedelta(days=90))
    second = await shop.car_in_workshop()
    opened = (await shop.http.post(shop.at(second), headers=TECH)).json()
    assert opened["previous_repair_order_id"] == str(first)
    items = {i["item_id"]: i for i in opened["items"]}
    tyre = items["tyre_front_left"]["previous"]
    assert (tyre["grade"], tyre["measured"], tyre["declined"]) == ("red", 1.4, True)
    assert [m["media_id"] for m in tyre["media"]] == [media_id]
    assert (items["battery"]["previous"]["grade"], items["battery"]["previous"]["measured"]) == ("yellow", 62)
    assert items["battery"]["previous"]["declined"] is False
    assert items["horn"]["previous"]["grade"] == "green"
    assert items["tyre_front_left"]["grade"] is None  # shown, not graded for this visit


def declined(ro: uuid.UUID, finding: uuid.UUID) -> AdditionalWorkDeclined:
    return AdditionalWorkDeclined(
        repair_order_id=ro,
        vehicle=VehicleIdentity(vin=VIN, plate="沪A12345"),
        recommendation=Recommendation(
            finding_id=finding,
            description="Tyre, front left",
            safety_critical=True,
            labour_minutes=30,
            labour_price=6000,
            parts_price=0,
        ),
        customer_reason="next month",
        safety_explained=True,
        consent=Consent(kind="phone", recorded_by="advisor-1", at=START, reference="call-1"),
        declined_at=START + timedelta(minutes=30),
    )
