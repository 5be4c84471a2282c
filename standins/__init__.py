"""Local stand-ins of the outside parties billing talks to: the e-invoice (fapiao) provider
and the provincial repair e-record platform (JT/T 1132). They are not part of dealerflow: they
answer like the real parties do, record what they received under `var/standins/`, and show it
on a page, so `make run` works end to end with nothing outside the machine (decision 0017).

`make run` starts them on `PORT` (8090); tests start their own with `running`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

PORT = 8090
# The credentials the local e-record platform accepts, and billing's defaults (ERECORD_ACCOUNT,
# ERECORD_KEY; EINVOICE_KEY), so the two agree out of the box. Real ones come from the province
# and the provider.
ERECORD_ACCOUNT = "dealerflow-local"
ERECORD_KEY = "local-erecord-key"
EINVOICE_KEY = "local-einvoice-key"


def url(port: int = PORT) -> str:
    return f"http://127.0.0.1:{port}"


@contextmanager
def running(port: int, data: Path | None = None) -> Iterator[str]:
    """The stand-ins as a real process on `port` (recording under `data`, a fresh folder by
    default) until the block ends; yields their base URL."""
    from events.local.ports import wait_for_port

    folder = data or Path(tempfile.mkdtemp(prefix="dealerflow-standins-"))
    env = {**os.environ, "PORT": str(port), "STANDINS_DATA": str(folder)}
    log = open(folder / "standins.log", "ab")  # noqa: SIM115 - closed below
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen([sys.executable, "-m", "standins"], env=env, cwd=root, stdout=log, stderr=log)
    try:
        wait_for_port(port, timeout=60)
        yield url(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def billing_env(base_url: str) -> dict[str, str]:
    """The settings that point billing at stand-ins running at `base_url` (a system test's
    `RunningSystem(..., extra_env=standins.billing_env(url))`)."""
    return {
        "EINVOICE_URL": f"{base_url}/einvoice/api/v1",
        "EINVOICE_KEY": EINVOICE_KEY,
        "ERECORD_URL": f"{base_url}/erecord/api/v1",
        "ERECORD_ACCOUNT": ERECORD_ACCOUNT,
        "ERECORD_KEY": ERECORD_KEY,
    }


def messages_env(base_url: str) -> dict[str, str]:
    """The settings that point the notifications service at the message receivers of stand-ins
    running at `base_url` (SMS gateway, WeChat, and the SMTP server on the port they report)."""
    with urlopen(f"{base_url}/mail/admin/smtp", timeout=10) as answer:
        smtp_port = json.load(answer)["port"]
    return {"SMS_URL": f"{base_url}/sms/api/v1", "WECHAT_URL": f"{base_url}/wechat", "SMTP_PORT": str(smtp_port)}
