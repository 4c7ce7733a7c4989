"""Shared fixtures: a fresh data folder per test, the real database, index and anonymiser."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqlalchemy import select

from kb.accounts import create_user
from kb.config import load_settings
from kb.models import User
from kb.web import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "cases.jsonl"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


PASSWORD = "un mot de passe solide"
TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}


@pytest.fixture
def app_config() -> dict:
    return dict(TEST_CONFIG)


@pytest.fixture
def app(data_dir: Path, app_config: dict, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    app = create_app(load_settings(data_dir=data_dir), app_config)
    yield app
    app.extensions["kb"].db.engine.dispose()


def ensure_user(app, username: str, role: str) -> None:
    kb = app.extensions["kb"]
    with kb.db.session() as session:
        if not session.scalar(select(User).where(User.username == username)):
            create_user(session, username, PASSWORD, role)
            session.commit()


def logged_in(app, role: str):
    """A test client logged in through the real login form with an account of this role."""
    ensure_user(app, role, role)
    client = app.test_client()
    response = client.post("/login", data={"username": role, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def client_as(app):
    return lambda role: logged_in(app, role)


@pytest.fixture
def anon(app):
    return app.test_client()


@pytest.fixture
def kb(app):
    return app.extensions["kb"]


@pytest.fixture
def client(app):
    """The bureau, who may record cases; most web tests act as the bureau."""
    return logged_in(app, "bureau")


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
