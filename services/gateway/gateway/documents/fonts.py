"""The typeface the documents are set in, found and checked when the gateway starts.

WenQuanYi Micro Hei (Debian's `fonts-wqy-microhei`): one face with the Chinese, Latin and
currency glyphs a dealership prints, with TrueType outlines. fpdf2 embeds those as a CIDFontType2
subset with an Identity-H encoding, which every viewer and text extractor reads back; the Noto
CJK faces beside it (`fonts-noto-cjk`) are CFF-outlined OpenType, which fpdf2 embeds behind a
custom CMap that extractors (pypdf among them) cannot decode (docs/decisions/0018).

Reading a face of 49,000 glyphs costs most of a document's time, and a document needs a few
hundred. So the gateway cuts the face once to the characters documents nearly always print
(GB2312's 6,763 hanzi, Latin, punctuation, full-width forms: 7,700 glyphs, a quarter of the
time to read) and sets each document in that cut; a document with a character outside it (a rare
name) is set again in the whole face (`Sheet.pdf`). The cut is kept in the system's temporary
folder, named for the font file it came from, so each process after the first finds it made.

A missing or unsuitable font stops the gateway at start with the package to install: a document
set without its glyphs would print as blank boxes, and nobody would notice until a customer did.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont, TTLibError  # type: ignore[import-untyped]

from events.settings import SettingsError

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_FACE = 0  # the collection's proportional face (1 is its monospaced twin)
DEBIAN_PACKAGE = "fonts-wqy-microhei"
# Characters every document prints: a font without one of them is the wrong font.
PROBE = "维修委托书发票结算¥京A0"
_CUT_VERSION = 1  # part of the cut's file name: a change to what the cut holds makes a new one


class FontMissing(SettingsError):
    """The documents' font is not installed or cannot set the documents' text (a setting of the
    machine, reported at start like a bad environment variable)."""


@dataclass(frozen=True)
class Font:
    """The whole face (`path`, `face` in its collection) and its common cut (`common`, a single
    TrueType face)."""

    path: Path
    face: int
    common: Path


def load_font(path: Path = FONT_PATH, face: int = FONT_FACE) -> Font:
    """The documents' font, once it is known to hold outlines fpdf2 embeds readably and every
    character of `PROBE`; its common cut made if no process made it before."""
    install = f"install Debian's {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}; `make run` does)"
    if not path.is_file():
        raise FontMissing(f"the documents' font {path} is missing: {install}")
    try:
        font = TTFont(path, fontNumber=face, lazy=True)
    except (TTLibError, OSError) as error:
        raise FontMissing(f"the documents' font {path} cannot be read ({error}): {install}") from None
    try:
        if "glyf" not in font:
            raise FontMissing(f"the documents' font {path} has no TrueType outlines: {install}")
        covered = font.getBestCmap() or {}
        missing = [c for c in PROBE if ord(c) not in covered]
        if missing:
            raise FontMissing(f"the documents' font {path} lacks {''.join(missing)!r}: {install}")
    finally:
        font.close()
    stat = path.stat()
    return Font(path, face, _common_cut(str(path), face, stat.st_size, stat.st_mtime_ns))


def common_characters() -> frozenset[int]:
    """What documents nearly always print: ASCII and Latin-1, punctuation, arrows, boxes and
    ticks, CJK punctuation and full-width forms, and the hanzi of GB2312 (names and words in
    everyday use; a rarer one sends its document to the whole face)."""
    ranges = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2800), (0x3000, 0x3040), (0xFF00, 0xFFF0))
    characters = {c for start, end in ranges for c in range(start, end)}
    for c in range(0x4E00, 0xA000):
        try:
            chr(c).encode("gb2312")
        except UnicodeEncodeError:
            continue
        characters.add(c)
    return frozenset(characters)


def _private_folder() -> Path:
    """This user's folder in the temporary folder, which no one else may write to (a font file
    someone else left there would be parsed and embedded); a fresh one if that is not so."""
    folder = Path(tempfile.gettempdir()) / f"dealerflow-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    found = folder.stat()
    if folder.is_symlink() or found.st_uid != os.getuid() or found.st_mode & 0o077:
        return Path(tempfile.mkdtemp(prefix="dealerflow-"))
    return folder


@functools.cache
def _common_cut(path: str, face: int, size: int, modified_ns: int) -> Path:
    key = hashlib.sha256(f"{_CUT_VERSION}|{path}|{face}|{size}|{modified_ns}".encode()).hexdigest()[:16]
    cut = _private_folder() / f"documents-font-{key}.ttf"
    if cut.is_file():
        return cut
    font = TTFont(path, fontNumber=face, lazy=True)
    try:
        options = subset.Options()
        options.notdef_outline = True
        options.glyph_names = False
        options.hinting = False  # printed at 300 dpi and more: hinting only adds bytes
        options.layout_features = []
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "vhea", "vmtx"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=common_characters() & set(font.getBestCmap()))
        subsetter.subset(font)
        # Written beside, then renamed: a process starting at the same time reads a whole file or none.
        partial = cut.with_name(f"{cut.stem}.{os.getpid()}.tmp")
        font.save(partial)
        partial.replace(cut)
    finally:
        font.close()
    return cut
