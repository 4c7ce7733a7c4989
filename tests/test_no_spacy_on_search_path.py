"""Searching, reading a case and its similar cases never load spaCy: a web worker starts small and
only the pages that take raw text in (intake) pay for the model. Checked in a fresh process."""
from __future__ import annotations

from pathlib import Path

from tests.helpers import run_in_fresh_process

SCRIPT = r"""
import json, sys
from kb.config import load_settings
from kb.web import create_app
from kb.services.accounts import create_user
app = create_app(load_settings(), {"WTF_CSRF_ENABLED": False})
app.test_cli_runner().invoke(args=["kb", "load-demo"])
kb = app.extensions["kb"]
with kb.db.session() as s:
    create_user(s, "v", "un mot de passe solide", "volunteer"); s.commit()
c = app.test_client()
statuses = [c.post("/login", data={"username": "v", "password": "un mot de passe solide"}).status_code]
statuses += [c.get(u).status_code for u in ("/?q=police+adresse+usager", "/?q=ado&theme=secret-professionnel",
                                            "/api/search?q=flic", "/cases/DEMO-2012-001", "/cases/DEMO-2012-001.json")]
print(json.dumps({"statuses": statuses, "spacy": sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc"))[:5]}))
"""


def test_search_and_case_pages_do_not_import_spacy(tmp_path: Path) -> None:
    result = run_in_fresh_process(SCRIPT, tmp_path / "data", timeout=300)
    assert result["statuses"] == [302, 200, 200, 200, 200, 200]
    assert result["spacy"] == [], f"spaCy was imported on the search path: {result['spacy']}"
