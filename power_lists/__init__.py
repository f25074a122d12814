"""The list of powers delegated by a county to its towns and streets (赋权清单 with 责任清单).

Flask-free: every function takes an explicit session, actor and ``now`` and raises the domain errors
of :mod:`service_hall.core.errors` with Simplified Chinese messages.

Modules: ``models`` (tables, enums, the immutability guard), ``schemas`` (the canonical JSON format,
``format_version`` 1), ``tabular`` (CSV/XLSX with the Chinese column headers), ``importing`` (any file
→ a checked document), ``versions`` (draft → review → published → superseded), ``diff``,
``queries`` (what the case flow asks), ``announcements`` (委托 announcements) and ``demo``.
"""
