"""One visit at the RO desk, as the advisor takes it with the customer: the walk-around on the
car's diagram (damage marks, fuel, mileage, valuables reminded, covers fitted), the concerns in
the customer's own words with 5W2H and the read-back, the estimate priced by reception from the
catalogue (a service menu for the car's model, or a line typed by hand with its reason), the
customer's signature drawn on the screen (kept by reception as an image; the RO is signed with
its ref), the hand-over to the workshop with the key tag, and the printed RO.

Every total, status and refusal is the API's: the page shows them. Each command sends the
version the page showed (If-Match): a change made meanwhile is refused, not overwritten."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from desk.gateway_api import ApiError, error_of
from desk.printing import printed_pdf
from desk.screens.reception import RECEPTION
from desk.screens.workshop_floor import fen_of
from desk.web import Visit, redirect
from events.identity import GROUP_ADMIN, SERVICE_MANAGER

router = APIRouter()

# The car's outline, seen from above: the areas a damage mark may name (the walk-around's `area`).
AREAS = (
    "front_bumper",
    "bonnet",
    "windscreen",
    "roof",
    "rear_window",
    "boot",
    "rear_bumper",
    "left_front_wing",
    "left_front_door",
    "left_rear_door",
    "left_rear_wing",
    "right_front_wing",
    "right_front_door",
    "right_rear_door",
    "right_rear_wing",
)
DAMAGE_KINDS = ("scratch", "dent", "glass", "lamp", "other")
PAYMENT_METHODS = ("card", "cash", "mobile", "wechat_pay", "alipay", "transfer")
OLD_PARTS = ("keep", "discard")
ESTIMATE_METHODS = ("item", "system", "symptom")
SIGNATURE_PREFIX = "data:image/png;base64,"
APPROVERS = frozenset({SERVICE_MANAGER, GROUP_ADMIN})
MENU_PRICE = "menu_prices.0."  # named as the API names the field, so its 422 lands beside the input
PROMISED_IN = timedelta(hours=2)  # the form's first suggestion only: the advisor sets the promise


def _menu_lines(order: dict[str, Any], menus: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The estimate's lines that came from its service menu (the menu's labour operations, as the
    catalogue lists them): the ones a discount may be typed on."""
    menu = next((m for m in menus or [] if m.get("menu_id") == order.get("menu_id")), None)
    if menu is None:
        return []
    operations = {item["labour_operation"] for item in menu.get("items", [])}
    return [line for line in order.get("lines") or [] if line["labour_operation"] in operations]


def _path(repair_order_id: UUID, rest: str = "") -> str:
    return f"repair-orders/{repair_order_id}{rest}"


async def _context(visit: Visit, repair_order_id: UUID) -> dict[str, Any]:
    order = await visit.api.get(_path(repair_order_id))
    zone = await visit.time_zone()
    menus: list[dict[str, Any]] | None = None
    model = order["vehicle"].get("model")
    if model and order["signed_at"] is None:
        try:
            menus = await visit.api.get("service-menus", model_family=model)
        except ApiError as error:
            if error.status == 401:
                raise
            menus = None  # the catalogue is away: a line typed by hand still prices the work
    return {
        "order": order,
        "time_zone": zone,
        "menus": menus,
        "menu_lines": _menu_lines(order, menus),
        "menu_price": MENU_PRICE,
        "areas": AREAS,
        "damage_kinds": DAMAGE_KINDS,
        "payment_methods": PAYMENT_METHODS,
        "old_parts_choices": OLD_PARTS,
        "estimate_methods": ESTIMATE_METHODS,
        "promised_default": (datetime.now(ZoneInfo(zone)) + PROMISED_IN).strftime("%Y-%m-%dT%H:%M"),
        # A courtesy only: reception refuses the approval to anyone but a service manager.
        "may_approve": bool(visit.session.person.roles & APPROVERS),
    }


@router.get("/reception/visits/{repair_order_id}")
async def visit_page(
    repair_order_id: UUID, visit: Visit = RECEPTION, done: str | None = None, key_tag: str | None = None
) -> HTMLResponse:
    context = await _context(visit, repair_order_id)
    return visit.render("reception_visit.html", values={}, errors={}, done=done, key_tag=key_tag, **context)


async def _command(
    request: Request,
    visit: Visit,
    repair_order_id: UUID,
    action: str,
    body: Any,
    values: dict[str, str],
    done: str,
) -> Response:
    """Send one command with the version the page showed; a refusal comes back on the page
    with what was typed (`values`) beside the form it came from (`values["form"]`)."""
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(_path(repair_order_id, f"/{action}"), body, **headers)
    except ApiError as error:
        context = await _context(visit, repair_order_id)
        return visit.form_again("reception_visit.html", error, values, done=None, key_tag=None, **context)
    return redirect(f"/reception/visits/{repair_order_id}?done={done}", request)


async def _values(request: Request) -> tuple[dict[str, str], list[str]]:
    """The form's fields (the last of a repeated name), and its repeated `damage` marks."""
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
    return values, [str(mark) for mark in form.getlist("damage")]


# --- the walk-around --------------------------------------------------------------------------


@router.post("/reception/visits/{repair_order_id}/walk-around")
async def walk_around(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    values, marks = await _values(request)
    return await _command(
        request, visit, repair_order_id, "walk-around", _walk_around_body(values, marks), values, "walked_around"
    )


def _walk_around_body(values: dict[str, str], marks: list[str]) -> dict[str, Any]:
    """Marks made on the diagram (`area|kind|note` each); and the one chosen in the selects but
    not added to the list (the form without its script, or a last mark not yet added)."""
    damages = []
    for mark in marks:
        area, _, rest = mark.partition("|")
        kind, _, note = rest.partition("|")
        damages.append({"area": area, "kind": kind, "note": note})
    if values.get("damage_area") and values.get("damage_kind"):
        damages.append(
            {"area": values["damage_area"], "kind": values["damage_kind"], "note": values.get("damage_note", "")}
        )
    lamps = [lamp.strip() for lamp in values.get("warning_lamps", "").replace(",", ",").split(",") if lamp.strip()]
    return {
        "mileage_km": values.get("mileage_km", "").strip(),  # the API checks the number (422 beside it)
        "fuel_eighths": values.get("fuel_eighths", ""),
        "valuables_reminded": values.get("valuables_reminded") == "on",
        "protective_covers_fitted": values.get("protective_covers_fitted") == "on",
        "declined_by_customer": values.get("declined_by_customer") == "on",
        "warning_lamps": lamps,
        "damages": damages,
    }


# --- concerns ---------------------------------------------------------------------------------

FIVE_W = ("what", "when", "where", "who", "how_often")


@router.post("/reception/visits/{repair_order_id}/concerns")
async def concern(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    values, _ = await _values(request)
    body: dict[str, Any] = {
        "concern_id": values.get("concern_id") or str(uuid4()),
        "customer_words": values.get("customer_words", ""),
        **{name: values.get(name, "") for name in FIVE_W},
        "read_back_confirmed": values.get("read_back_confirmed") == "on",
    }
    return await _command(request, visit, repair_order_id, "concerns", body, values, "concern_recorded")


# --- the estimate -----------------------------------------------------------------------------


@router.post("/reception/visits/{repair_order_id}/estimate")
async def estimate(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    values, _ = await _values(request)
    body = _estimate_body(values, await visit.time_zone())
    return await _command(request, visit, repair_order_id, "estimate", body, values, "estimated")


def _estimate_body(values: dict[str, str], zone: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "promised_at": _aware(values.get("promised_at", ""), zone),
        "payment_method": values.get("payment_method", ""),
        "old_parts": values.get("old_parts", ""),
        "wash": values.get("wash") == "on",
        "estimate_method": values.get("estimate_method") or "item",
    }
    if values.get("menu_id"):
        body["menu_id"] = values["menu_id"]
        if values.get(f"{MENU_PRICE}labour_price", "").strip():
            # A menu line priced otherwise: reception holds it to the catalogue's price and the
            # advisor's discount authority (signed at once, or waiting for the manager).
            body["menu_prices"] = [
                {
                    "labour_operation": values.get(f"{MENU_PRICE}labour_operation", ""),
                    "labour_price": fen_of(values[f"{MENU_PRICE}labour_price"]),
                    "reason": values.get(f"{MENU_PRICE}reason", "").strip() or None,
                }
            ]
    if values.get("line.description", "").strip():
        body["lines"] = [
            {
                "line_id": values.get("line.line_id") or str(uuid4()),
                # a code the catalogue knows is priced against it (a lower price is a discount)
                "labour_operation": values.get("line.labour_operation", "").strip() or "MANUAL",
                "description": values["line.description"].strip(),
                "labour_minutes": values.get("line.labour_minutes", "").strip() or 0,
                "labour_price": fen_of(values.get("line.labour_price", "")),
                "pay_type": "CUSTOMER_PAY",
                "parts": [],
                "reason": values.get("line.reason", "").strip() or None,
            }
        ]
    return body


def _aware(local: str, zone: str) -> str:
    """`2026-12-07T16:30` typed at the site → the instant, in the site's time zone; anything
    else as typed, for the API to refuse beside the input."""
    try:
        return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).isoformat()
    except ValueError:
        return local


@router.post("/reception/visits/{repair_order_id}/discount-approval")
async def approve_discount(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    """The service manager approves the estimate's discount beyond the advisor's authority."""
    values, _ = await _values(request)
    return await _command(request, visit, repair_order_id, "discount-approval", {}, values, "discount_approved")


# --- the signature, drawn on the screen --------------------------------------------------------


@router.post("/reception/visits/{repair_order_id}/sign")
async def sign(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    """The drawn signature (the pad's PNG, as a data URL) kept by reception, then the RO signed
    with the ref reception answers."""
    values, _ = await _values(request)
    drawn = values.pop("signature", "")
    try:
        image = base64.b64decode(drawn.removeprefix(SIGNATURE_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        image = b""
    if not drawn.startswith(SIGNATURE_PREFIX) or not image:
        context = await _context(visit, repair_order_id)
        problem = visit.words("reception.sign_first")
        return visit.render("reception_visit.html", 422, values=values, errors={}, problem=problem, **context)
    try:
        kept = await _upload(visit, _path(repair_order_id, "/signature"), image)
    except ApiError as error:
        context = await _context(visit, repair_order_id)
        return visit.form_again("reception_visit.html", error, values, done=None, key_tag=None, **context)
    body = {"signature_ref": kept["signature_ref"]}
    return await _command(request, visit, repair_order_id, "sign", body, values, "signed")


async def _upload(visit: Visit, path: str, image: bytes) -> dict[str, Any]:
    """The image as the body (image/png), with the person's token, as `visit.api` sends JSON."""
    headers = {**visit.api.headers, "Content-Type": "image/png"}
    try:
        response = await visit.api.client.post(visit.api.site_url(path), content=image, headers=headers)
    except httpx.TransportError:
        raise ApiError(503, "service_unavailable") from None
    if response.is_error:
        raise error_of(response)
    kept: dict[str, Any] = response.json()
    return kept


# --- hand-over, and the printed RO -----------------------------------------------------------


@router.post("/reception/visits/{repair_order_id}/hand-over")
async def hand_over(repair_order_id: UUID, request: Request, visit: Visit = RECEPTION) -> Response:
    values, _ = await _values(request)
    key_tag = values.get("key_tag", "").strip()
    headers = {"If-Match": values["version"]} if values.get("version") else {}
    try:
        await visit.api.post(_path(repair_order_id, "/hand-over"), {"key_tag": key_tag}, **headers)
    except ApiError as error:
        context = await _context(visit, repair_order_id)
        return visit.form_again("reception_visit.html", error, values, done=None, key_tag=None, **context)
    return redirect(f"/reception/visits/{repair_order_id}?done=handed_over&key_tag={quote(key_tag)}", request)


@router.get("/reception/visits/{repair_order_id}/repair-order.pdf")
async def printed(repair_order_id: UUID, visit: Visit = RECEPTION) -> Response:
    """The gateway's PDF of the RO (with the drawn signature), streamed through with the
    session's token (never in the link)."""
    path = f"documents/repair-order/{repair_order_id}.pdf"
    return await printed_pdf(visit, path, f"repair-order-{repair_order_id}.pdf")
