"""Build step for the document fonts, derived from Debian's Noto Serif CJK (package ``fonts-noto-cjk``).

Run ``python -m service_hall.documents.fonts OUTDIR`` at deployment time; rendering also builds the
fonts on first use when they are missing (see :func:`service_hall.documents.fonts.ensure_fonts`).

Why not hand WeasyPrint the system font: WeasyPrint re-subsets every embedded font for every PDF, and the
cost grows with the size of the font it is given. The Noto CJK collections hold 65 535 CFF glyphs each:
~6 s per page where WeasyPrint subsets with fontTools, and still ~3× the Latin floor with HarfBuzz
(measured 135 ms against 18 ms for a small page here), against ~1.2–1.3× with the fonts below. What we
build instead, per weight:

* a **core** font: GB 2312 (all 6 763 hanzi) plus the Latin, punctuation and symbol blocks documents use,
  with outlines converted from CFF to TrueType ``glyf`` (HarfBuzz subsets ``glyf`` about twice as fast as
  CFF and the embedded subsets come out smaller) and glyphs reordered so that the common ones have low
  glyph ids — WeasyPrint keeps glyph ids stable, so the embedded tables end at the highest id used;
* **extension** fonts (regular weight only): every other code point of the source font — rare name
  characters such as 堃 喆 龑, CJK Extension A/B, compatibility ideographs, kana, hangul … — cut into
  chunks of :data:`EXTENSION_CHUNK` code points. A document with a rare character makes WeasyPrint embed
  only the small chunk holding it, so no character the source font covers ever falls back to a box and
  no document pays for the whole font. Bold text with such a character is set in the regular chunk.

Subsetting uses HarfBuzz (``libharfbuzz-subset``, which WeasyPrint itself uses) through cffi when it is
available — the whole build takes ~11 s of CPU, nearly all of it the outline conversion — and fontTools
otherwise (a few minutes: ~1 s per extension chunk).

The output directory holds the fonts and ``manifest.json`` (written last, atomically), which lists every
file with its weight and the code point ranges it covers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, TTLibError, newTable

from service_hall.documents import _harfbuzz
from service_hall.documents.errors import FontBuildError

log = logging.getLogger(__name__)

#: Bump when the output changes shape; a manifest with another value is rebuilt.
BUILD_FORMAT = 2
MANIFEST_NAME = "manifest.json"
FAMILY = "ServiceHall Serif"
EXTENSION_FAMILY = "ServiceHall Serif Ext"
#: Code points per extension font. Small chunks keep a rare character cheap (WeasyPrint subsets only the
#: chunk it is in); the count of files only costs once per thread, when the fonts are registered.
#: Measured: 128 was ~3% faster than 512 for a certificate with 堃, within noise of 256.
EXTENSION_CHUNK = 256
#: Maximum distance (font units, 1000 per em) between the cubic and quadratic outlines; invisible in print.
CONVERSION_TOLERANCE = 1.0

DEFAULT_SOURCE_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),  # Debian, Ubuntu (fonts-noto-cjk)
    Path("/usr/share/fonts/noto-cjk"),  # Arch, Alpine
    Path("/usr/share/fonts/google-noto-cjk"),  # Fedora
)
SOURCE_DIR_ENV = "SERVICE_HALL_CJK_FONT_DIR"
_SOURCE_FILES = {400: "NotoSerifCJK-Regular.ttc", 700: "NotoSerifCJK-Bold.ttc"}
_SOURCE_FAMILY = "Noto Serif CJK SC"
_STYLE_NAMES = {400: "Regular", 700: "Bold"}

# Tables nothing downstream needs: WeasyPrint drops GSUB/GPOS/BASE from what it embeds anyway, documents
# are set horizontally (vhea/vmtx/VORG), and keeping GSUB would drag every vertical and locale variant
# glyph into the core through layout closure.
_DROP_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG", "meta")
# Name records that identify the font; replaced so the derived fonts are not mistaken for the original
# (the copyright, licence and vendor records are kept, as the SIL Open Font License requires).
_IDENTITY_NAME_IDS = (1, 2, 3, 4, 6, 16, 17, 18, 21, 22, 25)

# Blocks documents use besides GB 2312 (which already has pinyin, ①, Ⅻ, ★, ㈠ …): Latin-1 and Latin
# Extended-A (names in Latin script), general punctuation, currency, letterlike symbols (℃ №), number
# forms, enclosed alphanumerics, geometric shapes, CJK punctuation, the CJK unit squares (㎡ ㎏), vertical
# and full-width forms.
_CORE_BLOCKS = (
    (0x0020, 0x007E), (0x00A0, 0x017F), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x218F),
    (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0x3380, 0x33DF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


@dataclass(frozen=True)
class SourceFont:
    """One face of a system font collection that the build derives from."""

    path: Path
    index: int
    weight: int

    def fingerprint(self) -> dict[str, object]:
        stat = self.path.stat()
        return {
            "path": str(self.path), "index": self.index, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
        }


def gb2312_codepoints() -> dict[int, int]:
    """Every character of GB 2312 mapped to its rank (level 1 hanzi, by their pinyin order, come first
    after the symbol rows, then level 2)."""
    ranks: dict[int, int] = {}
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                char = bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            ranks[ord(char)] = len(ranks)
    return ranks


def core_codepoints() -> set[int]:
    """The code points the core fonts aim to cover (the build keeps those the source font has)."""
    wanted = set(gb2312_codepoints())
    for first, last in _CORE_BLOCKS:
        wanted.update(range(first, last + 1))
    return wanted


def find_sources(search_dirs: Sequence[Path] | None = None) -> dict[int, SourceFont]:
    """Locate the Simplified Chinese faces of Noto Serif CJK Regular and Bold.

    ``search_dirs`` defaults to ``$SERVICE_HALL_CJK_FONT_DIR`` if set, else the usual distribution paths.
    Raises :class:`FontBuildError` when a file or its SC face is missing.
    """
    if search_dirs is None:
        env = os.environ.get(SOURCE_DIR_ENV)
        search_dirs = (Path(env),) if env else DEFAULT_SOURCE_DIRS
    sources: dict[int, SourceFont] = {}
    for weight, filename in _SOURCE_FILES.items():
        path = next((d / filename for d in search_dirs if (d / filename).is_file()), None)
        if path is None:
            raise FontBuildError(
                f"{filename} not found in {', '.join(map(str, search_dirs))}; install the Debian package "
                f"fonts-noto-cjk or set {SOURCE_DIR_ENV}"
            )
        sources[weight] = SourceFont(path=path, index=_find_face(path, _SOURCE_FAMILY), weight=weight)
    return sources


def _find_face(path: Path, family: str) -> int:
    # The face order inside the collection differs between releases, so look the face up by name.
    try:
        collection = TTCollection(str(path), lazy=True)
        try:
            for index, face in enumerate(collection.fonts):
                if face["name"].getDebugName(1) == family:
                    return index
        finally:
            collection.close()
    except (OSError, TTLibError) as exc:
        raise FontBuildError(f"cannot read font collection {path}: {exc}") from exc
    raise FontBuildError(f"{path} has no face named {family!r}")


def build_fonts(outdir: Path, sources: dict[int, SourceFont] | None = None) -> dict[str, object]:
    """Build the core and extension fonts into ``outdir`` and write its manifest; returns the manifest.

    Not safe against a concurrent build into the same directory — callers serialise with
    :func:`service_hall.documents.fonts.ensure_fonts`, which holds a lock file. Raises
    :class:`FontBuildError` when the sources are missing or unreadable or ``outdir`` is not writable.
    """
    if sources is None:
        sources = find_sources()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FontBuildError(f"cannot create font directory {outdir}: {exc}") from exc

    faces: list[dict[str, object]] = []
    written: list[tuple[bytes, str]] = []
    wanted_core = core_codepoints()
    for weight, source in sorted(sources.items()):
        subsetter = _Subsetter(source)
        available = subsetter.codepoints()
        core = wanted_core & available
        log.info("building %s core font (%d code points) from %s",
                 _STYLE_NAMES[weight], len(core), source.path)
        core_font = _to_truetype(subsetter.subset(core, desubroutinize=True))
        core_name = f"serif-{weight}-core.ttf"
        written.append((_rename(core_font, FAMILY, weight), core_name))
        faces.append({"file": core_name, "weight": weight, "role": "core", "ranges": _ranges(core)})
        if weight != 400:
            continue
        rest = sorted(available - core)
        log.info("building %d extension fonts (%d code points)", -(-len(rest) // EXTENSION_CHUNK), len(rest))
        for number, start in enumerate(range(0, len(rest), EXTENSION_CHUNK)):
            chunk = rest[start:start + EXTENSION_CHUNK]
            name = f"serif-{weight}-ext-{number:03d}.otf"
            # Extension chunks stay CFF: they are used rarely, and converting ~37 000 glyphs would triple
            # the build time for no visible gain.
            chunk_font = subsetter.subset(chunk, desubroutinize=False)
            written.append((_rename(chunk_font, EXTENSION_FAMILY, weight), name))
            faces.append({"file": name, "weight": weight, "role": "extension", "ranges": _ranges(chunk)})

    manifest: dict[str, object] = {
        "format": BUILD_FORMAT,
        "family": FAMILY,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "harfbuzz": _harfbuzz.available(),
        "sources": {str(weight): source.fingerprint() for weight, source in sources.items()},
        "faces": faces,
    }
    try:
        for data, name in written:
            _write_atomically(outdir / name, data)
        encoded = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
        _write_atomically(outdir / MANIFEST_NAME, encoded)
        keep = {name for _, name in written} | {MANIFEST_NAME}
        for stale in outdir.glob("serif-*"):
            if stale.name not in keep:
                stale.unlink()
    except OSError as exc:
        raise FontBuildError(f"cannot write fonts to {outdir}: {exc}") from exc
    return manifest


class _Subsetter:
    """Subsets one source face, with HarfBuzz when available and fontTools otherwise."""

    def __init__(self, source: SourceFont) -> None:
        self.source = source
        self._hb: _harfbuzz.FontFile | None = None
        try:
            if _harfbuzz.available():
                self._hb = _harfbuzz.FontFile(source.path, source.index)
        except OSError as exc:
            raise FontBuildError(str(exc)) from exc

    def codepoints(self) -> set[int]:
        if self._hb is not None:
            return self._hb.codepoints()
        with TTFont(str(self.source.path), fontNumber=self.source.index, lazy=True) as font:
            return set(font.getBestCmap())

    def subset(self, codepoints: Iterable[int], *, desubroutinize: bool) -> bytes:
        codepoints = list(codepoints)
        if self._hb is not None:
            flags = _harfbuzz.FLAG_NO_HINTING | _harfbuzz.FLAG_NOTDEF_OUTLINE
            if desubroutinize:
                flags |= _harfbuzz.FLAG_DESUBROUTINIZE
            try:
                return self._hb.subset(codepoints, drop_tables=_DROP_TABLES, flags=flags)
            except RuntimeError as exc:
                raise FontBuildError(f"HarfBuzz could not subset {self.source.path}: {exc}") from exc
        options = ft_subset.Options()
        options.layout_features = []
        options.drop_tables += list(_DROP_TABLES)
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.desubroutinize = desubroutinize
        subsetter = ft_subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        with TTFont(str(self.source.path), fontNumber=self.source.index, lazy=True) as font:
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
        return out.getvalue()


def _glyph_priority(cmap: dict[int, str]) -> dict[str, tuple[int, int]]:
    """Sort key per glyph: ASCII and CJK punctuation, then GB 2312 in its own order (level 1 hanzi before
    level 2), then everything else."""
    gb_rank = gb2312_codepoints()
    priority: dict[str, tuple[int, int]] = {}
    for codepoint, glyph in cmap.items():
        if codepoint < 0x80 or 0x3000 <= codepoint <= 0x303F or 0xFF00 <= codepoint <= 0xFF5E:
            key = (0, codepoint)
        elif codepoint in gb_rank:
            key = (1, gb_rank[codepoint])
        else:
            key = (2, codepoint)
        priority[glyph] = min(key, priority.get(glyph, key))
    return priority


def _to_truetype(otf: bytes) -> TTFont:
    """Convert a (desubroutinised) CFF font to TrueType outlines with the glyph order of
    :func:`_glyph_priority`."""
    font = TTFont(io.BytesIO(otf))
    old_order = font.getGlyphOrder()
    priority = _glyph_priority(font.getBestCmap())
    last = (3, 0)
    order = [old_order[0], *sorted(old_order[1:], key=lambda glyph: priority.get(glyph, last))]
    glyph_set = font.getGlyphSet()
    hmtx = font["hmtx"]
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # TrueType contours run clockwise, PostScript ones counter-clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, CONVERSION_TOLERANCE, reverse_direction=True))
        glyphs[name] = pen.glyph()
    # Load every table before changing the glyph order; the cmap and metrics are keyed by glyph name.
    for tag in font.keys():  # noqa: SIM118 (TTFont has keys() but no __iter__)
        font[tag]  # a lookup decompiles the table
    del font["CFF "]
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
        "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours",
        "maxCompositePoints", "maxCompositeContours", "maxComponentDepth",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["post"].formatType = 3.0  # no glyph names: nothing downstream reads them
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.setGlyphOrder(order)
    return font


def _rename(font: TTFont | bytes, family: str, weight: int) -> bytes:
    if isinstance(font, bytes):
        # Lazy, without recalculation: the outline tables are copied through untouched.
        font = TTFont(io.BytesIO(font), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    style = _STYLE_NAMES[weight]
    name_table = font["name"]
    name_table.names = [record for record in name_table.names if record.nameID not in _IDENTITY_NAME_IDS]
    postscript = f"{family.replace(' ', '')}-{style}"
    for name_id, value in (
        (1, family), (2, style), (3, f"{postscript};service_hall fontbuild {BUILD_FORMAT}"),
        (4, f"{family} {style}"), (6, postscript),
        (10, f"Subset of {_SOURCE_FAMILY} {style} made by service_hall.documents.fontbuild"),
    ):
        name_table.names = [r for r in name_table.names if r.nameID != name_id]
        name_table.setName(value, name_id, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _ranges(codepoints: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for codepoint in sorted(codepoints):
        if ranges and ranges[-1][1] == codepoint - 1:
            ranges[-1][1] = codepoint
        else:
            ranges.append([codepoint, codepoint])
    return ranges


def _write_atomically(path: Path, data: bytes) -> None:
    # A reader (another worker) must never see half a font or half a manifest.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
