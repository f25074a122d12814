"""Minimal cffi binding to HarfBuzz's subsetter (``libharfbuzz-subset``).

WeasyPrint already loads the same library to subset fonts while writing PDFs; the font build step uses it
because it subsets the 65 535-glyph Noto CJK collections in tens of milliseconds where fontTools needs
many seconds. :func:`available` says whether the library could be loaded; callers fall back to fontTools.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

import cffi

_ffi = cffi.FFI()
_ffi.cdef(
    """
    typedef struct hb_blob_t hb_blob_t;
    typedef struct hb_face_t hb_face_t;
    typedef struct hb_set_t hb_set_t;
    typedef struct hb_subset_input_t hb_subset_input_t;
    typedef uint32_t hb_codepoint_t;
    typedef uint32_t hb_tag_t;
    typedef int hb_bool_t;

    hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
    void hb_blob_destroy (hb_blob_t *blob);
    const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    unsigned int hb_face_count (hb_blob_t *blob);
    hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
    void hb_face_destroy (hb_face_t *face);
    hb_blob_t *hb_face_reference_blob (hb_face_t *face);
    void hb_face_collect_unicodes (hb_face_t *face, hb_set_t *out);
    hb_set_t *hb_set_create (void);
    void hb_set_destroy (hb_set_t *set);
    void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
    hb_bool_t hb_set_next (const hb_set_t *set, hb_codepoint_t *codepoint);
    hb_tag_t hb_tag_from_string (const char *str, int len);
    hb_bool_t hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);

    hb_subset_input_t *hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
    hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
    """
)

# hb_subset_flags_t and hb_subset_sets_t values (stable ABI since HarfBuzz 2.9).
FLAG_NO_HINTING = 0x01
FLAG_DESUBROUTINIZE = 0x04
FLAG_NOTDEF_OUTLINE = 0x40
_SET_UNICODE = 1
_SET_DROP_TABLE_TAG = 3

_LIBRARY_NAMES = (
    "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll", "harfbuzz-subset",
)


def _load() -> Any:
    if os.environ.get("SERVICE_HALL_FONTBUILD_NO_HARFBUZZ"):
        return None
    for name in _LIBRARY_NAMES:
        with suppress(OSError):
            lib: Any = _ffi.dlopen(name)  # its functions come from the cdef above, unknown to mypy
            # hb_subset_input_set() and the flags API appeared in 2.9; Debian 12 ships 6.0.
            if lib.hb_version_atleast(2, 9, 0):
                return lib
    return None


_lib = _load()


def available() -> bool:
    """Whether libharfbuzz-subset (≥ 2.9) could be loaded."""
    return _lib is not None


class FontFile:
    """One face of a font file (``.ttc`` collections included), opened with HarfBuzz.

    Raises ``OSError`` when the file cannot be read or the face index does not exist, and
    ``RuntimeError`` when HarfBuzz is not available.
    """

    def __init__(self, path: Path, index: int = 0) -> None:
        if _lib is None:
            raise RuntimeError("libharfbuzz-subset is not available")
        blob = _lib.hb_blob_create_from_file_or_fail(os.fsencode(path))
        if blob == _ffi.NULL:
            raise OSError(f"cannot read font file {path}")
        if index >= _lib.hb_face_count(blob):
            _lib.hb_blob_destroy(blob)
            raise OSError(f"font file {path} has no face {index}")
        self._face = _ffi.gc(_lib.hb_face_create(blob, index), _lib.hb_face_destroy)
        _lib.hb_blob_destroy(blob)  # the face keeps its own reference

    def codepoints(self) -> set[int]:
        """Every code point the face's cmap maps."""
        assert _lib is not None
        out = _ffi.gc(_lib.hb_set_create(), _lib.hb_set_destroy)
        _lib.hb_face_collect_unicodes(self._face, out)
        result: set[int] = set()
        cursor = _ffi.new("hb_codepoint_t *", 0xFFFFFFFF)  # HB_SET_VALUE_INVALID starts the walk
        while _lib.hb_set_next(out, cursor):
            result.add(int(cursor[0]))
        return result

    def subset(self, codepoints: Iterable[int], *, drop_tables: Iterable[str], flags: int) -> bytes:
        """The face reduced to ``codepoints`` (plus ``.notdef``), as an OpenType file.

        Raises ``RuntimeError`` when HarfBuzz refuses to subset.
        """
        assert _lib is not None
        subset_input = _ffi.gc(_lib.hb_subset_input_create_or_fail(), _lib.hb_subset_input_destroy)
        if subset_input == _ffi.NULL:
            raise RuntimeError("hb_subset_input_create_or_fail failed")
        unicodes = _lib.hb_subset_input_set(subset_input, _SET_UNICODE)
        for codepoint in codepoints:
            _lib.hb_set_add(unicodes, codepoint)
        dropped = _lib.hb_subset_input_set(subset_input, _SET_DROP_TABLE_TAG)
        for tag in drop_tables:
            _lib.hb_set_add(dropped, _lib.hb_tag_from_string(tag.encode("ascii"), 4))
        _lib.hb_subset_input_set_flags(subset_input, flags)
        face = _lib.hb_subset_or_fail(self._face, subset_input)
        if face == _ffi.NULL:
            raise RuntimeError("hb_subset_or_fail failed")
        try:
            blob = _lib.hb_face_reference_blob(face)
            try:
                length = _ffi.new("unsigned int *")
                data = _lib.hb_blob_get_data(blob, length)
                return bytes(_ffi.buffer(data, length[0]))
            finally:
                _lib.hb_blob_destroy(blob)
        finally:
            _lib.hb_face_destroy(face)
