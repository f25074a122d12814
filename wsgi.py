"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""

import gc

from service_hall.app import create_app

app = create_app()

# The objects built at start-up (the application, its routes, templates and the loaded libraries) live as
# long as the process: moved out of the collector's generations they are no longer traversed by every full
# collection a request triggers, and a forked worker does not copy their pages by touching them
# (docs/architecture.md, "Lists at scale").
gc.freeze()
