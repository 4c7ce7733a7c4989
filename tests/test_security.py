"""Accounts, roles and hardening: the access matrix, CSRF, rate limits, headers, inert payloads."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kb.models import ROLES, AuditEvent, User
from kb.web.security import ACCESS, PUBLIC
from tests.conftest import PASSWORD, TEST_CONFIG, case_row, ensure_user, logged_in, write_jsonl

# Selections 999 do not exist: the matrix checks the role gate; ownership has its own tests.
SAMPLE_ARGS = {"ref": "AV-2021-001", "user_id": 999, "selection_id": 999, "item_id": 999, "fmt": "pdf", "draft_id": 999}
ENDS_SESSION = {"auth.logout"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        url = rule.build(dict.fromkeys(rule.arguments) | {k: v for k, v in SAMPLE_ARGS.items() if k in rule.arguments})[1]
        yield rule.endpoint, method, url


def test_every_route_has_an_access_rule(app) -> None:
    missing = [endpoint for endpoint, _, _ in routes(app) if endpoint not in ACCESS and endpoint not in PUBLIC]
    assert not missing, f"routes without an access rule: {missing}"


def test_access_matrix(app, runner, tmp_path) -> None:
    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001")]))])
    clients = {role: logged_in(app, role) for role in ROLES}
    for endpoint, method, url in routes(app):
        for role in (None, *ROLES):
            if role is None:
                client = app.test_client()
            else:
                client = logged_in(app, role) if endpoint in ENDS_SESSION else clients[role]
            status = client.open(url, method=method).status_code
            needed = ACCESS.get(endpoint)
            where = f"{method} {url} as {role or 'anonymous'}"
            if endpoint in PUBLIC:
                assert status < 500, where
            elif role is None:
                assert status in (302, 401), where
                if status == 302:
                    assert "/login" in client.open(url, method=method).headers["Location"]
            elif ROLES.index(role) >= ROLES.index(needed):
                assert status not in (401, 403) and status < 500, f"{where}: {status}"
            else:
                assert status == 403, f"{where}: {status}"


@pytest.mark.parametrize("app_config", [TEST_CONFIG | {"WTF_CSRF_ENABLED": True}])
def test_forms_without_a_valid_csrf_token_are_refused(app, client_as) -> None:
    ensure_user(app, "bureau", "bureau")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "bureau", "password": PASSWORD}).status_code == 400
    assert client.post("/login", data={"username": "bureau", "password": PASSWORD,
                                       "csrf_token": "wrong"}).status_code == 400
    assert client.post("/login", data={"username": "bureau", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    data = {"title": "t", "situation": "s", "themes": ["divers"], "channel": "mail"}
    assert client.post("/intake/", data=data).status_code == 400
    assert client.post("/intake/save", data=data | {"csrf_token": "x"}).status_code == 400
    assert client.post("/logout").status_code == 400


def test_login_failure_does_not_tell_whether_the_account_exists(app, kb) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    wrong_password = client.post("/login", data={"username": "volunteer", "password": "pas le bon"})
    no_account = client.post("/login", data={"username": "personne", "password": "pas le bon"})
    assert wrong_password.status_code == no_account.status_code == 401
    def strip(response) -> str:
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))
    assert strip(wrong_password) == strip(no_account)
    assert "Identifiant ou mot de passe incorrect." in strip(no_account)
    with kb.db.session() as session:
        actions = [(e.actor, e.action) for e in session.scalars(select(AuditEvent))]
    assert ("volunteer", "login-failed") in actions and ("(inconnu)", "login-failed") in actions


@pytest.mark.parametrize("app_config", [TEST_CONFIG | {"RATELIMIT_ENABLED": True}])
def test_login_attempts_are_rate_limited_per_account(app) -> None:
    ensure_user(app, "trainer", "trainer")
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "trainer", "password": f"essai {i}"}).status_code
                for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # Even the right password is refused while the account is throttled; another account is not.
    assert client.post("/login", data={"username": "trainer", "password": PASSWORD}).status_code == 429
    ensure_user(app, "volunteer", "volunteer")
    assert client.post("/login", data={"username": "volunteer", "password": PASSWORD}).status_code == 302


def test_security_headers_and_cookie_flags(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    client = app.test_client()
    response = client.post("/login", data={"username": "volunteer", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script anywhere


@pytest.mark.parametrize("app_config", [TEST_CONFIG | {"KB_HTTPS": True}])
def test_session_cookie_is_secure_over_https(app) -> None:
    ensure_user(app, "volunteer", "volunteer")
    response = app.test_client().post("/login", data={"username": "volunteer", "password": PASSWORD},
                                      base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_password_change_ends_other_sessions(app, client_as) -> None:
    first, second = client_as("volunteer"), client_as("volunteer")
    assert second.get("/").status_code == 200
    response = first.post("/account/password", data={"current": PASSWORD, "new": "un autre mot de passe",
                                                      "confirm": "un autre mot de passe"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # the old session no longer opens anything


def test_admin_creates_deactivates_and_resets(app, client_as, kb) -> None:
    admin = client_as("admin")
    page = admin.post("/admin/users", data={"username": "Nouvelle.Benevole", "role": "volunteer"})
    password = re.search(r'<code class="password">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    newcomer = app.test_client()
    assert newcomer.post("/login", data={"username": "nouvelle.benevole", "password": password}).status_code == 302
    own = "ma propre phrase de passe"  # a provisional password must be changed first
    assert newcomer.post("/account/password", data={"current": password, "new": own, "confirm": own}).status_code == 302
    assert newcomer.get("/intake/").status_code == 403
    with kb.db.session() as session:
        user_id = session.scalar(select(User.id).where(User.username == "nouvelle.benevole"))
    admin.post(f"/admin/users/{user_id}", data={"role": "volunteer"})  # 'active' unticked
    assert newcomer.get("/").status_code == 302
    reset = admin.post(f"/admin/users/{user_id}/password").get_data(as_text=True)
    assert re.search(r'<code class="password">', reset)
    # The last active admin cannot be demoted.
    with kb.db.session() as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    admin.post(f"/admin/users/{admin_id}", data={"role": "volunteer", "active": "y"})
    with kb.db.session() as session:
        assert session.get(User, admin_id).role == "admin"


PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
    "javascript:alert(1)", "[clic](javascript:alert(1))", "'; DROP TABLE cases; --", "\" OR 1=1 --",
    "title:(x OR", "situation:* AND", "<a href=\"javascript:alert(1)\">x</a>", "{{7*7}}",
]


def test_payloads_through_every_text_field_and_the_search_box(client, kb) -> None:
    for payload in PAYLOADS:
        fields = {"title": f"Titre {payload}", "situation": f"Situation {payload}", "opinion": f"Avis {payload}",
                  "themes": ["divers"], "sectors": payload[:100], "year": "2022", "channel": "mail",
                  "legal_refs": payload, "accept_residuals": "y"}
        review = client.post("/intake/", data=fields)
        assert review.status_code == 200, payload
        saved = client.post("/intake/save", data=fields)
        assert saved.status_code in (302, 409), payload
        for response in (client.get("/", query_string={"q": payload}),
                         client.get(saved.headers.get("Location", "/")) if saved.status_code == 302 else review,
                         client.get("/", query_string={"q": "Situation"})):
            html = response.get_data(as_text=True)
            assert response.status_code == 200, payload
            for raw in ("<script>alert", "<img src=x", "<svg/onload", 'href="javascript:'):
                assert raw not in html, (payload, raw)
    with kb.db.session() as session:
        assert kb.count_cases(session) >= 1  # the SQL fragments were stored as text, the table is intact
