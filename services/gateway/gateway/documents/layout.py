"""The paper every document is printed on: A4, one typeface, a title block, label/value fields,
tables of lines, totals and signature lines; and how values are written on it — money from fen
(integers only), times in the site's time zone, codes in the reader's language.

A document module turns a service's view into calls on a `Sheet`; it never sets a font, a
position or a colour itself, so all documents look alike and change together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Concatenate, Literal, ParamSpec
from zoneinfo import ZoneInfo

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, WrapMode

from gateway.documents.fonts import Font

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
# A document's words: key → (Chinese, English). One table per document, beside its layout.
Labels = Mapping[str, tuple[str, str]]
View = Mapping[str, Any]

FAMILY = "body"
MISSING = "—"
_TITLE_SIZE, _BODY_SIZE, _SMALL_SIZE = 16, 9.5, 7.5
_LINE = 5.2  # mm per line of body text
_GREY = (235, 235, 235)

COMMON: Labels = {
    "site": ("门店", "Site"),
    "printed": ("打印时间", "Printed"),
    "page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "time_zone": ("时区", "Time zone"),
    "signature_customer": ("客户签字", "Customer's signature"),
    "signature_advisor": ("服务顾问签字", "Service advisor's signature"),
    "date": ("日期", "Date"),
}
PAY_TYPES: Labels = {
    "CUSTOMER_PAY": ("客户付费", "Customer pay"),
    "WARRANTY": ("保修", "Warranty"),
    "INTERNAL": ("内部", "Internal"),
    "DEALER": ("经销商善意", "Dealer goodwill"),
    "MANUFACTURER": ("厂家善意", "Manufacturer goodwill"),
    "SUBLET": ("外协", "Sublet"),
    "SERVICE_CONTRACT": ("保养合同", "Service contract"),
}


def money(fen: int) -> str:
    """¥1,234.56 from 123456 fen, by integer division: a float never touches money."""
    yuan, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}¥{yuan:,}.{cents:02d}"


@dataclass(frozen=True)
class Paper:
    """What every page of one document shares: the reader's language, the site and its time
    zone, the font, and when it was printed."""

    lang: Language
    zone: ZoneInfo
    font: Font
    site_id: str
    printed_at: datetime

    def word(self, labels: Labels, key: str) -> str:
        zh, en = labels[key] if key in labels else COMMON[key]
        return zh if self.lang == "zh" else en

    def code(self, labels: Labels, value: str | None) -> str:
        """A code (pay type, status) in the reader's language; an unknown one as it is."""
        if value is None:
            return MISSING
        if value not in labels:
            return value
        return self.word(labels, value)

    def yes_no(self, value: bool | None) -> str:
        return MISSING if value is None else self.word(COMMON, "yes" if value else "no")

    def when(self, value: str | None) -> str:
        """An instant from a view (ISO 8601 with its offset), as the site's wall-clock time."""
        if not value:
            return MISSING
        return datetime.fromisoformat(value).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def clock(self, value: str | None) -> str:
        if not value:
            return MISSING
        return datetime.fromisoformat(value).astimezone(self.zone).strftime("%H:%M")

    @staticmethod
    def day(value: str | None) -> str:
        return date.fromisoformat(value).isoformat() if value else MISSING


class _Pdf(FPDF):
    def __init__(self, paper: Paper, landscape: bool, whole_face: bool) -> None:
        super().__init__(orientation="landscape" if landscape else "portrait", unit="mm", format="A4")
        self.paper = paper
        self.set_margins(14, 14, 14)
        self.set_auto_page_break(auto=True, margin=16)
        if whole_face:
            self.add_font(FAMILY, fname=paper.font.path, collection_font_number=paper.font.face)
        else:
            self.add_font(FAMILY, fname=paper.font.common)
        self.set_font(FAMILY, size=_BODY_SIZE)

    @property
    def missing_glyphs(self) -> bool:
        return bool(getattr(self.fonts[FAMILY], "missing_glyphs", ()))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=_SMALL_SIZE)
        page = self.paper.word(COMMON, "page").format(page=self.page_no(), pages="{nb}")
        printed = (
            f"{self.paper.word(COMMON, 'printed')}: {self.paper.printed_at.astimezone(self.paper.zone):%Y-%m-%d %H:%M}"
        )
        self.cell(0, 4, f"{printed}  ({self.paper.zone.key})", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, page, align="R")


Step = Callable[[_Pdf], None]
P = ParamSpec("P")


def _step(draw: Callable[Concatenate[Sheet, _Pdf, P], None]) -> Callable[Concatenate[Sheet, P], None]:
    """A drawing method recorded as a step, so that the sheet can be set again in another face."""

    def record(sheet: Sheet, /, *args: P.args, **kwargs: P.kwargs) -> None:
        sheet.steps.append(lambda pdf: draw(sheet, pdf, *args, **kwargs))

    record.__doc__ = draw.__doc__
    return record


class Sheet:
    """One document being set: `title`, then fields, tables, totals, notes, signatures; `pdf()`.
    A wide list (many columns) is set `landscape`. Each call is recorded as a step and `pdf()`
    runs the steps on paper set in the font's common cut, or again in the whole face when a
    character is missing from the cut (fonts.py)."""

    def __init__(self, paper: Paper, title: str, reference: str, *, landscape: bool = False) -> None:
        self.paper = paper
        self.landscape = landscape
        self.steps: list[Step] = []
        self._title(title, reference)

    @_step
    def _title(self, pdf: _Pdf, title: str, reference: str) -> None:
        pdf.set_title(f"{title} {reference}")
        pdf.set_creator("dealerflow gateway")
        pdf.add_page()
        pdf.set_font(FAMILY, size=_TITLE_SIZE)
        pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, size=_BODY_SIZE)
        site = f"{self.paper.word(COMMON, 'site')}: {self.paper.site_id}"
        pdf.cell(0, _LINE, f"{site}    {reference}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    @_step
    def heading(self, pdf: _Pdf, text: str) -> None:
        pdf.ln(2)
        pdf.set_fill_color(*_GREY)
        pdf.cell(0, _LINE + 1, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    @_step
    def fields(self, pdf: _Pdf, pairs: Sequence[tuple[str, str]], columns: int = 2) -> None:
        """Label/value pairs in `columns` columns, each value wrapping within its column."""
        rows = [list(pairs[i : i + columns]) for i in range(0, len(pairs), columns)]
        widths = [1.0, 2.0] * columns
        with pdf.table(
            col_widths=widths,
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.NONE,
            text_align="LEFT",
            line_height=_LINE,
            wrapmode=WrapMode.CHAR,
        ) as table:
            for pair_row in rows:
                row = table.row()
                for label, value in pair_row:
                    row.cell(f"{label}:")
                    row.cell(value or MISSING)
                for _ in range(columns - len(pair_row)):
                    row.cell("")
                    row.cell("")

    @_step
    def table(
        self, pdf: _Pdf, headings: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], align: str
    ) -> None:
        """Lines with a shaded heading row repeated on each page; `align` has one letter per
        column (L, R, C): money right-aligned so its digits line up."""
        with pdf.table(
            col_widths=tuple(widths),
            headings_style=FontFace(emphasis=None, fill_color=_GREY),
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            text_align=tuple({"L": "LEFT", "R": "RIGHT", "C": "CENTER"}[a] for a in align),
            line_height=_LINE,
            wrapmode=WrapMode.CHAR,
            padding=(0.6, 1.0),
        ) as table:
            table.row(list(headings))
            for line in rows:
                table.row(list(line))
        pdf.ln(1)

    @_step
    def totals(self, pdf: _Pdf, pairs: Sequence[tuple[str, str]]) -> None:
        """Totals flush right under a table: label, then amount."""
        width = pdf.epw
        for label, amount in pairs:
            pdf.set_x(pdf.l_margin + width * 0.45)
            pdf.cell(width * 0.35, _LINE, label, align="R")
            pdf.cell(width * 0.20, _LINE, amount, align="R", new_x="LMARGIN", new_y="NEXT")

    @_step
    def paragraph(self, pdf: _Pdf, text: str) -> None:
        pdf.multi_cell(0, _LINE, text or MISSING, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)

    @_step
    def signatures(self, pdf: _Pdf, labels: Sequence[str]) -> None:
        """Lines to sign on, side by side, with room for the date."""
        pdf.ln(8)
        if pdf.will_page_break(18):
            pdf.add_page()
        width = pdf.epw / len(labels)
        y = pdf.get_y()
        for i, label in enumerate(labels):
            x = pdf.l_margin + i * width
            pdf.line(x, y + 10, x + width - 8, y + 10)
            pdf.set_xy(x, y + 11)
            pdf.cell(width - 8, _LINE, f"{label}    {self.paper.word(COMMON, 'date')}:")
        pdf.set_xy(pdf.l_margin, y + 18)

    def pdf(self) -> bytes:
        pdf = self._set(whole_face=False)
        if pdf.missing_glyphs:  # a character beyond the common cut: the whole face has more
            pdf = self._set(whole_face=True)
        return bytes(pdf.output())

    def _set(self, whole_face: bool) -> _Pdf:
        pdf = _Pdf(self.paper, self.landscape, whole_face)
        for step in self.steps:
            step(pdf)
        return pdf
