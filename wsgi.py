"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

import gc

from complaints import create_app

app = create_app()

# Everything made at start-up (the app, its modules, templates, catalogs) lives as long as the
# process: moved out of the collector's generations, a full collection no longer walks it, which
# took about 70 ms in the middle of a request.
gc.freeze()

# The first requests fill the caches that then live as long (compiled SQL and templates, locale
# data): about 30,000 objects more, which a full collection walked in 25 ms every hundred requests
# or so. After the first hundred and the first thousand requests, the garbage is collected once
# and what survived is frozen too (a frozen object that is dropped later is never freed: a cache's
# rare evictions, a few kilobytes).
FREEZE_AFTER_REQUESTS = (100, 1000)
_served = 0


@app.teardown_request
def _freeze_what_the_first_requests_kept(exc):
    global _served
    _served += 1
    if _served in FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
