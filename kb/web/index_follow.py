"""Before every request, this server's index catches up with the change log (kb/index_sync.py): a
change made through another server is searched here from the next request on.

When nothing changed that is one query. When something did, the request that finds it applies it,
unless this server's index is being purged of removed text (seconds, after an edit or a deletion
applied here): a volunteer then searches the index as it is and a later request applies the change,
for volunteers never wait for the index; an editor waits for the purge, as every editor's request does.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user


def init_index_follow(app: Flask) -> None:
    app.before_request(follow_index_changes)


def follow_index_changes() -> None:
    if request.endpoint == "static":
        return
    kb = current_app.extensions["kb"]
    if kb.purge_under_way():
        if not (current_user.is_authenticated and current_user.can("bureau")):
            return
        kb.wait_for_purge()
    try:
        kb.apply_outbox()
    except Exception as exc:  # noqa: BLE001 - the index as it is serves this request; the next one tries again
        current_app.logger.error("index sync failed: %s", type(exc).__name__)  # the type only: messages may quote values
