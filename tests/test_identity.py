"""Who is asking: a bearer token the gateway cannot trust gets 401 and no data; a request that
bypassed the gateway gets 401 from the service; a client over its rate gets 429 with
Retry-After, and other clients do not notice."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

import httpx
import jwt
import pytest
from dealership import CUSTOMER, VIN, VISIT, Person, login, running
from security import Endpoint, Requests, bounded, site_endpoints

from events.identity import INTERNAL_AUDIENCE, INTERNAL_ISSUER, Identity, issue_internal_token
from events.testing import eventually
from events.testing.system import RunningSystem
from gateway.routing import OWNERS

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
ISSUER = "https://login.dealer-group.example"
USER_SECRET = "local-development-only-user-token-secret"  # the gateway's when none is configured
INTERNAL_SECRET = "local-development-only-internal-secret"
RATE, BURST = 0.25, 6  # one token per 4 s: a slow machine cannot refill the bucket mid-flood
REFUSAL_BURST = 40  # refused tokens an address may present before 429 (the 401 test presents 30)


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    env = {
        "GATEWAY_JWT_ISSUER": ISSUER,
        **{"GATEWAY_RATE_PER_SECOND": str(RATE), "GATEWAY_RATE_BURST": str(BURST)},
        **{"GATEWAY_REFUSALS_PER_SECOND": str(RATE), "GATEWAY_REFUSAL_BURST": str(REFUSAL_BURST)},
    }
    with running(["reception"], extra_env=env) as started:
        yield started


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    valid = {
        "iss": ISSUER, "aud": "dealerflow", "iat": now, "exp": now + 600, "sub": "advisor-mallory",
        "name": "Mallory", "group": GROUP, "roles": ["advisor"], "sites": [SITE],
    }  # fmt: skip
    return {k: v for k, v in {**valid, **changes}.items() if v is not None}


def signed(secret: str = USER_SECRET, **changes: Any) -> str:
    return jwt.encode(claims(**changes), secret, algorithm="HS256")


UNTRUSTED = {
    "missing": None,
    "not a bearer token": "Basic YWR2aXNvcjpzZWNyZXQ=",
    "empty bearer": "Bearer",
    "malformed": "Bearer not.a.token",
    "garbage": "Bearer " + "x" * 300,
    "expired": "Bearer " + signed(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "wrong signature": "Bearer " + signed(secret="an-attackers-own-secret-of-32-bytes!"),
    "wrong audience": "Bearer " + signed(aud="another-application"),
    "no audience": "Bearer " + signed(aud=None),
    "wrong issuer": "Bearer " + signed(iss="https://evil.example"),
    "no expiry": "Bearer " + signed(exp=None),
    "unsigned (alg none)": "Bearer " + jwt.encode(claims(), key="", algorithm="none"),
    "the internal token instead": "Bearer "
    + jwt.encode({**claims(), "aud": INTERNAL_AUDIENCE, "iss": INTERNAL_ISSUER}, INTERNAL_SECRET, algorithm="HS256"),
}


@pytest.fixture
async def repair_order(gateway: httpx.AsyncClient) -> tuple[str, tuple[str, ...]]:
    """A real record at the site, and what would give it away."""
    advisor = await login(gateway, GROUP, SITE, "advisor", user=f"advisor-{uuid.uuid4().hex[:6]}")
    ro = (await advisor.ok("POST", "repair-orders", VISIT, status=201))["repair_order_id"]
    return ro, (ro, CUSTOMER["name"], CUSTOMER["phone"], VIN)


async def test_a_token_the_gateway_cannot_trust_gets_401_and_no_data(
    gateway: httpx.AsyncClient, repair_order: tuple[str, tuple[str, ...]]
) -> None:
    ro, secrets = repair_order
    valid = await gateway.get(
        f"/api/v1/sites/{SITE}/repair-orders/{ro}", headers={"Authorization": "Bearer " + signed()}
    )
    assert valid.status_code == 200, "a valid token reads the record, so the refusals below are the token's doing"

    async def attempt(authorization: str | None) -> httpx.Response:
        headers = {"Authorization": authorization} if authorization else {}
        return await gateway.get(f"/api/v1/sites/{SITE}/repair-orders/{ro}", headers=headers)

    for what, authorization in UNTRUSTED.items():
        for response in (await attempt(authorization), await gateway.get("/api/v1/me", headers=_h(authorization))):
            assert response.status_code == 401, f"{what}: {response.status_code} {response.text}"
            assert response.json()["error"]["code"] == "unauthenticated", what
            assert not [s for s in secrets if s in response.text], f"{what}: {response.text}"

    # A genuine token that names no dealer group or no role known here: the bearer is known and
    # may do nothing (403; signing in again would not help), and still sees no data.
    for what, authorization in {
        "no group": "Bearer " + signed(group=None),
        "only unknown roles": "Bearer " + signed(roles=["root"]),
    }.items():
        for response in (await attempt(authorization), await gateway.get("/api/v1/me", headers=_h(authorization))):
            assert response.status_code == 403, f"{what}: {response.status_code} {response.text}"
            assert not [s for s in secrets if s in response.text], f"{what}: {response.text}"


def _h(authorization: str | None) -> dict[str, str]:
    return {"Authorization": authorization} if authorization else {}


async def test_a_request_that_bypassed_the_gateway_gets_401_at_every_endpoint(
    gateway: httpx.AsyncClient, system: RunningSystem, repair_order: tuple[str, tuple[str, ...]]
) -> None:
    ro, secrets = repair_order
    document = (await gateway.get("/openapi.json")).json()
    requests = Requests(document, ids={"repair_order_id": ro})
    # (The gateway's own documents are no service's.)
    endpoints = [e for e in site_endpoints(document) if OWNERS.get(e.template.split("/")[0]) == "reception"]
    assert len(endpoints) > 10
    someone = Identity("advisor-x", "X", GROUP, frozenset({"advisor"}), frozenset({SITE}))
    forged = {
        "no identity": None,
        "forged identity": jwt.encode(
            {**claims(aud=INTERNAL_AUDIENCE, iss=INTERNAL_ISSUER), "sites": [SITE]}, "not-the-internal-secret-but-long!"
        ),
        "expired identity": jwt.encode(
            claims(aud=INTERNAL_AUDIENCE, iss=INTERNAL_ISSUER, exp=int(time.time()) - 5), INTERNAL_SECRET
        ),
        "a user's token": signed(),
    }
    assert issue_internal_token(someone)  # (a good one works: the matrix's direct checks use it)

    async def direct(endpoint: Endpoint, identity: str | None) -> tuple[int, str]:
        headers = {"X-Dealerflow-Identity": identity} if identity else {}
        url = system.url("reception") + requests.url(endpoint, SITE).removeprefix("/api/v1")
        async with httpx.AsyncClient(timeout=30) as client:
            with_stream = {"Accept": "text/event-stream"} if endpoint.streams else {}
            response = await client.request(
                endpoint.method, url, params=requests.params(endpoint), json=requests.body(endpoint),
                headers={**headers, **with_stream},
            )  # fmt: skip
        return response.status_code, response.text

    cases = [(endpoint, what, token) for endpoint in endpoints for what, token in forged.items()]
    answers = await bounded(partial(direct, endpoint, token) for endpoint, _, token in cases)
    wrong = [
        f"{endpoint.key} with {what}: {status} {text[:150]}"
        for (endpoint, what, _), (status, text) in zip(cases, answers, strict=True)
        if status != 401 or any(s in text for s in secrets)
    ]
    assert not wrong, "\n".join(wrong)


async def test_a_client_over_its_rate_gets_429_with_retry_after_and_others_are_served(
    gateway: httpx.AsyncClient,
) -> None:
    eager = await login(gateway, GROUP, SITE, "advisor", user="eager-advisor")
    calm = await login(gateway, GROUP, SITE, "cashier", user="calm-cashier")

    async def burst(person: Person, count: int) -> list[httpx.Response]:
        return list(await asyncio.gather(*(person.get("repair-orders") for _ in range(count))))

    flood = await burst(eager, 3 * BURST)
    limited = [r for r in flood if r.status_code == 429]
    served = [r for r in flood if r.status_code == 200]
    assert limited, [r.status_code for r in flood]
    assert len(served) <= BURST + 2, [r.status_code for r in flood]  # +2: tokens refilled meanwhile
    for response in limited:
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"]["code"] == "rate_limited"
    assert (await calm.get("repair-orders")).status_code == 200, "another client keeps its own allowance"

    # Refused requests take no token, so asking again until served does not push the time back.
    wait = int(limited[-1].headers["Retry-After"])
    again = await eventually(
        lambda: eager.get("repair-orders"), until=lambda r: r.status_code == 200, what="served again", timeout=wait + 3
    )
    assert again.status_code == 200


async def test_an_address_guessing_tokens_gets_429_while_its_valid_tokens_are_served(
    gateway: httpx.AsyncClient,
) -> None:
    """Refused tokens are counted per address (the gateway trusts X-Forwarded-For from its own
    proxy only; here the test client is that proxy). A dealership's users share one address, so
    a valid token from it is still served, and another address still gets its plain 401."""
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    guessed = "Bearer " + signed(secret="a-guessed-secret-at-least-32-bytes!")
    answers = [await gateway.get("/api/v1/me", headers={**guesser, "Authorization": guessed}) for _ in range(50)]
    statuses = [response.status_code for response in answers]
    assert statuses[:REFUSAL_BURST] == [401] * REFUSAL_BURST, statuses
    assert statuses[-1] == 429, statuses
    assert statuses.count(429) >= 5, statuses
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].json()["error"]["code"] == "rate_limited"

    valid = await gateway.get("/api/v1/me", headers={**guesser, "Authorization": "Bearer " + signed()})
    assert valid.status_code == 200, valid.text
    elsewhere = await gateway.get("/api/v1/me", headers={"X-Forwarded-For": "198.51.100.9", "Authorization": guessed})
    assert elsewhere.status_code == 401
