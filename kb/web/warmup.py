"""Loading the anonymiser's spaCy model ahead of its first use, in a background thread of the worker.

The first anonymisation after a start would otherwise wait 12-24 s for the model with nothing on
screen. Opening the intake page (and asking for the model's status) starts the load, once per worker
process; the intake page polls `/intake/model-status` to say when it is ready. The search path never
comes here, so a worker that only searches never loads spaCy.
"""
from __future__ import annotations

import logging
import threading

THREAD_NAME = "kb-anonymizer-warmup"
_lock = threading.Lock()
_started = False
_ready = threading.Event()
log = logging.getLogger(__name__)


def start_loading() -> bool:
    """Start loading the model in a background thread unless that was done already; True if started now."""
    global _started
    with _lock:
        if _started:
            return False
        _started = True
    threading.Thread(target=_load, name=THREAD_NAME, daemon=True).start()
    return True


def _load() -> None:
    global _started
    try:
        from anonymizer import get_anonymizer

        _ = get_anonymizer().nlp  # the Anonymizer's own lock makes a request arriving meanwhile wait for it
    except Exception as exc:  # noqa: BLE001 - a later anonymisation will raise it where it is handled
        log.error("anonymiser warm-up failed: %s", type(exc).__name__)
        with _lock:
            _started = False  # the next visit tries again
        return
    _ready.set()


def is_ready() -> bool:
    """Whether this worker's model has been loaded by the warm-up."""
    return _ready.is_set()


def wait_until_ready(timeout: float | None = None) -> bool:
    return _ready.wait(timeout)
