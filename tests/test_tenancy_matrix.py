"""Every role at every endpoint at its own site, another site of its group and a site of another
group, through the gateway, against `security.ACCESS` (written from the business's rules).

"Passes the door" means neither 401 nor 403: with made-up ids and plain bodies an allowed
request may well answer 404, 409 or 201 — this tests the door, not the room. A role the table
does not allow gets 403 even for a made-up id (the door is checked before the room).

Another site — of the same group or of another — is 403, never 404: the gateway refuses a site
outside the caller's scope before any service is asked, with the same answer whether the site
exists or not, so a refusal tells nothing. A refusal's body holds none of the other tenant's
records (ids, names, phones); it names only the site id the caller sent.

One exception, by design of the tokens: a group admin's token names its group, not the group's
sites, and nothing in the system lists which site belongs to which group. So a group admin who
names another group's site is served — inside the admin's own group, where that site has
nothing: another group's records answer 404 and lists are empty ("hidden" below). No data of
the other group shows; the matrix checks every such answer for it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from dealership import VISIT, login, running
from security import ACCESS, Endpoint, Requests, bounded, site_endpoints

from events.identity import GROUP_ADMIN, ROLES, Identity, issue_internal_token
from events.testing.system import RunningSystem
from gateway.routing import OWNERS

PASS, REFUSED, HIDDEN = "passes the door", "403", "404 or nothing of theirs"
SERVICES = [
    "booking",
    "catalogue",
    "reception",
    "workshop",
    "parts",
    "billing",
    "followup",
    "complaints",
    "notifications",
]
GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())
HOME, SISTER, FOREIGN = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())  # sites: A1, A2 (group A), B1


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    # Thousands of requests from a few users: the per-client limit is not what is under test here.
    with running(
        SERVICES,
        extra_env={
            "GATEWAY_RATE_PER_SECOND": "100000",
            "GATEWAY_RATE_BURST": "100000",
            "GATEWAY_REFUSAL_BURST": "100000",
        },
    ) as started:
        yield started


@pytest.fixture
async def gateway(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=60) as client:
        yield client


@dataclass(frozen=True)
class Tenant:
    """Records at one site that nobody outside it may learn of."""

    site: str
    ids: dict[str, str]
    secrets: tuple[str, ...]


async def tenant_with_records(gateway: httpx.AsyncClient, group: str, site: str) -> Tenant:
    advisor = await login(gateway, group, site, "advisor", user=f"advisor-{site[:8]}")
    name, phone = f"Secret Customer {site[:8]}", f"139{int(uuid.UUID(site)) % 10**8:08d}"
    customer = await advisor.ok(
        "POST", "customers", {"name": name, "phones": [phone], "customer_id": str(uuid.uuid4())}, status=201
    )
    visit = {**VISIT, "customer": {"name": name, "phone": phone}, "contact_phone": phone}
    ro = await advisor.ok("POST", "repair-orders", visit, status=201)
    ids = {"customer_id": customer["customer_id"], "repair_order_id": ro["repair_order_id"]}
    return Tenant(site, ids, (name, phone, *ids.values()))


async def knock(gateway: httpx.AsyncClient, requests: Requests, endpoint: Endpoint, token: str, site: str) -> Any:
    """(status, body text) of one request to `endpoint` at `site`."""
    headers = {"Authorization": f"Bearer {token}"}
    url, params, body = requests.url(endpoint, site), requests.params(endpoint), requests.body(endpoint)
    if endpoint.streams:  # a live stream: its status is the answer; the stream itself never ends
        headers["Accept"] = "text/event-stream"
        async with gateway.stream(endpoint.method, url, params=params, headers=headers) as response:
            text = "" if response.status_code == 200 else (await response.aread()).decode()
            return response.status_code, text
    for _ in range(3):  # a service the gateway could not reach (503) is asked again, as it says
        response = await gateway.request(endpoint.method, url, params=params, json=body, headers=headers)
        if response.status_code != 503:
            break
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    return response.status_code, response.text


async def test_every_endpoint_of_the_api_has_an_entry_in_the_access_table(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    assert "x-unavailable-services" not in document
    listed = {endpoint.key for endpoint in site_endpoints(document)}
    assert sorted(listed - ACCESS.keys()) == [], "endpoints with no entry in security.ACCESS: add one"
    assert sorted(ACCESS.keys() - listed) == [], "entries in security.ACCESS for endpoints that no longer exist"


async def test_every_role_at_every_endpoint_at_its_own_site_a_sister_site_and_another_groups_site(
    gateway: httpx.AsyncClient,
) -> None:
    document = (await gateway.get("/openapi.json")).json()
    endpoints = [e for e in site_endpoints(document) if e.key in ACCESS]
    sister = await tenant_with_records(gateway, GROUP, SISTER)
    foreign = await tenant_with_records(gateway, OTHER_GROUP, FOREIGN)
    # The ids in the paths are the other tenants' real records (made up where none was made).
    # A real record of the sister site in the paths (customer ids stay made up: a group admin may
    # erase a customer, and the records must stay to be looked for in the answers).
    requests = Requests(document, ids={"repair_order_id": sister.ids["repair_order_id"]})
    people = {role: (await login(gateway, GROUP, HOME, role, user=f"{role}-home")).token for role in ROLES}
    admin_token = (await gateway.post("/auth/dev-token", json={  # a group admin names no sites: it has them all
        "user_id": "group-admin", "name": "Gao Lan", "group_id": GROUP, "roles": [GROUP_ADMIN], "site_ids": [],
    })).json()["access_token"]  # fmt: skip

    # (role, token, the tenant asked about — None: the caller's own site —, endpoint, expected)
    cases: list[tuple[str, str, Tenant | None, Endpoint, str]] = []
    for endpoint in endpoints:
        roles = ACCESS[endpoint.key]
        for role, token in people.items():
            admin = role == GROUP_ADMIN
            cases.append((role, token, None, endpoint, PASS if role in roles else REFUSED))
            cases.append((role, token, sister, endpoint, PASS if admin else REFUSED))  # a group admin's own group
            cases.append((role, token, foreign, endpoint, HIDDEN if admin else REFUSED))
        for tenant in (None, sister):
            cases.append(("group_admin (all sites)", admin_token, tenant, endpoint, PASS))
        cases.append(("group_admin (all sites)", admin_token, foreign, endpoint, HIDDEN))

    answers = await bounded(
        partial(knock, gateway, requests, endpoint, token, tenant.site if tenant else HOME)
        for _, token, tenant, endpoint, _ in cases
    )

    wrong = []
    for (role, _, tenant, endpoint, expected), (status, text) in zip(cases, answers, strict=True):
        where = "own site" if tenant is None else ("sister site" if tenant is sister else "other group's site")
        if expected == PASS and (status in (401, 403) or status >= 500):
            wrong.append(f"{endpoint.key} as {role} at {where}: {status}, expected to pass the door: {text[:200]}")
        if expected == REFUSED and status != 403:
            wrong.append(f"{endpoint.key} as {role} at {where}: {status}, expected 403: {text[:200]}")
        if expected == HIDDEN and (status in (401, 403) or status >= 500):
            wrong.append(f"{endpoint.key} as {role} at {where}: {status}, expected 404 or nothing: {text[:200]}")
        if tenant is not None and expected != PASS:
            url = requests.url(endpoint, tenant.site)  # an id the caller sent may come back in a 404
            leaked = [secret for secret in tenant.secrets if secret in text and secret not in url]
            if leaked:
                wrong.append(f"{endpoint.key} as {role} at {where}: the answer shows {leaked}")
    assert not wrong, f"{len(wrong)} of {len(cases)} requests:\n" + "\n".join(wrong)


async def test_a_group_admin_naming_another_groups_site_learns_nothing_of_it(gateway: httpx.AsyncClient) -> None:
    """The gateway knows a group admin's group, not the list of its sites (there is no site
    registry), so an admin's request naming another group's site is served — in the admin's own
    group, where that site has nothing: another group's records are 404 and lists are empty."""
    foreign = await tenant_with_records(gateway, OTHER_GROUP, str(uuid.uuid4()))
    admin = await login(gateway, GROUP, foreign.site, GROUP_ADMIN, user="group-admin-a")
    for path in (f"repair-orders/{foreign.ids['repair_order_id']}", f"customers/{foreign.ids['customer_id']}"):
        response = await admin.get(path)
        assert response.status_code == 404, response.text
        assert not [s for s in foreign.secrets if s in response.text and s not in path], response.text
    for path in ("repair-orders", "customers?phone=" + foreign.secrets[1]):
        response = await admin.get(path)
        assert response.status_code == 200, response.text
        assert not [s for s in foreign.secrets if s in response.text], response.text


async def test_each_service_refuses_another_site_on_its_own_even_with_a_valid_internal_identity(
    gateway: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Defence in depth: were the gateway bypassed with a real internal identity, each service
    still checks the site itself (403 for every endpoint, before anything is read or written)."""
    document = (await gateway.get("/openapi.json")).json()
    sister = await tenant_with_records(gateway, GROUP, SISTER)
    requests = Requests(document, ids=sister.ids)
    manager = Identity("manager-home", "Sun Li", GROUP, frozenset({"service_manager"}), frozenset({HOME}))
    # The gateway's own documents are no service's: their data's services are knocked on directly.
    endpoints = [e for e in site_endpoints(document) if not e.streams and e.template.split("/", 1)[0] in OWNERS]

    async def direct(endpoint: Endpoint) -> tuple[int, str]:
        service = OWNERS[endpoint.template.split("/", 1)[0]]
        url = system.url(service) + requests.url(endpoint, SISTER).removeprefix("/api/v1")
        headers = {"X-Dealerflow-Identity": issue_internal_token(manager)}  # each lives 60 s
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.request(
                endpoint.method, url, params=requests.params(endpoint), json=requests.body(endpoint), headers=headers
            )
        return response.status_code, response.text

    answers = await bounded(partial(direct, endpoint) for endpoint in endpoints)
    wrong = [
        f"{endpoint.key}: {status} {text[:200]}"
        for endpoint, (status, text) in zip(endpoints, answers, strict=True)
        if status != 403 or any(secret in text for secret in sister.secrets)
    ]
    assert not wrong, "\n".join(wrong)
