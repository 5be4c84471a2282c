"""The complaint handler's screen in a real headless Chromium: a CS agent (Chinese) opens a
complaint for a customer found by phone (registered through booking's API beforehand), listens
(5W2H, restated), confirms the facts and responsibility, and proposes a goodwill remedy beyond
her authority: the complaints service refuses it and the page offers the escalation, the
proposal as a link. The service manager (English, another browser context) opens the link, finds
the proposal filled in and decides it. The agent explains the decision, the customer agrees, she
records the action and the satisfied follow-up, and the complaint is closed. Every page is
checked by axe-core; screenshots go to var/screenshots/desk/."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from browser import TIME_ZONE, Desk, accessible, desk_beside, new_page, sign_in
from dealership import login
from playwright.async_api import Browser, Locator, Page, expect

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PHONE = "13912345678"
WORDS = "结算时工时费被收了两次"


@pytest.fixture(scope="module")
def started() -> Iterator[tuple[RunningSystem, Desk]]:
    with desk_beside(["booking", "complaints"]) as both:
        yield both


async def step(page: Page, name: str) -> Locator:
    """The step's form (`listen`, `facts`, `decision`, ...), opened if the page did not open it."""
    details = page.locator(f"[data-step-form='{name}']")
    if await details.get_attribute("open") is None:
        await details.locator("summary").click()
    return details


async def test_a_complaint_is_taken_through_its_steps_with_a_decision_escalated_to_the_service_manager(
    browser: Browser, desk: Desk, gateway: httpx.AsyncClient
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    await advisor.ok("POST", "customers", {"name": "刘洋", "phones": [PHONE]}, status=201)

    # The CS agent, in Chinese: find the customer by phone and receive the complaint.
    agent = await new_page(browser, language="zh-CN")
    await sign_in(agent, desk, name="agent-wu", role="cs_agent", group=GROUP, sites=[SITE])
    await agent.get_by_role("navigation").get_by_role("link", name="处理投诉", exact=True).click()
    await expect(agent.get_by_role("heading", name="处理投诉", level=1)).to_be_visible()
    await accessible(agent, "complaint-list-zh")
    await agent.get_by_role("link", name="登记新投诉").click()
    await agent.get_by_label("客户电话").fill(PHONE)
    await agent.get_by_role("button", name="查找").click()
    await expect(agent.locator("[data-found]")).to_contain_text("刘洋")
    await agent.get_by_label("类别").select_option("price")
    await agent.get_by_label("客户原话").fill(WORDS)
    await accessible(agent, "complaint-new-zh")
    await agent.get_by_role("button", name="受理投诉").click()
    await expect(agent.locator("[data-done]")).to_have_text("投诉已受理。")
    await expect(agent.locator("[data-step]")).to_have_text("已受理")
    await expect(agent.locator("[data-complaint]")).to_contain_text(WORDS)
    await accessible(agent, "complaint-received-zh")
    complaint_url = agent.url.split("?")[0]

    # Step 2: listen. Step 3: the facts and responsibility.
    listen = await step(agent, "listen")
    await listen.get_by_label("什么问题").fill("工时费重复收取")
    await listen.get_by_label("用客户的话复述投诉").fill("您是说结算时工时费被收了两次,对吗?")
    await listen.get_by_role("button", name="记录倾听").click()
    await expect(agent.locator("[data-step]")).to_have_text("已倾听")
    facts = await step(agent, "facts")
    await facts.get_by_label("责任方").select_option("dealer")
    await facts.get_by_label("原因类别").select_option("price")
    await facts.get_by_label("查明的事实").fill("结算单上工时重复录入")
    await facts.get_by_role("button", name="确认事实").click()
    await expect(agent.locator("[data-step]")).to_have_text("已确认事实")

    # Step 4, beyond a CS agent's authority (200.00): refused, the escalation offered.
    due = (datetime.now(ZoneInfo(TIME_ZONE)) + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    decision = await step(agent, "decision")
    await decision.get_by_label("处理方式").select_option("goodwill")
    await decision.get_by_label("具体做什么").fill("退还重复收取的工时费并赠送一次保养")
    await decision.get_by_label("费用(元)").fill("800.00")
    await decision.get_by_label("完成时间(门店时间)").fill(due)
    await decision.get_by_label("由谁与客户沟通").fill("agent-wu")
    await decision.get_by_role("button", name="确定方案").click()
    await expect(agent.get_by_role("alert")).to_have_text("超出您的处理权限:须由服务经理批准。")
    await expect(agent.locator("[data-escalation]")).to_contain_text("须由服务经理决定")
    await expect(agent.locator("[data-step-form='decision']").get_by_label("费用(元)")).to_have_value("800.00")
    await expect(agent.locator("[data-step]")).to_have_text("已确认事实")
    await accessible(agent, "complaint-escalation-zh")
    proposal = await agent.locator("[data-escalation-link]").get_attribute("href")
    assert proposal is not None
    assert proposal.startswith(complaint_url.removeprefix(desk.url))

    # The service manager, in English in another browser: the proposal opens filled in; decided.
    manager = await new_page(browser, language="en-US")
    await sign_in(manager, desk, name="manager-zhou", role="service_manager", group=GROUP, sites=[SITE])
    await manager.goto(f"{desk.url}{proposal}")
    await expect(manager.get_by_role("heading", name="Complaint", level=1)).to_be_visible()
    proposed = await step(manager, "decision")
    await expect(proposed.get_by_label("Cost (yuan)")).to_have_value("800.00")
    await expect(proposed.get_by_label("What will be done")).to_have_value("退还重复收取的工时费并赠送一次保养")
    await accessible(manager, "complaint-manager-proposal-en")
    await proposed.get_by_role("button", name="Decide").click()
    await expect(manager.locator("[data-done]")).to_have_text("Remedy decided.")
    await expect(manager.locator("[data-step]")).to_have_text("remedy decided")
    await expect(manager.locator("[data-remedy]")).to_contain_text("¥800.00")
    await accessible(manager, "complaint-decided-en")

    # The agent, back on the complaint: explained and agreed, acted, followed up: closed.
    await agent.goto(complaint_url)
    await expect(agent.locator("[data-step]")).to_have_text("已拟定方案")
    explanation = await step(agent, "explanation")
    await explanation.get_by_label("是", exact=True).check()
    await explanation.get_by_role("button", name="记录客户答复").click()
    await expect(agent.locator("[data-step]")).to_have_text("已说明方案")
    action = await step(agent, "action")
    await action.get_by_label("实际做了什么").fill("已退还工时费,保养券已发放")
    await action.get_by_label("费用(元)").fill("800")
    await action.get_by_label("当着客户的面处理").check()
    await action.get_by_label("客户当场表示满意").check()
    await action.get_by_role("button", name="记录处理").click()
    await expect(agent.locator("[data-step]")).to_have_text("已处理")
    follow_up = await step(agent, "follow-up")
    await follow_up.get_by_label("是", exact=True).check()
    await follow_up.get_by_label("投诉报告摘要").fill("工时重复录入,已退款致歉,客户满意")
    await accessible(agent, "complaint-follow-up-zh")
    await follow_up.get_by_role("button", name="记录回访").click()
    await expect(agent.locator("[data-step]")).to_have_text("已结案")
    await expect(agent.locator("[data-closed]")).to_be_visible()
    await accessible(agent, "complaint-closed-zh")
