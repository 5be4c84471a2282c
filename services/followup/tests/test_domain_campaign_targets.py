"""A campaign's or recall's targets imported as a VIN list (CSV): one VIN a line, an optional
header; every bad row is reported with its line and why, the good ones kept once each."""

from __future__ import annotations

from followup.domain.campaign_targets import RowError, read_vin_list

GOOD = "LFV2A21K8G3000001"
OTHER = "LSVAM4187C2184847"


def test_a_vin_list_with_a_header_is_read_in_order() -> None:
    vins, errors = read_vin_list(f"vin\n{GOOD}\n {OTHER.lower()} \n")
    assert vins == [GOOD, OTHER]
    assert errors == []


def test_bad_rows_are_reported_with_their_line_and_reason() -> None:
    text = f"VIN,note\n{GOOD},ok\nLFV2A21K8G300000\n\nLFV2A21K8G300000I\n{GOOD}\nLFV2A21K8G3000002,x,y\n"
    vins, errors = read_vin_list(text)
    assert vins == [GOOD, "LFV2A21K8G3000002"]
    assert errors == [
        RowError(3, "not_17_characters"),
        RowError(5, "invalid_characters"),
        RowError(6, "duplicate"),
    ]


def test_an_empty_list_says_so() -> None:
    vins, errors = read_vin_list("vin\n")
    assert vins == []
    assert errors == [RowError(1, "no_vins")]
