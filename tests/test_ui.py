"""The interface speaks French everywhere: form messages, error pages, the user guide."""
from __future__ import annotations

import re

from kb.web.security import ACCESS

ENGLISH = ("Not a valid", "This field is required", "Bad Request", "Method Not Allowed", "Not Found",
           "Forbidden", "Internal Server Error", "Request Entity Too Large", "The browser")


def errors_of(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)<', html)


def assert_french_error_page(response, status: int, title: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in html and '<html lang="fr">' in html
    assert not any(word in html for word in ENGLISH), html


def test_form_messages_are_french(client) -> None:
    page = client.post("/intake/", data={"title": "Titre", "situation": "Situation.", "year": "deux mille",
                                         "channel": "pigeon", "themes": ["secret-professionnel"]})
    messages = errors_of(page.get_data(as_text=True))
    assert "Indiquez l&#39;année en chiffres, par exemple 2021." in messages
    assert "Ce choix n&#39;est pas proposé : rechargez la page et choisissez à nouveau." in messages  # never the value
    assert len(messages) == 2  # a year that is not a number is not also "out of range"
    assert not any(word in page.get_data(as_text=True) for word in ENGLISH)


def test_error_pages_are_french(app, client_as, monkeypatch) -> None:
    def boom():
        raise RuntimeError("some text that must never be shown")
    app.add_url_rule("/boom", "boom", boom)
    monkeypatch.setitem(ACCESS, "boom", "volunteer")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    trainer = client_as("trainer")
    assert_french_error_page(trainer.post("/selections/add", data={}), 400, "Requête incorrecte")
    assert_french_error_page(trainer.get("/admin/users"), 403, "Accès refusé")
    assert_french_error_page(trainer.get("/cases/AV-0000-404"), 404, "Page introuvable")
    not_allowed = trainer.get("/logout")
    assert_french_error_page(not_allowed, 405, "Action non permise")
    assert "POST" in not_allowed.headers["Allow"]
    assert_french_error_page(client_as("bureau").post("/intake/", data={"situation": "x" * (3 * 1024 * 1024)}),
                             413, "Envoi trop volumineux")
    failed = trainer.get("/boom")
    assert_french_error_page(failed, 500, "Erreur interne")
    assert "must never be shown" not in failed.get_data(as_text=True)


def test_the_guide_is_linked_from_every_page_and_covers_each_role(client_as) -> None:
    volunteer = client_as("volunteer")
    assert 'href="/aide"' in volunteer.get("/").get_data(as_text=True)
    guide = volunteer.get("/aide")
    assert guide.status_code == 200
    html = guide.get_data(as_text=True)
    for heading in ("Bien chercher", "Formateurs", "relire l'anonymisation", "Administrateur"):
        assert heading in html, heading
    assert "document pour les participants" in html.lower() and "guillemets" in html
    assert volunteer.get("/aide", follow_redirects=False).status_code == 200


def test_the_guide_needs_a_login(anon) -> None:
    assert anon.get("/aide").status_code == 302
