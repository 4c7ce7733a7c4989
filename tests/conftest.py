"""Shared fixtures: a fresh data folder per test, the real database, index and anonymiser."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.config import load_settings
from kb.web import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "cases.jsonl"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    app = create_app(load_settings(data_dir=data_dir), {"TESTING": True, "WTF_CSRF_ENABLED": False})
    yield app
    app.extensions["kb"].db.engine.dispose()


@pytest.fixture
def kb(app):
    return app.extensions["kb"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def case_row(ref: str, **overrides) -> dict:
    row = {
        "ref": ref, "title": "La police demande l'adresse d'un usager du CPAS",
        "situation": "Un inspecteur de police téléphone à l'assistante sociale du CPAS et demande l'adresse "
                     "d'un usager qu'il recherche dans le cadre d'une enquête.",
        "opinion": "Le bureau rappelle que l'assistante sociale est tenue au secret professionnel (art. 458 "
                   "du Code pénal) ; elle ne communique pas l'adresse sans réquisition écrite du procureur du Roi.",
        "themes": ["justice-police", "secret-professionnel"], "sectors": ["cpas", "police"],
        "year": 2021, "channel": "permanence", "legal_refs": ["art. 458 Code pénal"],
    }
    row.update(overrides)
    return row
