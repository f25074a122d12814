"""Test data, built in one place for every test folder (modelled on warehouse's ``tests/common/db``).

Each module builds one kind of thing; a test imports what it needs from the module by name:

- ``clock``: the suite's fixed moment ``NOW`` and ``at(day)``, a Beijing-time moment of a day.
- ``places``: the demo county 清溪县 and its towns (``COUNTY``, ``QINGSHAN``, ``BAISHA``, ``CHENGDONG``).
- ``accounts``: staff of every role (``STAFF``, ``LEGAL_OFFICERS``), applicants, identity numbers,
  ``Factory`` (the ``factory`` fixture).
- ``power_list``: the licensing and enforcement items the flows use, each written once in ``ITEMS``, the
  published list built from a choice of them, and raw list documents for the import tests.
- ``forms``: the homestead form definition and its data, small definitions for the forms tests.
- ``files``: tiny valid PDF and PNG contents and stored uploads.
- ``cases``: every case action a test needs for its setup, one helper per domain operation, ``new_case``,
  ``drive`` to move a case through several, ``approved_case``; ``STEPS_TO`` says how to reach each status.
- ``certificates``, ``documents``, ``pdf``: issued certificates and their PDFs, document data for the
  Flask-free pipeline, and what the tests read out of a PDF.
- ``web``: logging in, posting a form with its CSRF token, an API token, applying online.
- ``worlds``: the three ready-made setups the flow tests start from (intake, review, certificates).
- ``scoped``: objects named in URLs, for the access-matrix test.
- ``database``: which database the suite runs on, ``count_rows``, and a private SQLite database for tables
  no migration creates yet.

Add a new kind of data as a function in the module it belongs to (or a new module listed here), not in a
test folder: test folders never import from each other. A setup that calls a case operation goes through
``cases`` so that a change of the operations' signatures is made in that one file.
"""
