"""A year of one large site's events: the history `bench.rebuild` replays into the read models.

`year_of_one_site()` yields the envelopes of one dealership (tenant `g-bench`/`s-bench`) in the
order its services would have recorded them: day by day, the cars of a day interleaved —
bookings days ahead, the morning's check-ins, the workshop's jobs, additional work, parts
shortages, progress checks and quality checks through the day, the afternoon's settlements and
deliveries, callbacks 2-3 days after delivery (a second one within the week), complaints
walked through their steps over the following days. Every event is a real catalog contract
built with normal pydantic validation; stream ids are the services' own
(`repair_order-<uuid>`, `work_order-<ro>`, `stock-<site>:<part>`, `callback-<uuid>`, …), versions
run 1, 2, 3… per stream, and `occurred_at` = `recorded_at` = the simulated moment.

Deterministic: the same seed gives the same events, ids included. With the defaults (365 days,
110 repair orders a day) it yields 1,989,277 events of 95 types on 238,608 streams (seed 0; ~50
per repair order), in about 85 s on this project's 2-core machine with the garbage collector off
(140 s with it on: its full collections walk the weeks of planned events; a caller that keeps
the events should switch it off meanwhile, as `bench.rebuild` does).
`python -m bench.history [--days N]` prints the count per event type and how long it took.

One module per part: the site (`site`), its reference data (`reference`), followup's ids and
due times (`followup_rules`), what is tracked between steps (`state`), the planner (`planner`),
one module per service's steps (`booking`, `checkin`, `workshop`, `parts`, `reception`,
`followup`, `complaints`) and the year (`year`).

Booking, parts and complaints name the site by a UUID in their stream ids (`capacity-<site>`,
`stock-<site>:<part>`, `complaint_settings-<site>`): `SITE_ID`, derived from the tenant's name.

The site is open every day (08:00-18:30 in the workshop, 09:00-18:00 for the callback desk,
Asia/Shanghai time); proportions are ours, chosen from the seeds (docs/domain.md): ~60 % of visits
by appointment (some rescheduled, cancelled or no-show), 1-4 jobs per repair order, additional
work found on ~30 % (about 60 % approved), parts short for ~10 %, QC failed ~5 %, some cars
late, a callback for every delivery (refusals, unreachable customers, do-not-call files) and a
complaint from ~5 % of the calls.
"""

from bench.history.site import SITE_ID, TENANT
from bench.history.year import year_of_one_site

__all__ = ["SITE_ID", "TENANT", "year_of_one_site"]
