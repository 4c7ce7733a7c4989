"""Sessions, return addresses, login limits and password rules (issues 14 and 15)."""
from __future__ import annotations

import pytest

from kb.web.security import safe_target
from tests.conftest import PASSWORD, case_row, ensure_user, write_jsonl

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
        assert response.status_code == 302, repr(target)
        expected = target if target in GOOD_TARGETS else "/"
        assert response.headers["Location"] == expected, repr(target)


def test_selection_return_address_never_leaves_the_site(app, runner, tmp_path, client_as) -> None:
    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001")]))])
    trainer = client_as("trainer")
    for target in NASTY_TARGETS:
        response = trainer.post("/selections/", data={"title": "Ma sélection", "ref": "AV-2021-001", "next": target})
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"].startswith("/selections/"), repr(target)
    response = trainer.post("/selections/", data={"title": "Ma sélection", "ref": "AV-2021-001", "next": "/?q=police"})
    assert response.headers["Location"] == "/?q=police"
