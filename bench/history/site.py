"""Who and when: the site's tenant and id, its staff, its opening hours and the units of time
the generator counts in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import NAMESPACE_URL, uuid5

from events.envelope import Tenant

TENANT = Tenant("g-bench", "s-bench")
# Booking, parts and complaints name the site by a UUID in their stream ids and payloads.
SITE_ID = uuid5(NAMESPACE_URL, "https://dealerflow.dev/bench/sites/s-bench")
TZ = timezone(timedelta(hours=8))  # Asia/Shanghai, no daylight saving
FIRST_DAY = datetime(2026, 1, 1, tzinfo=TZ)
BOOKING_LEAD_DAYS = 14  # appointments are taken up to two weeks ahead

ADVISORS = tuple(f"sa-{n:02d}" for n in range(1, 9))
TECHNICIANS = tuple(f"tech-{n:02d}" for n in range(1, 17))
BAYS = tuple(f"bay-{n:02d}" for n in range(1, 15))
FOREMEN = ("foreman-1", "foreman-2")
INSPECTORS = ("qc-1", "qc-2")
AGENTS = ("cs-01", "cs-02", "cs-03", "cs-04")
CS_LEAD, SERVICE_MANAGER, PARTS_CLERK, CASHIER, SYSTEM = "cs-lead", "sm-1", "parts-1", "cashier-1", "system"

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WORKSHOP_OPENS, WORKSHOP_CLOSES = timedelta(hours=8), timedelta(hours=18, minutes=30)
DESK_OPENS, DESK_CLOSES = timedelta(hours=9), timedelta(hours=18)
