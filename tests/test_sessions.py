"""Sessions, return addresses, login limits and password rules (issues 14 and 15)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb.services.accounts import AccountError, check_password_rules
from kb.config import load_settings
from kb.models import LoginFailure, LoginSession, User
from kb.web import create_app
from kb.web.security import safe_target
from tests.conftest import PASSWORD, TEST_CONFIG, case_row, ensure_user, fresh_app, write_jsonl

NASTY_TARGETS = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "/\r\nSet-Cookie: x=1", "/%0d%0a\r\nX: y", "/ /evil.example",
    "/\x00/evil.example", "/\x7f/evil.example", "/\u2028/evil.example", "/\u200b/evil.example",
    "/\u202e/evil.example", "/\u3000/evil.example", "https://evil.example/", "http:/evil.example",
    "javascript:alert(1)", " /cases", "evil.example", "cases/AV-2021-001", "", "/" + "a" * 3000,
]
GOOD_TARGETS = ["/", "/cases/AV-2021-001", "/?q=secret+professionnel&theme=justice-police", "/selections/3#item-4",
                "/?q=%C3%A9l%C3%A8ve", "/cases/AV-2021-001/", "/search?next=//elsewhere"]


@pytest.mark.parametrize("target", NASTY_TARGETS)
def test_safe_target_refuses_what_could_leave_the_site(target: str) -> None:
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", GOOD_TARGETS)
def test_safe_target_keeps_paths_of_the_site(target: str) -> None:
    assert safe_target(target, "/home") == target


def test_login_next_never_leaves_the_site_nor_fails(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    for target in NASTY_TARGETS + GOOD_TARGETS:
        client = app.test_client()
        response = client.post("/login", query_string={"next": target},
                               data={"username": "volunteer", "password": PASSWORD})
        if "\x00" in target:  # refused before anything else (kb/web/__init__.py: refuse_nul_characters)
            assert response.status_code == 400, repr(target)
            continue
        assert response.status_code == 302, repr(target)
        expected = target if target in GOOD_TARGETS else "/"
        assert response.headers["Location"] == expected, repr(target)


def test_selection_return_address_never_leaves_the_site(app, runner, tmp_path, client_as) -> None:
    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001")]))])
    trainer = client_as("trainer")
    for target in NASTY_TARGETS:
        response = trainer.post("/selections/", data={"title": "Ma sélection", "ref": "AV-2021-001", "next": target})
        if "\x00" in target:
            assert response.status_code == 400, repr(target)
            continue
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"].startswith("/selections/"), repr(target)
    response = trainer.post("/selections/", data={"title": "Ma sélection", "ref": "AV-2021-001", "next": "/?q=police"})
    assert response.headers["Location"] == "/?q=police"


def copy_of(client, app):
    """Another browser holding a copy of `client`'s session cookie, taken now."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def user_id(kb, username: str) -> int:
    with kb.db.session() as session:
        return session.scalar(select(User.id).where(User.username == username))


def test_logout_ends_every_copy_of_the_cookie(app, client_as) -> None:
    volunteer = client_as("volunteer")
    copy = copy_of(volunteer, app)
    assert copy.get("/").status_code == 200
    assert volunteer.post("/logout").status_code == 302
    replay = copy.get("/")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_deactivation_ends_sessions_even_once_reactivated(app, client_as, kb) -> None:
    admin, volunteer = client_as("admin"), client_as("volunteer")
    copy = copy_of(volunteer, app)
    uid = user_id(kb, "volunteer")
    admin.post(f"/admin/users/{uid}", data={"role": "volunteer"})  # 'active' unticked
    admin.post(f"/admin/users/{uid}", data={"role": "volunteer", "active": "y"})
    for browser in (volunteer, copy):
        assert browser.get("/").status_code == 302
    assert client_as("volunteer").get("/").status_code == 200  # logging in again works


def test_role_change_ends_sessions(app, client_as, kb) -> None:
    admin, trainer = client_as("admin"), client_as("trainer")
    copy = copy_of(trainer, app)
    uid = user_id(kb, "trainer")
    admin.post(f"/admin/users/{uid}", data={"role": "trainer", "active": "y"})  # no change: nothing ends
    assert trainer.get("/selections/").status_code == 200
    admin.post(f"/admin/users/{uid}", data={"role": "bureau", "active": "y"})
    for browser in (trainer, copy):
        assert browser.get("/").status_code == 302
    assert client_as("trainer").get("/bureau/").status_code == 200  # the new role, after a new login


def test_password_change_ends_every_copy_but_the_changing_browser(app, client_as) -> None:
    volunteer = client_as("volunteer")
    copy, elsewhere = copy_of(volunteer, app), client_as("volunteer")
    new = "une autre phrase de passe"
    response = volunteer.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert volunteer.get("/").status_code == 200
    for browser in (copy, elsewhere):
        assert browser.get("/").status_code == 302


def test_password_reset_by_an_admin_ends_sessions(app, client_as, kb) -> None:
    admin, volunteer = client_as("admin"), client_as("volunteer")
    admin.post(f"/admin/users/{user_id(kb, 'volunteer')}/password")
    assert volunteer.get("/").status_code == 302


def set_back(kb, username: str, **delta) -> None:
    with kb.db.session() as session:
        for row in session.scalars(select(LoginSession).where(LoginSession.user_id == user_id(kb, username))):
            row.last_seen_at -= timedelta(**delta.get("seen", {}))
            row.created_at -= timedelta(**delta.get("created", {}))
        session.commit()


def test_idle_sessions_end(app, client_as, kb) -> None:
    assert app.config["KB_IDLE_MINUTES"] == 60
    volunteer = client_as("volunteer")
    set_back(kb, "volunteer", seen={"minutes": 59})
    assert volunteer.get("/").status_code == 200  # and the request counts as activity
    set_back(kb, "volunteer", seen={"minutes": 59})
    assert volunteer.get("/").status_code == 200
    set_back(kb, "volunteer", seen={"minutes": 61})
    response = volunteer.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with kb.db.session() as session:  # the ended login is gone from the table
        assert session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_sessions_end_after_eight_hours_however_busy(app, client_as, kb) -> None:
    volunteer = client_as("volunteer")
    set_back(kb, "volunteer", created={"hours": 7, "minutes": 59})
    assert volunteer.get("/").status_code == 200
    set_back(kb, "volunteer", created={"minutes": 2})
    assert volunteer.get("/").status_code == 302


@pytest.mark.parametrize("app_config", [TEST_CONFIG | {"KB_IDLE_MINUTES": 5}])
def test_idle_limit_is_configurable(app, client_as, kb) -> None:
    volunteer = client_as("volunteer")
    set_back(kb, "volunteer", seen={"minutes": 6})
    assert volunteer.get("/").status_code == 302


def test_the_database_keeps_only_a_hash_of_the_cookie_token(app, client_as, kb) -> None:
    volunteer = client_as("volunteer")
    with volunteer.session_transaction() as cookie_session:
        token = cookie_session["_user_id"]
    with kb.db.session() as session:
        stored = session.scalars(select(LoginSession.id)).all()
    assert token not in stored and len(stored) == 1 and len(token) >= 40


LIMITED = TEST_CONFIG | {"RATELIMIT_ENABLED": True}


def attempt(client, username: str, password: str, address: str | None = None, forwarded: str | None = None) -> int:
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address} if address else {},
                       headers={"X-Forwarded-For": forwarded} if forwarded else {}).status_code


WORKER = r"""
import json, sys
from kb.config import load_settings
from kb.web import create_app
app = create_app(load_settings(), {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True})
client = app.test_client()
print(json.dumps([client.post("/login", data={"username": "trainer", "password": p}).status_code
                  for p in sys.argv[1:]]))
"""


def other_worker(data_dir, *passwords: str) -> list[int]:
    """Login attempts from another process on the same data folder and database: another gunicorn
    worker, or another server (an in-memory limiter would not see this one's counts)."""
    env = dict(os.environ, KB_DATA_DIR=str(data_dir))
    out = subprocess.run([sys.executable, "-c", WORKER, *passwords], cwd=Path(__file__).resolve().parents[1],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("app_config", [LIMITED])
def test_two_workers_on_one_database_share_the_counts(app, data_dir) -> None:
    ensure_user(app, "trainer", "trainer")
    client = app.test_client()
    assert other_worker(data_dir, "essai 1", "essai 2", "essai 3") == [401] * 3
    assert [attempt(client, "trainer", f"essai {i}") for i in (4, 5)] == [401] * 2
    assert attempt(client, "trainer", PASSWORD) == 429  # three of the five came from the other worker
    assert other_worker(data_dir, PASSWORD) == [429]
    # And two app instances in one process (as the test client sees them) agree too.
    second = create_app(load_settings(data_dir=data_dir, database_url=os.environ.get("KB_DATABASE_URL")), LIMITED)
    try:
        assert attempt(second.test_client(), "trainer", PASSWORD) == 429
    finally:
        second.extensions["kb"].db.engine.dispose()


@pytest.mark.parametrize("app_config", [LIMITED])
def test_the_owner_elsewhere_still_logs_in_after_an_attacker_s_failures(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    assert [attempt(client, "volunteer", f"essai {i}", "198.51.100.9") for i in range(6)] == [401] * 5 + [429]
    assert attempt(client, "volunteer", PASSWORD, "198.51.100.9") == 429  # slowed down, even with the password
    assert attempt(client, "volunteer", PASSWORD, "192.0.2.20") == 302  # the owner, at the office


@pytest.mark.parametrize("app_config", [LIMITED])
def test_an_address_guessing_many_accounts_is_locked_out(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    statuses = [attempt(client, f"compte{i // 4}", f"essai {i}", "198.51.100.9") for i in range(30)]
    assert statuses == [401] * 30  # never five for one account: only the address limit applies
    assert attempt(client, "volunteer", PASSWORD, "198.51.100.9") == 429
    assert attempt(client, "volunteer", PASSWORD, "192.0.2.20") == 302


@pytest.mark.parametrize("app_config", [LIMITED | {"KB_PROXY_HOPS": 1}])
def test_behind_one_proxy_each_forwarded_address_has_its_own_bucket(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    assert [attempt(client, "volunteer", f"essai {i}", forwarded="198.51.100.9") for i in range(5)] == [401] * 5
    assert attempt(client, "volunteer", PASSWORD, forwarded="198.51.100.9") == 429
    # Same proxy (REMOTE_ADDR), another client behind it.
    assert attempt(client, "volunteer", PASSWORD, forwarded="192.0.2.20") == 302


@pytest.mark.parametrize("app_config", [LIMITED])
def test_without_trusted_proxies_x_forwarded_for_cannot_be_spoofed(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    statuses = [attempt(client, "volunteer", f"essai {i}", forwarded=f"203.0.113.{i}") for i in range(5)]
    assert statuses == [401] * 5
    assert attempt(client, "volunteer", PASSWORD, forwarded="203.0.113.99") == 429


@pytest.mark.parametrize("app_config", [LIMITED])
def test_password_page_is_limited_too(app, client_as) -> None:
    volunteer = client_as("volunteer")
    new = "une autre phrase de passe"
    statuses = [volunteer.post("/account/password", data={"current": f"essai {i}", "new": new, "confirm": new}).status_code
                for i in range(6)]
    assert statuses == [400] * 5 + [429]
    assert volunteer.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new}).status_code == 429


@pytest.mark.parametrize("app_config", [LIMITED])
def test_failures_are_stored_without_names_or_addresses(app, kb) -> None:
    attempt(app.test_client(), "quelqu.un", "essai", "198.51.100.9")
    with kb.db.session() as session:
        row = session.scalars(select(LoginFailure)).one()
    assert "quelqu" not in row.account + row.address and "198.51" not in row.account + row.address


def provisional_password(page) -> str:
    return re.search(r'<code class="password">([^<]+)</code>', page.get_data(as_text=True)).group(1)


def test_a_provisional_password_opens_only_the_password_page(app, client_as, runner, tmp_path) -> None:
    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001")]))])
    admin = client_as("admin")
    password = provisional_password(admin.post("/admin/users", data={"username": "nouveau", "role": "bureau"}))
    newcomer = app.test_client()
    login = newcomer.post("/login", query_string={"next": "/cases/AV-2021-001"},
                          data={"username": "nouveau", "password": password})
    assert login.headers["Location"] == "/account/password"
    assert "Votre mot de passe est provisoire" in newcomer.get("/account/password").get_data(as_text=True)
    for url in ("/", "/cases/AV-2021-001", "/intake/", "/bureau/", "/selections/"):
        response = newcomer.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    assert newcomer.get("/cases/AV-2021-001.json").status_code == 403
    assert newcomer.post("/intake/", data={"title": "t"}).status_code == 302
    new = "ma propre phrase de passe"
    assert newcomer.post("/account/password", data={"current": password, "new": new, "confirm": new}).status_code == 302
    assert newcomer.get("/cases/AV-2021-001").status_code == 200
    again = app.test_client()
    assert again.post("/login", data={"username": "nouveau", "password": new}).headers["Location"] == "/"


def test_a_reset_password_is_provisional_too(app, client_as, kb) -> None:
    admin = client_as("admin")
    ensure_user(app, "volunteer", "volunteer")
    password = provisional_password(admin.post(f"/admin/users/{user_id(kb, 'volunteer')}/password"))
    client = app.test_client()
    assert client.post("/login", data={"username": "volunteer", "password": password}).headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"


def test_the_first_admin_printed_at_start_is_provisional(app, runner, kb) -> None:
    output = runner.invoke(args=["kb", "ensure-admin"]).output
    password = re.search(r"Mot de passe : (\S+)", output).group(1)
    client = app.test_client()
    assert client.post("/login", data={"username": "admin", "password": password}).headers["Location"] == "/account/password"
    assert client.get("/admin/users").headers["Location"] == "/account/password"


@pytest.mark.parametrize("password", [
    "court", "onze carac.", "123456789012", "motdepasse123", "Azerty123456", "qwertyuiop123", "P@ssw0rd2026",
    "soleil123456", "aaaaaaaaaaaaaaaa", "abcdefghijklmnop", "iloveyou1234", "Password1234!", "jetaime123456",
])
def test_short_or_common_passwords_are_refused(password: str) -> None:
    with pytest.raises(AccountError):
        check_password_rules(password)


@pytest.mark.parametrize("password", [PASSWORD, "une autre phrase de passe", "ma propre phrase de passe",
                                      "Mon vélo est vert 1987", "Permanence du jeudi soir !"])
def test_passphrases_are_accepted(password: str) -> None:
    check_password_rules(password)


def test_the_new_password_must_differ_and_follow_the_rules(app, client_as) -> None:
    volunteer = client_as("volunteer")
    same = volunteer.post("/account/password", data={"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD})
    assert same.status_code == 400 and "doit être différent de l&#39;actuel" in same.get_data(as_text=True)
    common = volunteer.post("/account/password", data={"current": PASSWORD, "new": "motdepasse123",
                                                       "confirm": "motdepasse123"})
    assert common.status_code == 400 and "trop courant" in common.get_data(as_text=True)
    short = volunteer.post("/account/password", data={"current": PASSWORD, "new": "court", "confirm": "court"})
    assert short.status_code == 400 and "au moins 12 caractères" in short.get_data(as_text=True)
    assert app.test_client().post("/login", data={"username": "volunteer", "password": PASSWORD}).status_code == 302


def test_after_creating_an_account_the_form_is_empty_and_one_password_shows(app, client_as) -> None:
    admin = client_as("admin")
    admin.post("/admin/users", data={"username": "premiere", "role": "volunteer"})
    page = admin.post("/admin/users", data={"username": "seconde", "role": "trainer"}).get_data(as_text=True)
    assert page.count('<code class="password">') == 1 and "<strong>seconde</strong>" in page
    assert "premiere</strong>" not in page
    field = re.search(r'<input[^>]*name="username"[^>]*>', page).group(0)
    assert 'value="seconde"' not in field and 'value="premiere"' not in field
    assert admin.get("/admin/users").get_data(as_text=True).count('<code class="password">') == 0


def test_a_provisional_password_stays_provisional_through_backup_and_restore(app, runner, tmp_path) -> None:
    output = runner.invoke(args=["kb", "ensure-admin"]).output
    password = re.search(r"Mot de passe : (\S+)", output).group(1)
    backup = tmp_path / "kb-backup.json"
    assert runner.invoke(args=["kb", "backup", str(backup)]).exit_code == 0
    app.extensions["kb"].db.engine.dispose()
    restored = fresh_app(tmp_path / "restored", TEST_CONFIG)
    try:
        assert restored.test_cli_runner().invoke(args=["kb", "restore", str(backup)]).exit_code == 0
        login = restored.test_client().post("/login", data={"username": "admin", "password": password})
        assert login.headers["Location"] == "/account/password"
    finally:
        restored.extensions["kb"].db.engine.dispose()
