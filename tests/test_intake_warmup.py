"""Issue 14: opening the intake page starts loading the anonymiser's model in a background thread of
the worker, and /intake/model-status says when it is ready (polled by static/model-status.js)."""
from __future__ import annotations

from pathlib import Path

from kb.web import warmup
from tests.helpers import run_in_fresh_process

SCRIPT = r"""
import json, sys, threading, time
from kb.config import load_settings
from kb.web import create_app, warmup
from kb.services.accounts import create_user
app = create_app(load_settings(), {"WTF_CSRF_ENABLED": False})
kb = app.extensions["kb"]
with kb.db.session() as s:
    create_user(s, "b", "un mot de passe solide", "bureau"); s.commit()
c = app.test_client()
out = {"login": c.post("/login", data={"username": "b", "password": "un mot de passe solide"}).status_code}
out["spacy_before"] = "spacy" in sys.modules
out["threads_before"] = [t.name for t in threading.enumerate() if t.name == warmup.THREAD_NAME]
started = time.monotonic()
page = c.get("/intake/")
out["page"] = page.status_code
out["page_seconds"] = time.monotonic() - started
out["threads_after"] = [t.name for t in threading.enumerate() if t.name == warmup.THREAD_NAME]
body = page.get_data(as_text=True)
out["status_element"] = 'id="model-status"' in body and "/static/model-status.js" in body
out["first_status"] = c.get("/intake/model-status").get_json()
c.get("/intake/")  # a second visit starts nothing new
out["threads_again"] = len([t for t in threading.enumerate() if t.name == warmup.THREAD_NAME])
deadline = time.monotonic() + 240
while not c.get("/intake/model-status").get_json()["ready"] and time.monotonic() < deadline:
    time.sleep(0.5)
out["ready"] = c.get("/intake/model-status").get_json()
from anonymizer import get_anonymizer
t0 = time.monotonic()
get_anonymizer().anonymize("Mme Dupont appelle le CPAS.")
out["anonymize_seconds"] = time.monotonic() - t0
out["ready_page"] = 'data-ready="1"' in c.get("/intake/").get_data(as_text=True)
print(json.dumps(out))
"""


def test_opening_the_intake_page_loads_the_model_in_the_background(tmp_path: Path) -> None:
    """In a fresh process: no spaCy before, the page answers at once while a warm-up thread loads the
    model (once), the status turns ready, and the first anonymisation then needs no model load."""
    result = run_in_fresh_process(SCRIPT, tmp_path / "data", timeout=400)
    assert result["login"] == 302 and result["page"] == 200 and result["status_element"]
    assert result["spacy_before"] is False and result["threads_before"] == []
    assert result["threads_after"] == [warmup.THREAD_NAME]
    assert result["page_seconds"] < 5, "the intake page waited for the model"
    assert result["first_status"] == {"ready": False}
    assert result["threads_again"] <= 1
    assert result["ready"] == {"ready": True} and result["ready_page"]
    assert result["anonymize_seconds"] < 5, "the model was not loaded by the warm-up"


def test_the_model_status_endpoint_answers_json_to_the_bureau_only(client, client_as) -> None:
    response = client.get("/intake/model-status")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert set(response.get_json()) == {"ready"} and isinstance(response.get_json()["ready"], bool)
    assert response.headers["Cache-Control"] == "no-store"
    assert warmup.wait_until_ready(240)
    assert client.get("/intake/model-status").get_json() == {"ready": True}
    assert client_as("volunteer").get("/intake/model-status").status_code == 403


def test_the_intake_page_has_no_inline_script(client) -> None:
    page = client.get("/intake/").get_data(as_text=True)
    assert "<script>" not in page and '<script src="/static/model-status.js"></script>' in page
    assert "Préparation de l" not in page  # the text comes from the script; without it nothing shows
