"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

import gc

from complaints import create_app

app = create_app()

# Everything made at start-up (the app, its modules, templates, catalogs) lives as long as the
# process: moved out of the collector's generations, a full collection no longer walks it, which
# took about 70 ms in the middle of a request.
gc.freeze()
