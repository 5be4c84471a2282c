"""A year of one large site's events: the count per event type, and how long generating it took."""

from __future__ import annotations

import argparse
import gc
import time
from collections import Counter

from bench.history.year import year_of_one_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--per-day", type=int, default=110, help="repair orders a day (110)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # The planned events (a few weeks' worth of pydantic objects) would be walked by every full
    # collection: a third of the time. Nothing here makes cycles worth collecting.
    gc.disable()
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    streams: set[str] = set()
    for envelope in year_of_one_site(days=args.days, repair_orders_per_day=args.per_day, seed=args.seed):
        counts[envelope.event.event_type] += 1
        streams.add(envelope.stream_id)
    took = time.perf_counter() - started
    for event_type, count in sorted(counts.items()):
        print(f"{count:>10,}  {event_type}")
    total = sum(counts.values())
    print(f"{total:>10,}  events of {len(counts)} types on {len(streams):,} streams, in {took:.1f} s "
          f"({total / took:,.0f} events/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
