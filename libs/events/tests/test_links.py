"""Signed customer links: what a link's holder can and cannot make a service believe."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import ClassVar

import pytest

from events.links import LinkClaims, LinkExpired, LinkInvalid, read_link, sign_link, token_digest
from events.settings import Settings, SettingsError, load

SECRET = b"test-link-secret"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CLAIMS = LinkClaims(
    purpose="approval",
    site_id="site-1",
    subject="6f1c2a52-2f3e-4c41-9d7e-6a9e1f0b3c11",
    scope="round-2",
    expires_at=NOW + timedelta(hours=24),
)


def _payload(token: str) -> list[object]:
    payload = token.split(".")[0]
    body: list[object] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return body


def _with_payload(token: str, body: list[object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{payload}.{token.split('.')[1]}"


def test_a_link_reads_back_as_the_claims_it_was_signed_with() -> None:
    token = sign_link(CLAIMS, SECRET)
    assert read_link(token, SECRET, purpose="approval", now=NOW) == CLAIMS
    # It goes into a URL path as it is.
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_claims_keep_utc_to_the_second_so_they_round_trip_from_any_zone() -> None:
    beijing = timezone(timedelta(hours=8))
    claims = LinkClaims("approval", "site-1", "ro-1", "v3", datetime(2026, 12, 8, 17, 0, 0, 987654, tzinfo=beijing))
    assert claims.expires_at == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    assert read_link(sign_link(claims, SECRET), SECRET, purpose="approval", now=NOW) == claims
    with pytest.raises(ValueError, match="timezone-aware"):
        LinkClaims("approval", "site-1", "ro-1", "v3", datetime(2026, 12, 8, 17, 0))


def test_non_ascii_claims_survive() -> None:
    claims = LinkClaims("approval", "站点-1", "ro-1", "第二轮", NOW + timedelta(hours=1))
    assert read_link(sign_link(claims, SECRET), SECRET, purpose="approval", now=NOW) == claims


def test_a_link_pointed_at_another_subject_is_invalid() -> None:
    token = sign_link(CLAIMS, SECRET)
    body = _payload(token)
    body[3] = "another-repair-order"
    with pytest.raises(LinkInvalid):
        read_link(_with_payload(token, body), SECRET, purpose="approval", now=NOW)


def test_a_link_given_a_later_expiry_is_invalid_not_expired_or_accepted() -> None:
    token = sign_link(LinkClaims("approval", "site-1", "ro-1", "r1", NOW - timedelta(hours=1)), SECRET)
    body = _payload(token)
    body[5] = int((NOW + timedelta(days=30)).timestamp())
    with pytest.raises(LinkInvalid):
        read_link(_with_payload(token, body), SECRET, purpose="approval", now=NOW)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature's last character
        lambda t: t.split(".")[0],  # no signature
        lambda t: "." + t.split(".")[1],  # no claims
        lambda t: t + "x",
        lambda t: "",
        lambda t: "not a token at all",
        lambda t: t.replace(".", ".é"),
        lambda t: t.upper(),
    ],
)
def test_tampered_or_malformed_tokens_are_invalid(mangle: object) -> None:
    token = sign_link(CLAIMS, SECRET)
    assert callable(mangle)
    bad = mangle(token)
    assert bad != token
    with pytest.raises(LinkInvalid):
        read_link(bad, SECRET, purpose="approval", now=NOW)


def test_a_link_signed_with_another_secret_is_invalid() -> None:
    token = sign_link(CLAIMS, b"someone-elses-secret")
    with pytest.raises(LinkInvalid):
        read_link(token, SECRET, purpose="approval", now=NOW)


def test_a_genuine_link_of_another_purpose_is_invalid() -> None:
    token = sign_link(CLAIMS, SECRET)
    with pytest.raises(LinkInvalid):
        read_link(token, SECRET, purpose="appointment", now=NOW)


def test_a_link_expires_at_its_expiry_and_not_before() -> None:
    token = sign_link(CLAIMS, SECRET)
    assert read_link(token, SECRET, purpose="approval", now=CLAIMS.expires_at - timedelta(seconds=1)) == CLAIMS
    with pytest.raises(LinkExpired):
        read_link(token, SECRET, purpose="approval", now=CLAIMS.expires_at)


def test_an_expired_link_that_is_also_tampered_is_invalid() -> None:
    # Expiry is only ever said of a genuine link: a forged one learns nothing more.
    token = sign_link(CLAIMS, SECRET)
    with pytest.raises(LinkInvalid):
        read_link(token[:-2] + "AA", SECRET, purpose="approval", now=NOW + timedelta(days=2))


def test_the_digest_is_a_stable_sha256_of_the_token() -> None:
    token = sign_link(CLAIMS, SECRET)
    assert token_digest(token) == token_digest(sign_link(CLAIMS, SECRET))
    assert set(token_digest(token)) <= set("0123456789abcdef")
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    other = sign_link(LinkClaims("approval", "site-1", CLAIMS.subject, "round-3", CLAIMS.expires_at), SECRET)
    assert token_digest(other) != token_digest(token)


def test_signing_is_deterministic() -> None:
    assert sign_link(CLAIMS, SECRET) == sign_link(CLAIMS, SECRET)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign_link(CLAIMS, b"")
    with pytest.raises(ValueError, match="secret"):
        read_link(sign_link(CLAIMS, SECRET), b"", purpose="approval", now=NOW)


class _LinkingSettings(Settings):
    verifies_links: ClassVar[bool] = True


def test_the_link_key_is_built_in_only_for_local_development(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINK_SECRET", "INTERNAL_TOKEN_SECRET", "DEALERFLOW_ENV"):
        monkeypatch.delenv(name, raising=False)
    assert load(_LinkingSettings).link_key  # make run and the tests need no setting
    monkeypatch.setenv("LINK_SECRET", "a-real-link-secret")
    assert load(_LinkingSettings).link_key == b"a-real-link-secret"


def test_outside_local_development_a_service_verifying_links_refuses_to_start_without_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LINK_SECRET", raising=False)
    monkeypatch.setenv("DEALERFLOW_ENV", "production")
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", "a-real-secret")
    with pytest.raises(SettingsError, match="LINK_SECRET must be set"):
        load(_LinkingSettings)
    # One that does not verify links starts, but can never sign with the built-in key.
    with pytest.raises(RuntimeError, match="LINK_SECRET must be set"):
        _ = load(Settings).link_key
    monkeypatch.setenv("LINK_SECRET", "a-real-link-secret")
    assert load(_LinkingSettings).link_key == b"a-real-link-secret"
