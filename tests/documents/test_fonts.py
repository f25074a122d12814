"""The generated document fonts: coverage, the build step's pieces, and building once under a lock."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from service_hall.documents import fontbuild, fonts
from service_hall.documents.errors import FontBuildError


@pytest.fixture(scope="module")
def font_set() -> fonts.FontSet:
    return fonts.load_font_set()


def test_core_covers_gb2312_and_extension_fonts_cover_rare_name_characters(font_set: fonts.FontSet) -> None:
    core = {cp for face in font_set.faces if face.role == "core" and face.weight == 400
            for start, end in face.ranges for cp in range(start, end + 1)}
    assert set(fontbuild.gb2312_codepoints()) - core == set()
    for char in "堃喆龑䶮𠀋":  # outside GB 2312: URO, Extension A, Extension B
        assert ord(char) not in core
        assert not font_set.missing(char)
    assert font_set.missing("\ue000") == {"\ue000"}  # private use: nothing covers it, and it is reported


def test_font_families_list_only_the_extensions_a_text_needs(font_set: fonts.FontSet) -> None:
    assert font_set.font_families("王坤 ABC 123") == (font_set.family,)
    families = font_set.font_families("王堃喆龑")
    assert families[0] == font_set.family
    # Exactly the extension fonts holding 堃, 喆 and 龑 (some may share a 256-character chunk), no others.
    holders = {face.family for char in "堃喆龑" for face in font_set.faces if face.role != "core"
               and any(start <= ord(char) <= end for start, end in face.ranges)}
    assert set(families[1:]) == holders and len(families) == len(set(families))
    assert all(family.startswith(f"{font_set.family} X") for family in families[1:])


def test_stylesheet_registers_every_face_with_a_file_url(font_set: fonts.FontSet) -> None:
    css = font_set.stylesheet()
    assert css.count("@font-face") == len(font_set.faces)
    for face in font_set.faces:
        assert face.path.is_file()
        assert face.path.as_uri() in css


def test_core_fonts_are_truetype_with_common_glyphs_first(font_set: fonts.FontSet) -> None:
    core = next(face for face in font_set.faces if face.role == "core" and face.weight == 400)
    with TTFont(core.path, lazy=True) as font:
        assert "glyf" in font and "CFF " not in font
        assert font["name"].getDebugName(1) == fontbuild.FAMILY
        order = {name: index for index, name in enumerate(font.getGlyphOrder())}
        cmap = font.getBestCmap()
    # ASCII and CJK punctuation, then level-1 hanzi (啊 is the first), then level 2 (亍 is the first).
    assert order[cmap[ord("A")]] < order[cmap[ord("。")]] < order[cmap[ord("啊")]] < order[cmap[ord("亍")]]


def test_subset_and_conversion_keep_outlines_and_metrics() -> None:
    sources = fontbuild.find_sources()
    subsetter = fontbuild._Subsetter(sources[400])
    otf = subsetter.subset([ord(c) for c in "A中堃"], desubroutinize=True)
    font = TTFont(io.BytesIO(fontbuild._rename(fontbuild._to_truetype(otf), "Test Serif", 400)))
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    for char in "A中堃":
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(char)]].draw(pen)
        assert pen.bounds is not None
        _, lsb = font["hmtx"][cmap[ord(char)]]
        assert lsb == round(pen.bounds[0])  # left side bearing matches the converted outline
    assert font["hmtx"][cmap[ord("中")]][0] == 1000
    assert font["name"].getDebugName(1) == "Test Serif"
    assert font["name"].getDebugName(0)  # the copyright notice is kept (SIL Open Font License)


def test_missing_source_fonts_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontBuildError, match="fonts-noto-cjk"):
        fontbuild.find_sources((tmp_path,))


def _fake_build(calls: list[float], source: fontbuild.SourceFont):
    def build(outdir: Path, sources: dict[int, fontbuild.SourceFont] | None = None) -> dict[str, object]:
        calls.append(time.monotonic())
        time.sleep(0.3)  # long enough for the other callers to queue on the lock
        manifest: dict[str, object] = {
            "format": fontbuild.BUILD_FORMAT, "family": "Fake", "faces": [],
            "sources": {"400": source.fingerprint()},
        }
        (outdir / fontbuild.MANIFEST_NAME).write_text(json.dumps(manifest))
        return manifest
    return build


def test_concurrent_first_use_builds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source_file = tmp_path / "source.ttc"
    source_file.write_bytes(b"stand-in")
    source = fontbuild.SourceFont(path=source_file, index=0, weight=400)
    calls: list[float] = []
    monkeypatch.setattr(fontbuild, "build_fonts", _fake_build(calls, source))
    outdir = tmp_path / "fonts"
    results: list[dict[str, object]] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            results.append(fonts.ensure_fonts(outdir, sources={400: source}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(calls) == 1
    assert len(results) == 4 and all(result["family"] == "Fake" for result in results)
    assert (outdir / fonts.LOCK_NAME).exists()


def test_changed_source_font_triggers_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source_file = tmp_path / "source.ttc"
    source_file.write_bytes(b"stand-in")
    source = fontbuild.SourceFont(path=source_file, index=0, weight=400)
    calls: list[float] = []
    monkeypatch.setattr(fontbuild, "build_fonts", _fake_build(calls, source))
    outdir = tmp_path / "fonts"
    fonts.ensure_fonts(outdir, sources={400: source})
    fonts.ensure_fonts(outdir, sources={400: source})
    assert len(calls) == 1
    source_file.write_bytes(b"a newer stand-in")  # a Debian font update
    fonts.ensure_fonts(outdir, sources={400: source})
    assert len(calls) == 2


def test_configured_directory_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fonts.FONT_DIR_ENV, str(tmp_path / "from-env"))
    assert fonts.font_dir() == (tmp_path / "from-env").resolve()
    fonts.configure(tmp_path / "configured")
    try:
        assert fonts.font_dir() == (tmp_path / "configured").resolve()
    finally:
        fonts.configure(None)
    assert fonts.font_dir() == (tmp_path / "from-env").resolve()


def test_existing_fonts_are_used_when_a_rebuild_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    source_file = tmp_path / "source.ttc"
    source_file.write_bytes(b"stand-in")
    source = fontbuild.SourceFont(path=source_file, index=0, weight=400)
    calls: list[float] = []
    monkeypatch.setattr(fontbuild, "build_fonts", _fake_build(calls, source))
    outdir = tmp_path / "fonts"
    fonts.ensure_fonts(outdir, sources={400: source})
    source_file.write_bytes(b"a newer stand-in")

    def failing_build(outdir: Path, sources: object = None) -> dict[str, object]:
        raise FontBuildError("read-only file system")

    monkeypatch.setattr(fontbuild, "build_fonts", failing_build)
    assert fonts.ensure_fonts(outdir, sources={400: source})["family"] == "Fake"
    with pytest.raises(FontBuildError):
        fonts.ensure_fonts(tmp_path / "empty", sources={400: source})
