"""The journeys of a volunteer, a trainer and an admin in a real browser, on a desktop (1280 px) and a
phone (390 px): no page is wider than the screen, the first result of a search is on the first screen,
the participants' handout holds no note and no opinion unless asked, and axe-core finds no serious or
critical accessibility problem on any page visited.

axe-core comes from npm (package.json, installed by scripts/test with `npm ci`) and is injected by
Playwright; the context bypasses the CSP for that injection only, and every page is checked to have
no inline script of its own.
"""
from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, ensure_user, fresh_app
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

PROJECT = Path(__file__).resolve().parents[1]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
NOTE = "Note privée du formateur : ne pas lire aux participants."
QUESTION = "Que répondre à la police ?"
MISSING_CASE = "/cases/AV-0000-000"  # visited on purpose: its 404 is expected


@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    app = fresh_app(tmp_path_factory.mktemp("journeys") / "data", {"RATELIMIT_ENABLED": False})
    assert app.test_cli_runner().invoke(args=["kb", "load-demo"]).exit_code == 0
    for role in ("volunteer", "trainer", "bureau", "admin"):
        ensure_user(app, role, role)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["kb"].db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the project root (scripts/test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=list(SCREENS))
def screen(request) -> dict:
    return SCREENS[request.param]


@pytest.fixture
def page(browser, screen):
    context = browser.new_context(locale="fr-BE", viewport=screen, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    def on_console(message) -> None:
        if message.type == "error" and MISSING_CASE not in message.location.get("url", ""):
            errors.append(message.text)
    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def check(page: Page) -> None:
    """What every page must satisfy, at either width."""
    width = page.viewport_size["width"]
    page.wait_for_load_state()  # a click's navigation may not have committed yet (seen on a busy machine)
    page.wait_for_function("document.documentElement !== null")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"
    assert page.evaluate("[...document.scripts].every(s => s.src || s.dataset.axe)"), f"{page.url} has an inline script"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE)).evaluate("s => { s.dataset.axe = '1'; }")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
                for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not problems, f"{page.url} at {width} px: {problems}"


def login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    check(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header.top .account")).to_contain_text(username)


def within_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"{selector} is off-screen: {box}"


def test_volunteer_searches_reads_a_case_and_the_guide(live_url: str, page: Page, screen: dict) -> None:
    login(page, live_url, "volunteer")
    check(page)
    within_screen(page, "header.top .account a")
    within_screen(page, "button:has-text('Se déconnecter')")
    within_screen(page, "form.search button")

    page.fill("input[name=q]", "la police demande l'adresse d'un usager")
    page.press("input[name=q]", "Enter")
    first = page.locator("ol.hits li.hit").first
    expect(first).to_be_visible()
    check(page)
    title = first.locator("h3").bounding_box()
    assert title["y"] + title["height"] <= screen["height"], f"first result below the first screen: {title}"
    filters = page.locator("details.filters")
    if screen["width"] < 600:  # folded behind one control, below the query box and above the results
        assert not filters.evaluate("d => d.open")
        expect(page.locator(".facets a").first).to_be_hidden()
        page.click("details.filters > summary")
        check(page)
    expect(page.locator(".facets a").first).to_be_visible()
    page.locator(".facets a").first.click()
    expect(page.locator("p.summary")).to_contain_text("Tout effacer")
    check(page)

    page.locator("ol.hits li.hit h3 a").first.click()
    expect(page.locator("article.case h1")).to_be_visible()
    check(page)
    page.emulate_media(media="print")  # printing a case prints only the case
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".similar")).to_be_hidden()
    expect(page.locator("article.case h1")).to_be_visible()
    page.emulate_media(media="screen")

    page.click("header.top nav >> text=Aide")
    expect(page.locator("h1")).to_have_text("Guide d'utilisation")
    check(page)

    page.click("header.top .account a")
    expect(page.locator("h1")).to_have_text("Changer de mot de passe")
    check(page)
    password_style = page.locator("input[type=password]").first.evaluate(
        "el => { const s = getComputedStyle(el); return [s.borderRadius, s.borderTopStyle, s.paddingLeft] }")
    assert password_style == ["6px", "solid", "8px"], password_style
    page.click("button:has-text('Se déconnecter')")
    expect(page).to_have_url(re.compile(r".*/login.*"))


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_trainer_builds_a_selection_and_hands_it_out(live_url: str, page: Page, screen: dict) -> None:
    login(page, live_url, "trainer")
    page.fill("input[name=q]", "police adresse")
    page.press("input[name=q]", "Enter")
    first = page.locator("ol.hits li.hit").first
    ref = first.locator("p.meta").inner_text().split(" ")[0]
    first.locator("button:has-text('Ajouter à une nouvelle sélection')").click()
    expect(page.locator(".flash")).to_contain_text("a été ajouté")
    check(page)

    page.click("header.top nav >> text=Sélections")
    check(page)
    page.locator("ul.selections a").first.click()
    expect(page.locator("h1")).to_have_text("Ma sélection")
    check(page)
    note = page.locator("textarea[name=note]").first
    note_id = note.get_attribute("id")
    assert page.locator(f"label[for='{note_id}']").count() == 1
    note.fill(NOTE)
    page.locator("textarea[name=questions]").first.fill(QUESTION)
    page.click("button:has-text('Enregistrer la note et les questions')")
    expect(page.locator(".flash")).to_contain_text("Note et questions enregistrées")
    check(page)
    opinion = page.locator("ol.selection-items li").first.locator("h3:has-text('Avis du bureau') + p").inner_text()
    opinion_words = opinion.split(".")[0][:40]

    # The participants' handout, as the form makes it by default: no note, no opinion.
    with page.expect_download() as download:
        page.click("form.handout button:has-text('PDF')")
    assert re.fullmatch(r"selection-ma-sélection-participants\.pdf", download.value.suggested_filename)
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Document pour les participants" in text and QUESTION in text
    assert "Note privée" not in text and opinion_words not in text and "Avis du bureau" not in text

    page.check("form.handout input[name=opinion]")
    with page.expect_download() as download:
        page.click("form.handout button:has-text('PDF')")
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert opinion_words in text and "Note privée" not in text

    page.check("form.handout input[value=trainer]")
    with page.expect_download() as download:
        page.click("form.handout button:has-text('PDF')")
    assert download.value.suggested_filename == "selection-ma-sélection-formateur.pdf"
    assert "Note privée" in pdf_text(Path(download.value.path()).read_bytes())

    page.check("form.handout input[value=participants]")
    page.uncheck("form.handout input[name=opinion]")
    page.click("form.handout button:has-text('Page à imprimer')")
    expect(page.locator(".handout-bar")).to_contain_text("document pour les participants")
    expect(page.locator("button[data-print]")).to_be_visible()
    expect(page.locator("article.handout-view")).not_to_contain_text("Note privée")
    expect(page.locator("article.handout-view")).to_contain_text(QUESTION)
    check(page)

    page.click("text=Retour à la sélection")
    page.click("summary:has-text('Renommer')")
    page.click("button:has-text('Supprimer la sélection')")
    expect(page.locator("h1")).to_have_text("Supprimer la sélection ?")
    check(page)
    page.click("button:has-text('Supprimer définitivement')")
    expect(page.locator(".flash")).to_contain_text("Sélection supprimée")
    check(page)
    assert ref.startswith("AV-") or ref


def test_admin_dashboard_report_themes_and_accounts(live_url: str, page: Page, screen: dict, tmp_path_factory) -> None:
    from tests.test_archive import SMALL_REPORT

    login(page, live_url, "admin")
    if screen["width"] >= 1280:  # the whole menu on one line
        tops = page.locator("header.top nav a").evaluate_all("links => links.map(a => a.offsetTop)")
        assert len(set(tops)) == 1, tops

    page.click("header.top nav >> text=Tableau de bord")
    expect(page.locator("#theme-year")).to_be_visible()
    check(page)
    card = page.locator("section.panel", has=page.locator("#theme-year")).bounding_box()
    wrap = page.locator(".table-wrap", has=page.locator("#theme-year")).bounding_box()
    assert wrap["x"] + wrap["width"] <= card["x"] + card["width"], (wrap, card)
    if screen["width"] >= 1280:
        table = page.locator("#theme-year").bounding_box()
        assert table["x"] + table["width"] <= card["x"] + card["width"], (table, card)

    page.click("text=rapport annuel")
    check(page)
    page.go_back()
    page.click("text=gérer les thèmes")
    check(page)
    rename = page.locator("input[name=label]").first.evaluate("el => getComputedStyle(el).borderRadius")
    assert rename == "6px"
    page.go_back()
    page.click("text=termes jamais masqués")
    check(page)

    page.click("header.top nav >> text=Brouillons")
    check(page)
    page.click("text=Importer un rapport d'activités")
    check(page)
    report = tmp_path_factory.mktemp("report") / "rapport-2019.txt"
    report.write_text(SMALL_REPORT, encoding="utf-8")
    page.set_input_files("input[name=report]", str(report))
    page.click("input[name=preview]")
    expect(page.locator(".import-result")).to_contain_text("3 avis trouvé(s)")
    check(page)  # the preview, with its "Importer ces brouillons" form
    page.click("button:has-text('Importer ces brouillons')")
    expect(page.locator(".import-result")).to_contain_text("brouillon(s) ajouté(s)")
    check(page)
    page.click("text=Voir la file de relecture")
    page.locator("table.drafts a").first.click()
    expect(page.locator("button:has-text('Approuver le brouillon')")).to_be_visible()
    check(page)  # a draft's review, with the "Sans avis" box
    page.click("header.top nav >> text=Encoder un avis")
    check(page)
    year = page.locator("input[name=year]").evaluate("el => getComputedStyle(el).borderRadius")
    assert year == "6px"
    page.fill("input[name=title]", "Une école demande le dossier d'un élève")
    page.fill("textarea[name=situation]", "La direction d'une école demande au centre PMS le dossier d'un élève.")
    page.check("input[name=themes][value=secret-professionnel]")
    page.click("button:has-text('Anonymiser et relire')")
    expect(page.locator("button:has-text('Enregistrer le cas')")).to_be_visible()
    check(page)  # the review page (nothing saved)

    page.goto(live_url + MISSING_CASE)
    expect(page.locator("h1")).to_have_text("Page introuvable")
    check(page)

    page.click("header.top nav >> text=Tableau de bord")
    page.locator("section.panel", has_text="Derniers cas").locator("ul a").first.click()  # with the bureau's tools
    expect(page.locator("article.case h1")).to_be_visible()
    check(page)
    page.emulate_media(media="print")  # the case only: no menu, no "Supprimer", no form
    for selector in ("header.top", "button:has-text('Supprimer')", "text=Modifier", "form.add-to-selection"):
        expect(page.locator(selector).first).to_be_hidden()
    expect(page.locator("article.case h2").first).to_be_visible()
    page.emulate_media(media="screen")

    page.click("header.top nav >> text=Comptes")
    check(page)
    role = page.locator("table.users select").first.evaluate("el => getComputedStyle(el).borderRadius")
    assert role == "6px"
    page.fill("input[name=username]", f"benevole{screen['width']}")
    page.click("button:has-text('Créer le compte')")
    expect(page.locator("code.password")).to_be_visible()
    check(page)
