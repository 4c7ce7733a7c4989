"""Shared fixtures: a fresh data folder per test, the real database, index and anonymiser."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

from sqlalchemy import create_engine, select, text

from kb.services.accounts import create_user
from kb.config import load_settings
from kb.models import User
from kb.web import create_app

# On CI, property-based tests replay the same examples each run: a failure there is reproducible,
# and new examples are explored on the developers' machines.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


def fresh_app(data_dir: Path, config: dict):
    """An app on an empty data folder and an empty database: SQLite in the folder by default, or
    the server named by KB_DATABASE_URL (CI runs the suite a second time on PostgreSQL), emptied first."""
    url = os.environ.get("KB_DATABASE_URL")
    if url:
        reset_database(url)
    return create_app(load_settings(data_dir=data_dir, database_url=url), config)


def reset_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def app(data_dir: Path, app_config: dict):
    app = fresh_app(data_dir, app_config)
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
