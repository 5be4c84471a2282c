"""The technician's digital inspection (docs/inspection.md) and the customer's answer from the
phone (docs/approval-links.md): every point of the site's checklist graded, two of them yellow
with a measured value and a photo, completed into findings; reception sends the customer the
approval link, and the customer answers through the public API as the portal posts it — or
leaves it for a newcomer to open from the receivers' page."""

from __future__ import annotations

import io
import time
from typing import Any

from PIL import Image, ImageDraw

from simulator.actors import Person, VisitFailed
from simulator.day import Visit

# item → (its measured value, or None for a point judged by eye; the technician's note)
YELLOW: dict[str, tuple[float | None, str]] = {
    "wiper_blades": (None, "streaking, rubber cracked"),
    "tyre_front_left": (2.5, "tread close to the legal limit"),
}
APPROVED_WORD = "wiper"  # an "approved" visit approves the wiper blades and declines the tyre


def photo(label: str) -> bytes:
    """A small JPEG standing in for the tablet's photo of the item."""
    image = Image.new("RGB", (640, 480), (60, 70, 80))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline=(240, 200, 40), width=8)
    draw.text((60, 60), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


async def upload(person: Person, path: str, name: str, content: bytes) -> Any:
    """A multipart upload, as the tablet's camera input sends it."""
    url = f"/api/v1/sites/{person.site}/{path}"
    started = time.perf_counter()
    response = await person.client.post(
        url, files={"file": (name, content, "image/jpeg")}, headers={"Authorization": f"Bearer {person.token}"}
    )
    person.stats.command(time.perf_counter() - started)
    if response.status_code != 201:
        person.stats.errors.append(f"POST inspection media: {response.status_code} {response.text[:300]}")
        raise VisitFailed(f"POST {path}: {response.status_code}")
    return response.json()


async def inspect(technician: Person, ro: str) -> None:
    """Open the car's inspection, grade every point (green but the two `YELLOW`, each measured
    where its point measures, and photographed), complete it: the yellow items become findings."""
    ipath = f"work-orders/{ro}/inspection"
    opened = await technician.call("POST", ipath, {}, expect=201)
    for item in opened["items"]:
        measured, note = YELLOW.get(item["item_id"], (None, ""))
        grade = "yellow" if item["item_id"] in YELLOW else "green"
        body: dict[str, Any] = {"grade": grade, "note": note}
        if measured is not None:
            body["measured"] = measured
        await technician.call("PUT", f"{ipath}/items/{item['item_id']}", body)
        if grade != "green":
            await upload(
                technician, f"{ipath}/items/{item['item_id']}/media", f"{item['item_id']}.jpg", photo(item["label"])
            )
    await technician.call("POST", f"{ipath}/complete", {})
    technician.stats.happened["inspections"] += 1


async def approval_link(advisor: Person, ro: str) -> str:
    """The link reception sent the customer for the inspection's findings (the desk's API)."""
    requests = await advisor.until(
        f"repair-orders/{ro}/approval-requests",
        lambda rows: any(r["approval_of"] == "additional_work" and r["decided_at"] is None for r in rows),
        "the approval link sent to the customer",
    )
    link: str = next(r["link"] for r in requests if r["decided_at"] is None)
    return link


async def answer(customer: Person, link: str, visit: Visit) -> None:
    """The customer's answer on the portal's page: an "approved" visit approves the wiper blades
    and declines the tyre; a "declined" one declines both."""
    token = link.rstrip("/").rsplit("/", 1)[-1]
    page = (await customer.client.get(f"/api/v1/public/approvals/{token}")).json()
    items = []
    for item in page["items"]:
        approve = visit.finding == "approved" and APPROVED_WORD in item["description"].lower()
        items.append(
            {"finding_id": item["item_id"], "decision": "approved" if approve else "declined", "reason": "next time"}
            | ({} if approve else {"risk_acknowledged": True})
        )
    started = time.perf_counter()
    response = await customer.client.post(f"/api/v1/public/approvals/{token}/decision", json={"items": items})
    customer.stats.command(time.perf_counter() - started)
    if response.status_code != 200:
        customer.stats.errors.append(f"POST public approval decision: {response.status_code} {response.text[:300]}")
        raise VisitFailed(f"approval decision: {response.status_code}")
    customer.stats.happened["approved_from_the_phone"] += 1
