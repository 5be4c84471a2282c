"""Where the providers are, and the credentials they gave us. The defaults are the local
stand-ins' (`make run` starts them: HTTP on 8090, SMTP on 8025); production sets its own."""

from __future__ import annotations

from pydantic import Field

from events.services import service_url
from events.settings import Settings


class ProviderSettings(Settings):
    sms_url: str = "http://127.0.0.1:8090/sms/api/v1"
    sms_key: str = Field(default="local-sms-key", repr=False)
    wechat_url: str = "http://127.0.0.1:8090/wechat"
    wechat_app_id: str = "wx-dealerflow-local"
    wechat_secret: str = Field(default="local-wechat-secret", repr=False)
    wechat_template_id: str = "dealerflow-service-notice"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str = "dealerflow-local"
    smtp_password: str = Field(default="local-smtp-password", repr=False)
    smtp_from: str = "service@dealerflow.local"
    # Where providers report delivery: this service as they reach it (behind the edge in production);
    # empty: NOTIFICATIONS_URL, the address the other services know it by (`events.services`).
    notifications_public_url: str = ""
    # A call that takes longer is counted as the provider being unavailable (and tried again).
    outbound_timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def public_url(self) -> str:
        return self.notifications_public_url or service_url("notifications")
