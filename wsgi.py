"""The one entry point for gunicorn and ``flask --app wsgi``."""

import gc

from scheduler import create_app

app = create_app()
# What start-up made lives as long as the process: keep it out of the collector's full
# scans, which otherwise cost a slot search with thousands of busy times 100 ms now and then.
gc.freeze()
