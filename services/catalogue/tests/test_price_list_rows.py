"""Reading a parts price file: every bad row named with its line, money in whole fen only,
supersessions checked — pure, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.catalogue_import import price_file
from catalogue.price_list.rows import (
    MAX_LISTED,
    InvalidRows,
    PriceFile,
    RowError,
    _read_at_once,
    read_line_by_line,
    read_price_file,
)

HEADER = "part_number,description,list_price,cost,oem,superseded_by\n"
LIST_KEY = 7


def read(body: str, *, header: str = HEADER) -> PriceFile:
    return read_price_file((header + body).encode(), LIST_KEY)


def refusal(body: str, *, header: str = HEADER) -> list[RowError]:
    with pytest.raises(InvalidRows) as refused:
        read(body, header=header)
    return refused.value.errors.listed


def test_a_good_file_gives_one_record_per_part_in_fen() -> None:
    parsed = read(
        "90915-yzze1,机油滤清器 Oil filter,6800,4420,Y,\n"
        "04465-02220 , 前刹车片 Front brake pads ,48000,31200,N,04465-02240\n"
        "04465-02240,前刹车片 Front brake pads,49500,32100,是,\n"
    )
    assert parsed.records == [  # sorted by part number: the order they are loaded in
        (LIST_KEY, "04465-02220", "前刹车片 Front brake pads", 48000, 31200, False, "04465-02240"),
        (LIST_KEY, "04465-02240", "前刹车片 Front brake pads", 49500, 32100, True, None),
        (LIST_KEY, "90915-YZZE1", "机油滤清器 Oil filter", 6800, 4420, True, None),
    ]
    assert parsed.superseded == 1
    assert len(parsed.checksum) == 64


def test_columns_in_any_order_an_excel_bom_and_crlf_lines_are_read() -> None:
    data = "\ufeffoem,part_number,superseded_by,cost,list_price,description\r\nY,90915-YZZE1,,4420,6800,Oil filter\r\n"
    parsed = read_price_file(data.encode(), LIST_KEY)
    assert parsed.records == [(LIST_KEY, "90915-YZZE1", "Oil filter", 6800, 4420, True, None)]


def test_every_bad_row_is_named_with_its_line_and_field() -> None:
    errors = refusal(
        "90915-YZZE1,Oil filter,6800,4420,Y,\n"  # line 2: good
        ",No number,100,50,Y,\n"  # line 3
        "90915-YZZE1,Oil filter again,6800,4420,Y,\n"  # line 4: duplicate of line 2
        "04465-02220,,48000,31200,N,\n"  # line 5: no description
        "04465-02240,Pads,48000,31200,maybe,\n"  # line 6
        "04465-02250,Pads,48000\n"  # line 7: too few fields
    )
    assert [(e.line, e.field) for e in errors] == [
        (3, "part_number"),
        (4, "part_number"),
        (5, "description"),
        (6, "oem"),
        (7, None),
    ]
    assert "line 2" in errors[1].reason


@pytest.mark.parametrize(
    ("price", "says"),
    [
        ("68.00", "decimal point"),
        ("68", None),
        ("6.8e3", "float"),
        ("-100", "negative"),
        ("", "required"),
        ("六十八", "not a whole number"),
        ("\uff11\uff12", "not a whole number"),  # full-width digits: not ASCII
        ("1234567890123", "more than 12 digits"),
    ],
)
def test_money_is_whole_fen_or_the_row_is_refused(price: str, says: str | None) -> None:
    body = f"90915-YZZE1,Oil filter,{price},4420,Y,\n"
    if says is None:
        assert read(body).records[0][3] == int(price)
        return
    [error] = refusal(body)
    assert (error.line, error.field) == (2, "list_price")
    assert says in error.reason


def test_a_float_cost_is_refused_too() -> None:
    [error] = refusal('90915-YZZE1,Oil filter,6800,"44,20",Y,\n')
    assert (error.line, error.field) == (2, "cost")


def test_a_quoted_description_over_two_lines_keeps_the_line_numbers_of_the_file() -> None:
    errors = refusal('90915-YZZE1,"Oil filter\nsecond line",6800,4420,Y,\n04465-02220,Pads,1.5,1,N,\n')
    assert [(e.line, e.field) for e in errors] == [(4, "list_price")]


def test_a_wrong_header_names_the_missing_and_unknown_columns() -> None:
    errors = refusal("90915-YZZE1,Oil filter,6800,Y\n", header="part_number,description,price,oem\n")
    assert {(e.line, e.field) for e in errors} == {(1, "price"), (1, "list_price"), (1, "cost"), (1, "superseded_by")}


def test_an_empty_file_and_a_file_of_only_a_header_are_refused() -> None:
    assert refusal("", header="")[0].line == 1
    assert refusal("")[0].reason.startswith("the file has no parts")


def test_a_file_that_is_not_utf8_is_refused_with_the_line() -> None:
    data = (HEADER + "90915-YZZE1,Oil filter,6800,4420,Y,\n").encode() + "机油滤清器".encode("gbk")
    with pytest.raises(InvalidRows) as refused:
        read_price_file(data, LIST_KEY)
    assert refused.value.errors.listed[0].line == 3


def test_a_successor_must_be_in_the_file() -> None:
    [error] = refusal("04465-02220,Pads,48000,31200,N,04465-09999\n")
    assert (error.line, error.field) == (2, "superseded_by")
    assert "04465-09999" in error.reason


def test_chains_are_accepted() -> None:
    parsed = read("A-1,Old,100,50,Y,A-2\nA-2,Newer,110,55,Y,A-3\nA-3,Newest,120,60,Y,\n")
    assert parsed.superseded == 2


def test_a_supersession_cycle_is_refused_on_every_line_of_it() -> None:
    errors = refusal("A-1,One,100,50,Y,A-2\nA-2,Two,110,55,Y,A-3\nA-3,Three,120,60,Y,A-1\nB-1,Fine,1,1,Y,A-1\n")
    assert [(e.line, e.field) for e in errors] == [(2, "superseded_by"), (3, "superseded_by"), (4, "superseded_by")]
    assert "A-1 → A-2 → A-3 → A-1" in errors[0].reason


def test_a_part_superseding_itself_is_refused() -> None:
    [error] = refusal("A-1,One,100,50,Y,a-1\n")
    assert (error.line, error.field) == (2, "superseded_by")


def test_the_list_of_errors_is_capped_but_every_error_counted() -> None:
    with pytest.raises(InvalidRows) as refused:
        read("".join(f"P-{i},Part,1.5,1,Y,\n" for i in range(MAX_LISTED + 500)))
    assert len(refused.value.errors.listed) == MAX_LISTED
    assert refused.value.errors.count == MAX_LISTED + 500
    assert refused.value.errors.listed[-1].line == MAX_LISTED + 1


def test_the_fast_pass_and_the_line_pass_read_a_good_file_alike() -> None:
    # A good file is read by one regular expression; the line-by-line pass (which names faults)
    # must agree with it on every part, or a file could import differently from how it is checked.
    data = price_file(5000, seed=3)
    fast = _read_at_once(data, LIST_KEY)
    assert fast is not None, "a plain file takes the fast pass"
    careful = read_line_by_line(data, LIST_KEY)
    assert fast.records == careful.records
    assert fast.superseded == careful.superseded > 0
    assert fast.checksum == careful.checksum
    reordered = _read_at_once(b"oem,part_number,superseded_by,cost,list_price,description\nY,P-1,,4420,6800,Oil\n", 7)
    assert reordered is not None, "columns in another order take the fast pass too"
    assert reordered.records == [(7, "P-1", "Oil", 6800, 4420, True, None)]


def test_a_duplicate_far_down_the_file_is_found() -> None:
    many = 40_000
    rows = "".join(f"P-{i},Part,100,50,Y,\n" for i in range(many))
    [error] = refusal(rows + "P-3,Again,100,50,Y,\n")
    assert (error.line, error.field) == (many + 2, "part_number")
    assert "line 5" in error.reason


def test_what_the_column_pass_refuses_the_line_pass_judges() -> None:
    # Blanks around money, a lower-case flag, a blank line: unusual, not wrong.
    parsed = read("P-1,Oil filter, 6800 , 4420,y ,\n\n04465-02220,Pads,48000,31200,N,\n")
    assert [(r[1], r[3], r[4], r[5]) for r in parsed.records] == [
        ("04465-02220", 48000, 31200, False),
        ("P-1", 6800, 4420, True),
    ]


def test_the_example_price_file_imports() -> None:
    example = Path(__file__).resolve().parents[3] / "examples/catalogue/parts_price_list.csv"
    parsed = read_price_file(example.read_bytes(), LIST_KEY)
    assert len(parsed.records) == 18
    assert parsed.superseded == 2
