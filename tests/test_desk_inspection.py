"""The technician's inspection screen in a real headless Chromium on a 10-inch tablet: a car the
advisor handed over (set up through the API) is opened from the inspection list, items are graded
with the big colour-and-words buttons (a measured value typed, a value out of range refused by the
workshop and kept in the form), a photo with a GPS position is taken with the tablet's camera input
and uploaded with its progress shown, the thumbnail appears (served through the desk, without the
position), the language switches midway, and completing the inspection sends the red item to the
advisor as a finding with its photo. Every page is checked by axe-core; screenshots go to
var/screenshots/desk/."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from browser import TABLET, Desk, accessible, desk_beside, new_page, sign_in
from dealership import line, login, signed_and_handed_over, typed
from PIL import Image
from playwright.async_api import Browser, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
TECHNICIAN = "tech-zhang"
PLATE = "沪B88888"  # the helpers' car
GPS_IFD = 0x8825
BY_BROWSER = ("tyre_front_left", "wiper_blades")  # the rest is graded through the API, to keep it short


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSystem, Desk]]:
    media = {"MEDIA_PATH": str(tmp_path_factory.mktemp("media"))}  # the workshop's media store: this run's folder
    with desk_beside(["catalogue", "reception", "workshop"], media) as both:
        yield both


def tablet_photo() -> bytes:
    image = Image.new("RGB", (1200, 900), (90, 90, 90))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 44.0), 3: "E", 4: (121.0, 28.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_a_technician_grades_items_uploads_a_photo_and_completes_the_inspection(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    bench = await login(gateway, GROUP, SITE, "technician", TECHNICIAN)
    work = typed(line("oil service", 12000, "OIL-FILTER", 1, 5000), "diagnosed: not on the menu")
    ro = await signed_and_handed_over(advisor, work, promised_in=timedelta(hours=3))
    await bench.until(f"work-orders/{ro}", lambda w: w["key_tag"] == "K-42", "the car in the workshop")

    # The technician (Chinese, on the tablet): the inspection list, the car, the checklist opened.
    page = await new_page(browser, language="zh-CN", viewport=TABLET)
    await sign_in(page, desk, name=TECHNICIAN, role="technician", group=GROUP, sites=[SITE])
    await page.wait_for_url(f"{desk.url}/")
    await page.get_by_role("navigation").get_by_role("link", name="车辆检查", exact=True).click()
    await expect(page.get_by_role("heading", name="车辆检查", level=1)).to_be_visible()
    await accessible(page, "inspection-cars-tablet")
    await page.locator(f"[data-car='{ro}']").get_by_role("link", name=PLATE).click()
    await page.get_by_role("button", name="开始检查").click()
    await expect(page.locator("[data-summary]")).to_contain_text("未检查 30 项")
    await accessible(page, "inspection-opened-tablet")

    # The rest of the checklist green through the API; two items by hand.
    view = await bench.ok("GET", f"work-orders/{ro}/inspection")
    for item in view["items"]:
        if item["item_id"] not in BY_BROWSER:
            body = {"grade": "green", **({"measured": 80} if item["measure"] == "battery_health_pct" else {})}
            await bench.ok("PUT", f"work-orders/{ro}/inspection/items/{item['item_id']}", body)
    await page.reload()

    tyre = page.locator("[data-item='tyre_front_left']")
    await expect(tyre.get_by_role("heading", name="左前轮胎")).to_be_visible()
    red = tyre.get_by_role("button", name="需处理")
    assert (await red.bounding_box() or {"height": 0})["height"] >= 44  # a finger's target
    await tyre.get_by_label("花纹深度 (mm)").fill("45")
    await red.click()
    await expect(tyre.locator("[data-refused]")).to_have_text("数值超出范围或不适用:请检查填写的数值。")
    await expect(tyre.get_by_label("花纹深度 (mm)")).to_have_value("45")  # kept, to correct
    await accessible(page, "inspection-refused-tablet")
    tyre = page.locator("[data-item='tyre_front_left']")
    await tyre.get_by_label("花纹深度 (mm)").fill("1.4")
    await tyre.get_by_label("备注").fill("低于法定限值")
    await tyre.get_by_role("button", name="需处理").click()
    await expect(page.locator("[data-done]")).to_have_text("已记录。")
    tyre = page.locator("[data-item='tyre_front_left']")
    await expect(tyre.locator("[data-grade]")).to_have_text("需处理")
    await expect(tyre.get_by_role("button", name="需处理")).to_have_attribute("aria-pressed", "true")

    # A photo from the tablet's camera input, its progress shown, its thumbnail back.
    camera = tyre.get_by_label("拍照或录像")
    assert await camera.get_attribute("capture") == "environment"
    assert await camera.get_attribute("accept") == "image/*,video/*"
    await camera.set_input_files({"name": "tyre.jpg", "mimeType": "image/jpeg", "buffer": tablet_photo()})
    await tyre.get_by_role("button", name="上传").click()
    await expect(page.locator("[data-done]")).to_have_text("照片已上传。", timeout=45_000)
    thumbnail = page.locator("[data-item='tyre_front_left'] [data-media] img")
    await expect(thumbnail).to_have_count(1)
    await expect(thumbnail).to_have_attribute("alt", "左前轮胎的照片 1")
    source = await thumbnail.get_attribute("src")
    assert source is not None
    shown = await page.request.get(f"{desk.url}{source.removesuffix('/thumbnail')}")
    assert shown.status == 200
    with Image.open(io.BytesIO(await shown.body())) as stored:
        assert stored.size == (1200, 900)
        assert not stored.getexif().get_ifd(GPS_IFD)  # the workshop kept no position
    await accessible(page, "inspection-photo-tablet")

    # English from here: the wiper yellow, then complete.
    await page.get_by_role("link", name="English").click()
    wiper = page.locator("[data-item='wiper_blades']")
    await expect(wiper.get_by_role("heading", name="Wiper blades")).to_be_visible()
    await wiper.get_by_label("Note").fill("streaking")
    await wiper.get_by_role("button", name="Soon").click()
    await expect(page.locator("[data-done]")).to_have_text("Recorded.")
    await expect(page.locator("[data-summary]")).to_contain_text("28 good, 1 soon, 1 now, 0 not checked")
    await page.get_by_role("button", name="Complete: send the yellow and red items to the advisor").click()
    await expect(page.locator("[data-completed]")).to_have_text("Inspection completed: 2 item(s) sent to the advisor.")
    await expect(page.locator("[data-item='tyre_front_left'] [data-media] img")).to_have_count(1)
    await accessible(page, "inspection-completed-tablet")

    # The advisor has the findings: the tyre red with its photo, the wiper yellow.
    order = await bench.until(f"work-orders/{ro}", lambda w: len(w["pending_findings"]) == 2, "the findings")
    assert order["finding_rounds"] == 1
    found = await advisor.until(f"repair-orders/{ro}", lambda r: len(r["findings"]) == 2, "the findings at reception")
    descriptions = sorted(f["description"] for f in found["findings"])
    assert descriptions == ["Tyre, front left: 低于法定限值", "Wiper blades: streaking"]
