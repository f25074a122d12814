"""One-stop permit service driven by the list of powers delegated to towns and streets.

The package root stays free of Flask so that domain modules (``service_hall.core``,
``service_hall.cases`` …) can be imported by the CLI, workers and tests without an app.
The Flask application factory lives in :mod:`service_hall.app`.
"""
