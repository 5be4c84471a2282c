"""`bench.screens` run once, on one screen, against a running system: it measures and reports
(no timing is asserted: the figures are the benchmark's, in bench/results/screens.md)."""

from __future__ import annotations

from bench.screens import bench, chosen


def test_the_screen_benchmark_measures_a_screen_against_the_static_baseline() -> None:
    text, baseline, (booking,) = bench(["booking"], chosen("booking"), runs=1, command="pytest")
    assert baseline.paints[0] > 0
    assert baseline.clicks[0] > 0
    assert booking.key == "booking"
    assert booking.paints[0] > 0
    assert booking.action == "show the day"  # the day's GET form was found and clicked
    assert booking.clicks[0] > 0
    assert "| booking | `/booking` |" in text
    assert "Load average at the end" in text
