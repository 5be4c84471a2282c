"""Where the outside parties are, and the credentials they gave us. The defaults are the local
stand-ins' (`make run` starts them on port 8090); production sets its provider's and province's."""

from __future__ import annotations

from pydantic import Field

from events.settings import Settings


class OutboundSettings(Settings):
    einvoice_url: str = "http://127.0.0.1:8090/einvoice/api/v1"
    einvoice_key: str = Field(default="local-einvoice-key", repr=False)
    erecord_url: str = "http://127.0.0.1:8090/erecord/api/v1"
    erecord_account: str = "dealerflow-local"
    erecord_key: str = Field(default="local-erecord-key", repr=False)
    # A call that takes longer is counted as the party being unavailable (and tried again).
    outbound_timeout_seconds: float = Field(default=10.0, gt=0)
