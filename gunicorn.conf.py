"""Production serving: `gunicorn -c gunicorn.conf.py app:app` (see README, "Serving in production").

Each worker builds its own app (no preload), so no database connection or index handle is shared
across a fork; start-up migrations and index replays take a file lock in the data folder.
"""
import os

bind = os.environ.get("KB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KB_WORKERS", "4"))
worker_class = "sync"
timeout = 120            # an intake page that anonymises a long text loads the model once per worker
graceful_timeout = 30    # lets a worker finish its index write before it exits
max_requests = 2000      # recycles workers, bounding memory over weeks of use
max_requests_jitter = 200
accesslog = None         # URLs hold search queries: no access log by default
errorlog = "-"
loglevel = "warning"


def post_worker_init(worker):
    """Load the dense retrieval model (about a second) in a thread as the worker starts, so that the
    first search does not wait for it; a model that cannot load leaves the search lexical."""
    import threading

    kb = worker.wsgi.extensions["kb"]
    threading.Thread(target=kb.dense.get, name="kb-dense-warmup", daemon=True).start()
