"""Errors of the document pipeline.

These are operational failures (a missing system font, a broken template, an unreadable key), not
user input errors, so they do not derive from :class:`service_hall.core.errors.DomainError`; the web
layer treats them as server errors. Bad document data is the exception: :class:`DocumentDataError` is a
``ValueError`` naming the missing fields.
"""

from __future__ import annotations


class DocumentError(Exception):
    """Base class of every error raised by :mod:`service_hall.documents`."""


class FontBuildError(DocumentError):
    """The CJK document fonts could not be built (source font missing, output directory not writable …)."""


class DocumentRenderError(DocumentError):
    """A template could not be rendered to PDF (template error, forbidden resource, WeasyPrint failure)."""


class DocumentDataError(DocumentError, ValueError):
    """The data given for a document lacks what its kind requires (e.g. a correction notice without items)."""


class SigningError(DocumentError):
    """The signing identity could not be created or loaded, or a PDF could not be signed."""
