"""Reading a labour-time file: every bad row reported with its line, field and reason, and a file
with any bad row yields nothing."""

from __future__ import annotations

import pytest

from catalogue.domain.labour import LabourOperation
from catalogue.domain.labour_file import InvalidLabourFile, read_labour_file

HEADER = "code,model_family,description_zh,description_en,flat_rate_minutes,skill_level\n"


def refused(text: str | bytes) -> list[tuple[int, str | None, str]]:
    with pytest.raises(InvalidLabourFile) as refusal:
        read_labour_file(text.encode() if isinstance(text, str) else text)
    return [(e.line, e.field, e.reason) for e in refusal.value.errors.listed]


def test_a_good_file_gives_its_operations_with_codes_upper_cased() -> None:
    file = read_labour_file(
        (
            HEADER
            + "oil01,Camry,更换机油,Oil change,30,1\n"
            + "OIL01,*,更换机油,Oil change,25,1\n"
            + "BRK10,Camry,前刹车片,Front pads,60,2\n"
        ).encode()
    )
    assert file.operations[0] == LabourOperation("OIL01", "Camry", "更换机油", "Oil change", 30, 1)
    assert [op.model_family for op in file.operations] == ["Camry", "*", "Camry"]
    assert file.codes == 2
    assert len(file.checksum) == 64


def test_columns_may_come_in_any_order_and_an_excel_bom_is_ignored() -> None:
    header = "skill_level,flat_rate_minutes,description_en,description_zh,model_family,code\n"
    text = "\ufeff" + header + "1,30,Oil,机油,Camry,OIL01\n"
    (op,) = read_labour_file(text.encode()).operations
    assert (op.code, op.flat_rate_minutes, op.skill_level) == ("OIL01", 30, 1)


def test_every_bad_row_is_reported_with_its_line_field_and_reason() -> None:
    errors = refused(
        HEADER
        + "OIL01,Camry,更换机油,Oil change,30,1\n"  # line 2: good
        + "OIL02,Camry,更换机油,Oil change,0.5,1\n"  # line 3: hours, not minutes
        + ",Camry,空,Empty,10,1\n"  # line 4: no code
        + "OIL03,Camry,,Oil,10,9\n"  # line 5: no zh description, skill 9
        + "OIL01,Camry,重复,Duplicate,30,1\n"  # line 6: (OIL01, Camry) again
        + "OIL04,Camry,短行\n"  # line 7: too few fields
    )
    assert errors == [
        (3, "flat_rate_minutes", "'0.5' is not whole minutes (0.5 hours is written 30)"),
        (4, "code", "required"),
        (5, "description_zh", "required"),
        (5, "skill_level", "'9' is not a whole number from 1 to 5"),
        (6, "code", "OIL01 for Camry is already on line 2"),
        (7, None, "3 fields where the header has 6"),
    ]


def test_the_same_code_for_another_family_is_not_a_duplicate() -> None:
    file = read_labour_file((HEADER + "OIL01,Camry,机油,Oil,30,1\nOIL01,Corolla,机油,Oil,25,1\n").encode())
    assert len(file.operations) == 2


def test_a_wrong_header_names_the_missing_and_unknown_columns() -> None:
    errors = refused("code,family,description_zh,description_en,flat_rate_minutes,skill_level\nA,B,C,D,1,1\n")
    assert (1, "family", "unknown column 'family': the columns are " + HEADER.strip()) in errors
    assert (1, "model_family", "missing column") in errors


def test_an_empty_file_and_a_file_of_only_a_header_are_refused() -> None:
    assert refused("") == [(1, None, "the first line must name the columns: " + HEADER.strip())]
    assert refused(HEADER)[0][0] == 1


def test_a_gbk_file_is_refused_at_the_line_of_the_first_undecodable_byte() -> None:
    data = HEADER.encode() + "OIL01,Camry,机油,Oil,30,1\n".encode("gbk")
    assert refused(data) == [
        (2, None, "not UTF-8 text: save the file as 'CSV UTF-8' (a GBK file must be converted first)")
    ]


def test_a_family_star_must_stand_alone() -> None:
    assert refused(HEADER + "OIL01,Cam*,机油,Oil,30,1\n") == [
        (2, "model_family", "'Cam*' is not a model family (or * alone for every family)")
    ]
