""" "Today" is the site's today: its time zone comes from booking's capacity plan."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from api_helpers import GROUP_A, SA, SITE, SM, START, TODAY, Service

from events.catalog.booking import CapacitySet
from events.envelope import Metadata, Tenant
from events.kafka import KafkaSettings
from events.testing import eventually
from events.testing.publishing import Publisher


async def test_a_change_without_a_date_takes_effect_today_in_the_sites_time_zone(
    service: Service, postgres_url: str, kafka: KafkaSettings
) -> None:
    # 02:00 UTC is already the 7th in Shanghai (the default) but still the 6th in Los Angeles.
    plan = CapacitySet(
        site_id=uuid.UUID(SITE), timezone="America/Los_Angeles", opens_at=time(8), closes_at=time(17), slot_minutes=30,
        open_weekdays=(1, 2, 3, 4, 5), advisors=("sa-1",), receptions_per_advisor=2, technicians=4, bays=4,
        workshop_minutes_per_slot=120, set_at=START,
    )  # fmt: skip
    before = await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 38000}})
    assert before["effective_from"] == TODAY.isoformat()

    meta = Metadata(Tenant(GROUP_A, SITE), "sm-1", str(uuid.uuid4()))
    await Publisher(postgres_url, kafka).publish(meta, (f"capacity-{SITE}", plan))
    pool = service.app.state.runtime.pool
    zone = "SELECT time_zone FROM catalogue_site_zones WHERE site_id = $1"
    await eventually(lambda: pool.fetchval(zone, SITE), until=lambda z: z == "America/Los_Angeles", what="zone")

    yesterday = (TODAY - timedelta(days=1)).isoformat()
    rates = await service.call("GET", "/labour-rates", SA, expect=404)  # the 7th's rates are not in force on the 6th
    assert rates["error"]["code"] == "not_found"
    after = await service.call("PUT", "/labour-rates", SM, json={"rates": {"CUSTOMER_PAY": 36000}})
    assert after["effective_from"] == yesterday
