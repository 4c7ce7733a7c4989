"""The main journeys in a real browser: Playwright driving Debian's chromium against a live server."""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, case_row, ensure_user, fresh_app, write_jsonl

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_url(tmp_path: Path):
    app = fresh_app(tmp_path / "data", {"RATELIMIT_ENABLED": False})
    rows = [
        case_row("AV-2021-001"),
        case_row("AV-2019-003", title="La police veut consulter le registre d'un abri de nuit",
                 situation="Des policiers demandent au responsable d'un abri de nuit la liste des personnes hébergées.",
                 themes=["justice-police"], sectors=["sans-abrisme"], year=2019),
    ]
    app.test_cli_runner().invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", rows))])
    ensure_user(app, "bureau", "bureau")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(locale="fr-BE")
        yield context.new_page()
        browser.close()


def test_login_search_case_intake_logout(live_url: str, page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_url + "/")
    expect(page).to_have_url(re.compile(r".*/login.*"))
    page.fill("input[name=username]", "bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.fill("input[name=q]", "policier adresse")
    page.press("input[name=q]", "Enter")
    first = page.locator("ol.hits li.hit").first
    expect(first).to_contain_text("AV-2021-001")
    expect(page.locator("ol.hits mark").first).to_be_visible()

    first.locator("h3 a").click()
    expect(page.locator("h1")).to_contain_text("La police demande l'adresse")
    page.locator(".similar a").first.click()
    expect(page.locator("h1")).to_contain_text("abri de nuit")

    page.click("text=Encoder un avis")
    # The model loads in the background from the page's opening; the page says when it is ready.
    expect(page.locator("#model-status")).to_have_text(re.compile("Préparation de l'anonymiseur…|Prêt"))
    expect(page.locator("#model-status")).to_have_text("Prêt", timeout=180_000)
    page.fill("input[name=title]", "Demande de Mme Hortense Vanderlinden")
    page.fill("textarea[name=situation]",
              "Mme Hortense Vanderlinden (0478 12 34 56) demande à l'assistante sociale du CPAS de ne rien dire à son fils.")
    page.fill("textarea[name=opinion]", "Le bureau rappelle le secret professionnel.")
    page.check("input[name=themes][value=secret-professionnel]")
    page.click("button:has-text('Anonymiser et relire')")

    situation = page.locator("textarea[name=situation]")
    expect(situation).not_to_have_value(re.compile("Vanderlinden"))
    assert "[Personne A]" in situation.input_value()
    # Undo one replacement in the browser, then mask the restored passage again by selection.
    phone = page.locator(".replacements li", has_text="Téléphone")
    phone.locator("button.undo").click()
    assert "0478 12 34 56" in situation.input_value()
    text = situation.input_value()
    start = text.index("0478 12 34 56")
    situation.evaluate(f"el => {{ el.focus(); el.setSelectionRange({start}, {start + 13}); el.dispatchEvent(new Event('select')); }}")
    page.click("#mask-selection")
    assert "0478" not in situation.input_value() and "[Masqué]" in situation.input_value()

    page.click("button:has-text('Enregistrer le cas')")
    if page.locator(".residuals").count():
        page.check("input[name=accept_residuals]")
        page.click("button:has-text('Enregistrer le cas')")
    expect(page.locator(".flash")).to_contain_text("a été enregistré")
    expect(page.locator("article.case")).not_to_contain_text("Vanderlinden")

    page.click("button:has-text('Se déconnecter')")
    expect(page).to_have_url(re.compile(r".*/login.*"))
    page.goto(live_url + "/")
    expect(page).to_have_url(re.compile(r".*/login.*"))
    assert not errors, errors


def test_bureau_uploads_an_activity_report_and_approves_a_draft(live_url: str, page, tmp_path: Path) -> None:
    """The archive path with real CSRF tokens and a real multipart upload from the browser."""
    from tests.test_archive import SMALL_REPORT

    report = tmp_path / "rapport-2019.txt"
    report.write_text(SMALL_REPORT, encoding="utf-8")
    page.goto(live_url + "/login")
    page.fill("input[name=username]", "bureau")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=Brouillons")
    page.click("text=Importer un rapport d'activités")
    page.set_input_files("input[name=report]", str(report))
    page.click("input[name=preview]")
    expect(page.locator(".import-result")).to_contain_text("3 avis trouvé(s), période 2019")
    expect(page.locator(".import-result")).to_contain_text("rien n'a été enregistré")
    expect(page.locator(".import-result")).not_to_contain_text("Verhaegen")

    # Imported from the preview itself: the file is not chosen a second time.
    page.click("button:has-text('Importer ces brouillons')")
    expect(page.locator(".import-result")).to_contain_text("3 brouillon(s) ajouté(s), 0 déjà connu(s)")
    page.click("text=Voir la file de relecture")
    page.locator("table.drafts a").first.click()
    expect(page.locator("h1")).to_contain_text("Relire le brouillon")
    page.click("button:has-text('Approuver le brouillon')")
    if page.locator(".residuals").count():
        page.check("input[name=accept_residuals]")
        page.click("button:has-text('Approuver le brouillon')")
    expect(page.locator(".flash")).to_contain_text("Brouillon approuvé")
