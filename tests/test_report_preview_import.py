"""Issue 14: "Importer ces brouillons" from the preview of an uploaded report, without choosing the file
again. The preview page carries the anonymised drafts, signed with the app's secret key; nothing rests
on the server in between, and the page holds no raw identifier."""
from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from kb.models import Draft
from tests.test_archive import SAMPLE, SMALL_REPORT
from tests.test_no_identifiers_on_disk import CANARIES, TEXT, assert_no_canary, assert_no_canary_under, needles


def preview(client, text: str, name: str = "rapport.txt"):
    return client.post("/bureau/drafts/import", content_type="multipart/form-data",
                       data={"report": (io.BytesIO(text.encode()), name), "preview": "1"})


def hidden_fields(page: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)}


def draft_count(kb) -> int:
    with kb.db.session() as db:
        return db.scalar(select(func.count(Draft.id)))


def signed_json(signed: str) -> dict:
    """The JSON part of a signed preview (`JSON.timestamp.signature`)."""
    return json.loads(signed.rsplit(".", 2)[0])


def test_importing_from_the_preview_stores_its_drafts_once(client, kb) -> None:
    page = preview(client, SMALL_REPORT).get_data(as_text=True)
    assert "Aperçu : rien n'a été enregistré" in page and "Importer ces brouillons</button>" in page
    signed = hidden_fields(page)["drafts"]
    assert draft_count(kb) == 0
    carried = signed_json(signed)["drafts"]
    assert [d["theme_slug"] for d in carried] == ["secret-professionnel", "secret-professionnel", None]
    assert "Verhaegen" not in signed and "[Personne A]" in carried[0]["situation"]

    imported = client.post("/bureau/drafts/import/preview", data={"drafts": signed})
    text = imported.get_data(as_text=True)
    assert imported.status_code == 200 and "Import terminé" in text and "3 brouillon(s) ajouté(s)" in text
    with kb.db.session() as db:
        drafts = list(db.scalars(select(Draft).order_by(Draft.id)))
    assert [(d.title, d.situation, d.opinion, d.theme_slug, d.proposed_theme, d.year_from, d.fingerprint) for d in drafts] == [
        (c["title"], c["situation"], c["opinion"], c["theme_slug"], c["proposed_theme"], c["year_from"], c["fingerprint"])
        for c in carried]
    assert drafts[0].source.startswith("rapport d'activités 2019 importé le ")
    # The same preview sent again, or the file imported afterwards, adds nothing.
    again = client.post("/bureau/drafts/import/preview", data={"drafts": signed}).get_data(as_text=True)
    assert "0 brouillon(s) ajouté(s), 3 déjà connu(s)" in again and draft_count(kb) == 3


def test_the_real_sample_imports_from_its_preview(client, kb) -> None:
    page = preview(client, SAMPLE.read_text(encoding="utf-8"), SAMPLE.name).get_data(as_text=True)
    signed = hidden_fields(page)["drafts"]
    text = client.post("/bureau/drafts/import/preview", data={"drafts": signed}).get_data(as_text=True)
    assert "49 brouillon(s) ajouté(s)" in text and draft_count(kb) == 49


def test_a_tampered_or_missing_preview_is_refused(client, kb) -> None:
    signed = hidden_fields(preview(client, SMALL_REPORT).get_data(as_text=True))["drafts"]
    body, stamp, signature = signed.rsplit(".", 2)
    changed = body.replace("[Personne A]", "Annick Verhaegen")
    assert changed != body
    for bad in (f"{changed}.{stamp}.{signature}", f"{body}.{stamp}.{signature[:-2]}xx", "", "n'importe quoi",
                f"{body}.{stamp}"):
        refused = client.post("/bureau/drafts/import/preview", data={"drafts": bad})
        assert refused.status_code == 400, bad[-40:]
        assert "L&#39;aperçu a été modifié ou n&#39;est plus valable" in refused.get_data(as_text=True)
    assert draft_count(kb) == 0


def test_a_preview_signed_for_someone_else_is_refused(app, client, kb) -> None:
    from tests.conftest import logged_in

    signed = hidden_fields(preview(client, SMALL_REPORT).get_data(as_text=True))["drafts"]
    colleague = logged_in(app, "admin")  # another account, allowed on the bureau's pages
    assert colleague.post("/bureau/drafts/import/preview", data={"drafts": signed}).status_code == 400
    assert draft_count(kb) == 0


def test_the_preview_page_and_its_hidden_fields_hold_no_raw_identifier(app, client, kb, data_dir: Path) -> None:
    report = ("Rapport d'activités 2024\n\n2. Les avis rendus\nSecret professionnel\n"
              f"o {TEXT} Nous avons conseillé de ne rien transmettre.\n"
              f"o Un éducateur de {CANARIES['person']} s'interroge sur un rapport au juge de la jeunesse.\n"
              "\n3. Perspectives\nLe comité poursuivra ses travaux.\n")
    response = preview(client, report, f"{CANARIES['person']}.txt")
    page = response.get_data(as_text=True)
    fields = hidden_fields(page)
    carried = signed_json(fields["drafts"])
    assert len(carried["drafts"]) == 2
    for value in [*fields.values(), json.dumps(carried, ensure_ascii=False)]:
        data = value.encode("utf-8")
        found = [n for n in needles() if n in data or n in data.lower()]
        assert not found, f"identifying text in a hidden field of the preview: {found[:3]}"
    assert_no_canary_under(data_dir)  # nothing rests between the preview and the import
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])  # nor in the session cookie
    if session is not None:
        content = json.dumps(app.session_interface.get_signing_serializer(app).loads(session.value), ensure_ascii=False)
        assert not [n for n in needles() if n in content.encode() or n in content.lower().encode()]
        assert "drafts" not in content and "Personne" not in content
    assert client.post("/bureau/drafts/import/preview", data={"drafts": fields["drafts"]}).status_code == 200
    assert draft_count(kb) == 2
    assert_no_canary(kb, data_dir)


def test_a_large_preview_goes_through_the_form_limits(app, client, kb) -> None:
    """A report of many opinions gives a signed field over the 2 MB limit of other forms."""
    from kb.services.report_import import ReportImport, draft_from_preview
    from kb.web.drafts import sign_preview

    fields = [{"title": f"Situation n° {i}", "situation": "Un service social se demande ce qu'il peut transmettre. " * 100,
               "opinion": "Nous avons conseillé de demander l'accord de la personne.", "theme_slug": "secret-professionnel",
               "proposed_theme": None, "year_from": 2020, "year_to": 2021, "fingerprint": f"{i:032x}"} for i in range(400)]
    with app.test_request_context("/"):  # signed with the app's key, for the account of `client`
        signed = sign_preview(ReportImport((2020, 2021), [draft_from_preview(f) for f in fields], []), "bureau")
    assert len(signed.encode()) > 2_200_000
    response = client.post("/bureau/drafts/import/preview", data={"drafts": signed})
    assert response.status_code == 200 and "400 brouillon(s) ajouté(s)" in response.get_data(as_text=True)
    assert draft_count(kb) == 400
