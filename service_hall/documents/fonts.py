"""The document fonts at render time: where they live, building them on first use, and the ``@font-face``
stylesheet WeasyPrint gets, and the command that builds them at deployment time
(``python -m service_hall.documents.fonts OUTDIR``). How the fonts are cut is explained in
:mod:`service_hall.documents.fontbuild`, which never imports this module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from service_hall.documents import fontbuild
from service_hall.documents.errors import FontBuildError

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_FONT_DIR = PACKAGE_DIR / "fonts" / "build"
FONT_DIR_ENV = "SERVICE_HALL_DOCUMENT_FONT_DIR"
LOCK_NAME = ".build.lock"

_configured_dir: Path | None = None
_manifest_lock = threading.Lock()
_manifests: dict[Path, FontSet] = {}


def configure(directory: Path | None) -> None:
    """Set the directory holding the generated fonts (``None`` restores the default: the environment
    variable ``SERVICE_HALL_DOCUMENT_FONT_DIR``, else ``service_hall/documents/fonts/build/``)."""
    global _configured_dir
    _configured_dir = Path(directory).resolve() if directory is not None else None


def font_dir() -> Path:
    """The directory the fonts are read from and built into."""
    if _configured_dir is not None:
        return _configured_dir
    env = os.environ.get(FONT_DIR_ENV)
    return Path(env).resolve() if env else DEFAULT_FONT_DIR


@dataclass(frozen=True)
class FontFace:
    path: Path
    family: str
    weight: int
    role: str  # "core" or "extension"
    ranges: tuple[tuple[int, int], ...]  # inclusive code point ranges


@dataclass(frozen=True)
class FontSet:
    """The built fonts of one directory, as listed in its manifest.

    Every extension font has a family of its own (``ServiceHall Serif X012`` …): WeasyPrint merges fonts
    whose family, weight and style coincide into one embedded font, so chunks sharing the core's family
    would be embedded with the wrong glyphs. A document lists only the extension families its characters
    need (:meth:`font_families`): a fallback list of all 70-odd families would make Pango walk it for every
    text run and cost more than the fonts themselves.
    """

    directory: Path
    family: str
    faces: tuple[FontFace, ...]

    @cached_property
    def _extension_family(self) -> dict[int, str]:
        return {
            codepoint: face.family
            for face in self.faces if face.role == "extension"
            for start, end in face.ranges for codepoint in range(start, end + 1)
        }

    @cached_property
    def _covered(self) -> frozenset[int]:
        return frozenset(
            codepoint
            for face in self.faces for start, end in face.ranges for codepoint in range(start, end + 1)
        )

    def covered_codepoints(self) -> frozenset[int]:
        """Every code point some document font has a glyph for."""
        return self._covered

    def missing(self, text: str) -> set[str]:
        """Characters of ``text`` that no document font covers (whitespace ignored); those would fall back
        to whatever the system has, or print as a box."""
        return {char for char in set(text) if not char.isspace() and ord(char) not in self._covered}

    def font_families(self, text: str) -> tuple[str, ...]:
        """The ``font-family`` list for a document containing ``text``: the core family, then the
        extension families of the characters the core lacks (in a stable order)."""
        lookup = self._extension_family
        extra = {lookup[cp] for cp in map(ord, set(text)) if cp > 0x7F and cp in lookup}
        return (self.family, *sorted(extra))

    def stylesheet(self) -> str:
        """``@font-face`` rules for every face. Extension fonts exist in regular weight only; bold text
        with a rare character is matched to them by family (measured: Pango picks the regular extension
        font of the listed family, not an unrelated bold system font), so no tofu and no system fallback."""
        return "\n".join(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; font-style: normal; '
            f'src: url("{face.path.as_uri()}"); }}'
            for face in self.faces
        )


def ensure_fonts(
    directory: Path | None = None,
    *,
    sources: dict[int, fontbuild.SourceFont] | None = None,
    force: bool = False,
) -> dict[str, object]:
    """Return the manifest of the fonts in ``directory`` (default :func:`font_dir`), building them first
    when they are missing, from another build format, or from a source font that has since changed.

    Concurrent callers — other threads or worker processes — are serialised by an exclusive lock on
    ``.build.lock`` in the directory, so exactly one of them builds and the others wait and reuse the
    result. Fonts that exist but cannot be rebuilt (read-only directory, source font gone) are used as
    they are. Raises :class:`FontBuildError` when there are no fonts and they cannot be built.
    """
    directory = (directory or font_dir()).resolve()
    existing = None if force else _read_manifest(directory)
    if existing is not None and _is_current(existing, sources):
        return existing
    try:
        with _exclusive(directory):
            # Someone may have finished building while we waited for the lock.
            manifest = None if force else _read_manifest(directory)
            if manifest is not None and _is_current(manifest, sources):
                return manifest
            log.warning("building the CJK document fonts into %s (one-off, a few seconds)", directory)
            return fontbuild.build_fonts(directory, sources)
    except FontBuildError as exc:
        if existing is None:
            raise
        # E.g. a read-only deployment after a system font update: old fonts still render correctly.
        log.warning("using the existing fonts in %s, which could not be rebuilt: %s", directory, exc)
        return existing


def load_font_set(directory: Path | None = None, *, refresh: bool = False) -> FontSet:
    """The built fonts of ``directory`` (default :func:`font_dir`), building them on first use; cached per
    process unless ``refresh`` (another process may have rebuilt them). Raises :class:`FontBuildError`
    like :func:`ensure_fonts`."""
    directory = (directory or font_dir()).resolve()
    with _manifest_lock:
        cached = _manifests.get(directory)
        if cached is not None and not refresh:
            return cached
        manifest = ensure_fonts(directory)
        family = str(manifest["family"])
        entries: list[dict[str, Any]] = manifest["faces"]  # type: ignore[assignment]  # checked by _read_manifest
        faces = []
        for number, entry in enumerate(entries):
            extension = entry["role"] == "extension"
            faces.append(FontFace(
                path=directory / entry["file"],
                family=f"{family} X{number:03d}" if extension else family,
                weight=int(entry["weight"]),
                role=str(entry["role"]),
                ranges=tuple((start, end) for start, end in entry["ranges"]),
            ))
        font_set = FontSet(directory=directory, family=family, faces=tuple(faces))
        _manifests[directory] = font_set
        return font_set


def _read_manifest(directory: Path) -> dict[str, object] | None:
    try:
        manifest = json.loads((directory / fontbuild.MANIFEST_NAME).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable font manifest in %s: %s", directory, exc)
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != fontbuild.BUILD_FORMAT:
        return None
    faces = manifest.get("faces")
    if not isinstance(faces, list) or not all((directory / face["file"]).is_file() for face in faces):
        return None
    return manifest


def _is_current(manifest: dict[str, object], sources: dict[int, fontbuild.SourceFont] | None) -> bool:
    """Whether the fonts were built from the source fonts as they are now. When the sources cannot be
    found (fonts built elsewhere, e.g. in an image build stage) the existing fonts are used as they are."""
    if sources is None:
        try:
            sources = fontbuild.find_sources()
        except FontBuildError:
            return True
    recorded = manifest.get("sources")
    return isinstance(recorded, dict) and all(
        recorded.get(str(weight)) == source.fingerprint() for weight, source in sources.items()
    )


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FontBuildError(f"cannot use font directory {directory}: {exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks while another process builds
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m service_hall.documents.fonts OUTDIR``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m service_hall.documents.fonts",
        description="Build the CJK document fonts from the system's Noto Serif CJK.",
    )
    parser.add_argument("outdir", type=Path, help="directory for the fonts and manifest.json")
    parser.add_argument(
        "--source-dir", type=Path, help=f"where NotoSerifCJK-*.ttc live (or ${fontbuild.SOURCE_DIR_ENV})",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    try:
        started = dt.datetime.now()
        sources = fontbuild.find_sources((args.source_dir,) if args.source_dir else None)
        manifest = ensure_fonts(args.outdir, sources=sources, force=True)
    except FontBuildError as exc:
        print(f"fonts: {exc}", file=sys.stderr)
        return 1
    faces = manifest["faces"]
    assert isinstance(faces, list)
    size = sum((args.outdir / face["file"]).stat().st_size for face in faces)
    seconds = (dt.datetime.now() - started).total_seconds()
    print(f"fonts: {len(faces)} fonts, {size / 1e6:.1f} MB in {args.outdir} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
