"""Handouts and annual reports: what each format contains, that long texts survive pagination, that stored
text can never become markup, and that default summaries split French sentences correctly."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from kb.documents import (
    PARTICIPANTS,
    TRAINER,
    Handout,
    HandoutCase,
    ReportEntry,
    annual_report_docx,
    annual_report_markdown,
    handout_docx,
    handout_markdown,
    handout_pdf,
    split_sentences,
    summarize_case,
)

ACCENTED = "L’assistante sociale hésite : « Dois-je répondre à l’inspecteur – même par écrit ? »"
PAYLOAD = "Voir [clic](javascript:alert(1)) puis <script>alert(2)</script> et ![img](x.png)."
LAST_SENTENCE = "Dernière phrase : le bureau conclut qu’aucune obligation légale de parler n’existe."


def long_situation() -> str:
    """Several thousand characters, numbered so that any lost sentence is noticed."""
    sentences = [
        f"Phrase numéro {i} : la travailleuse sociale décrit à nouveau la démarche entreprise auprès "
        f"de la famille et s’interroge sur ce qu’elle peut partager avec l’école."
        for i in range(1, 81)
    ]
    return " ".join(sentences[:40]) + "\n\n" + " ".join(sentences[40:]) + "\n\n" + LAST_SENTENCE


def make_handout() -> Handout:
    first = HandoutCase(
        ref="AV-2019-004",
        title="Un inspecteur téléphone au CPAS",
        situation=ACCENTED + " Elle se demande si confirmer l’aide trahit déjà son secret.",
        opinion="Le bureau rappelle l’art. 458 du Code pénal. Nous lui avons conseillé de ne rien confirmer.",
        themes=["Justice et police", "Secret partagé"],
        year=2019,
        legal_refs=["art. 458 C. pén.", "loi organique des CPAS, art. 36"],
        note="Insister sur la différence entre témoignage en justice et simple demande.",
        questions=["Que répondriez-vous par téléphone ?", "Quelles informations sont couvertes ?"],
    )
    second = HandoutCase(
        ref="AV-2021-017",
        title="Une école demande la situation familiale d’un élève",
        situation=long_situation(),
        opinion="Le bureau estime que seul ce qui est utile à la décision peut être partagé.",
        themes=["Mineurs"],
        year=None,
        legal_refs=[],
        questions=("Qui décide de ce qui est utile ?", "Faut-il l’accord des parents ?", "Et de l’élève ?"),
    )
    return Handout(
        title="Formation 2024 – Secret professionnel et police",
        description="Trois avis choisis pour la journée d’accueil des nouveaux travailleurs sociaux.",
        cases=[first, second],
    )


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


# --- PDF ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handout_pdf_pages() -> list[str]:
    data = handout_pdf(make_handout())
    assert data.startswith(b"%PDF")
    return pdf_pages(data)


def test_pdf_contains_title_cases_accents_and_questions(handout_pdf_pages: list[str]) -> None:
    text = " ".join(handout_pdf_pages)
    handout = make_handout()
    assert len(handout_pdf_pages) > 0
    assert handout.title in handout_pdf_pages[0]
    for case in handout.cases:
        assert case.title in text
        for question in case.questions:
            assert question in text
    assert ACCENTED in text
    for label in ("Situation", "Avis du bureau", "Références légales", "Questions pour la discussion",
                  "Note du formateur", "Réf. AV-2019-004 · 2019 · Thèmes : Justice et police, Secret partagé"):
        assert label in text
    assert "1. Que répondriez-vous par téléphone ?" in text
    assert "3. Et de l’élève ?" in text


def test_pdf_long_case_flows_across_pages_without_loss(handout_pdf_pages: list[str]) -> None:
    pages = handout_pdf_pages
    long_case_pages = [i for i, p in enumerate(pages) if "Phrase numéro" in p]
    assert len(long_case_pages) >= 2
    text = " ".join(pages)
    for i in range(1, 81):
        assert f"Phrase numéro {i} :" in text
    assert LAST_SENTENCE in text
    assert text.index(LAST_SENTENCE) > text.index("Phrase numéro 80 :")


def test_pdf_pages_are_numbered_in_the_footer(handout_pdf_pages: list[str]) -> None:
    total = len(handout_pdf_pages)
    for number, page in enumerate(handout_pdf_pages, 1):
        assert f"Page {number} sur {total}" in page


def test_pdf_is_a4_and_metadata_names_no_one() -> None:
    reader = PdfReader(io.BytesIO(handout_pdf(make_handout())))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert reader.metadata.title == make_handout().title
    assert not reader.metadata.author


def test_pdf_stored_text_is_never_markup() -> None:
    case = HandoutCase("X-1", "<b>Titre</b> & <font size=40>", "Texte <br/> & <i>brut</i>.", "Avis.", [], None, [])
    text = " ".join(pdf_pages(handout_pdf(Handout("T", "", [case]))))
    assert "<b>Titre</b> & <font size=40>" in text
    assert "Texte <br/> & <i>brut</i>." in text


def test_pdf_replaces_glyphs_the_font_lacks() -> None:
    situation = "Il dit\u202f: « non ». Mme Popescu vit à Timișoara 😀 ; réf\u2011interne ; fin."
    case = HandoutCase("X-2", "Glyphes", situation, "Avis.", [], 2020, [], questions=["Ça va ?"])
    text = " ".join(pdf_pages(handout_pdf(Handout("T", "", [case]))))
    assert "Il dit : « non »" in text.replace("\u00a0", " ")
    assert "Timisoara ?" in text
    assert "réf-interne" in text


def test_pdf_cases_can_share_pages() -> None:
    handout = make_handout()
    short = Handout(handout.title, "", [handout.cases[0]] * 3)
    assert len(pdf_pages(handout_pdf(short, case_per_page=False))) < len(pdf_pages(handout_pdf(short)))


def test_pdf_of_an_empty_selection_still_builds() -> None:
    pages = pdf_pages(handout_pdf(Handout("Sélection vide", "", [])))
    assert pages and "Sélection vide" in pages[0]


# --- DOCX --------------------------------------------------------------------------------------------


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def num_id(paragraph) -> int:
    return paragraph._p.pPr.numPr.numId.val


def test_docx_headings_paragraphs_and_accents() -> None:
    handout = make_handout()
    document = open_docx(handout_docx(handout))
    assert styled(document, "Title") == [handout.title]
    assert styled(document, "Heading 1") == [c.title for c in handout.cases]
    sections = styled(document, "Heading 2")
    assert sections.count("Situation") == 2
    assert sections.count("Avis du bureau") == 2
    assert sections.count("Questions pour la discussion") == 2
    assert sections.count("Références légales") == 1  # the second case has none: no empty section
    body = [p.text for p in document.paragraphs]
    assert any(ACCENTED in p for p in body)
    assert LAST_SENTENCE in body
    assert "art. 458 C. pén." in styled(document, "List Bullet")
    assert document.core_properties.title == handout.title
    assert document.core_properties.author == ""


def test_docx_questions_are_numbered_from_one_in_each_case() -> None:
    handout = make_handout()
    document = open_docx(handout_docx(handout))
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    questions = [p for p in numbered if p.text in set(handout.cases[0].questions) | set(handout.cases[1].questions)]
    assert [p.text for p in questions] == list(handout.cases[0].questions) + list(handout.cases[1].questions)
    first, second = {num_id(p) for p in questions[:2]}, {num_id(p) for p in questions[2:]}
    assert len(first) == 1 and len(second) == 1 and first != second
    numbering = document.part.numbering_part.element
    for ident in first | second:
        override = numbering.num_having_numId(ident).lvlOverride_lst[0]
        assert override.startOverride.val == 1


def test_docx_is_a4_with_page_numbers_and_french_proofing() -> None:
    document = open_docx(handout_docx(make_handout()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    lang = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-BE"


def test_docx_survives_control_characters_and_keeps_line_breaks() -> None:
    case = HandoutCase("X-3", "Titre\x0b avec\x00 contrôle", "Ligne 1\nLigne 2\x1f", "Avis.", [], None, [])
    document = open_docx(handout_docx(Handout("T", "", [case])))
    assert "Titre avec contrôle" in styled(document, "Heading 1")
    assert "Ligne 1\nLigne 2" in [p.text for p in document.paragraphs]


# --- Markdown ----------------------------------------------------------------------------------------


def test_markdown_structure() -> None:
    handout = make_handout()
    lines = handout_markdown(handout).splitlines()
    assert lines[0] == "# Formation 2024 – Secret professionnel et police"
    assert "## Un inspecteur téléphone au CPAS" in lines
    assert lines.count("### Situation") == 2
    assert lines.count("### Avis du bureau") == 2
    assert lines.count("### Questions pour la discussion") == 2
    assert "1. Que répondriez\\-vous par téléphone ?" not in lines  # hyphens inside a line stay as typed
    assert "1. Que répondriez-vous par téléphone ?" in lines
    assert "2. Quelles informations sont couvertes ?" in lines
    assert "3. Et de l’élève ?" in lines
    assert "- art. 458 C. pén." in lines
    assert "*Réf. AV-2019-004 · 2019 · Thèmes : Justice et police, Secret partagé*" in lines


def payload_handout() -> Handout:
    case = HandoutCase(
        ref="X-4",
        title="[clic](javascript:alert(1)) <script>",
        situation=PAYLOAD
        + "\n# Pas un titre\n- pas une liste\n1. pas numéroté\n===\n    pas du code\n`code` *gras* _x_",
        opinion="<img src=x onerror=alert(3)> &lt;b&gt;",
        themes=["<b>thème</b>"],
        year=2020,
        legal_refs=["[lien]: javascript:alert(4)"],
        note="> citation",
        questions=["[q](http://exemple.test)", "<a href='x'>a</a>"],
    )
    return Handout("<script>alert(0)</script>", "[x](javascript:alert(5))", [case])


def test_markdown_escapes_links_and_html() -> None:
    md = handout_markdown(payload_handout())
    assert "](javascript" not in md.replace("\\]", "")
    assert "[clic]" not in md
    assert "<script>" not in md and "<img" not in md and "<a " not in md and "<b>" not in md
    assert "\\[clic\\](javascript:alert(1))" in md
    assert "&lt;script&gt;" in md
    assert "&amp;lt;b&amp;gt;" in md  # stored entities stay literal text


def test_markdown_payload_renders_as_plain_text() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").render(handout_markdown(payload_handout()))
    for tag in ("<a ", "<img", "<script", "<code", "<strong", "<blockquote", "<pre"):
        assert tag not in html
    assert html.count("<h1>") == 1 and html.count("<h2>") == 1
    assert html.count("<ul>") == 1  # only the legal references we put there
    assert "[clic](javascript:alert(1))" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&amp;lt;b&amp;gt;" in html


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_markdown_never_renders_stored_text_as_markup(text: str) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    case = HandoutCase("X", text, text, text, [text], 2020, [text], note=text, questions=[text])
    html = markdown_it.MarkdownIt("commonmark").render(handout_markdown(Handout(text, text, [case])))
    tags = set(re.findall(r"<([a-z0-9]+)", html))
    assert tags <= {"h1", "h2", "h3", "p", "br", "em", "ul", "ol", "li", "hr"}
    assert html.count("<em>") == 2  # the audience line under the title and the identification line only


@settings(max_examples=15, deadline=None)
@given(st.text(max_size=300))
def test_any_stored_text_makes_valid_docx_and_pdf(text: str) -> None:
    case = HandoutCase("X", text, text, text, [text], None, [text], note=text, questions=[text])
    handout = Handout(text, text, [case])
    assert zipfile.is_zipfile(io.BytesIO(handout_docx(handout)))
    assert PdfReader(io.BytesIO(handout_pdf(handout))).pages


# --- annual report -----------------------------------------------------------------------------------

ENTRIES = [
    ReportEntry("Justice et police", "AV-2023-001", 2023, "Un policier demande l’adresse d’un bénéficiaire.",
                "Le bureau conseille de ne rien confirmer par téléphone."),
    ReportEntry("Mineurs", "AV-2023-002", 2023, "Une école veut connaître la situation d’un élève",
                "Seul ce qui est utile à la décision peut être partagé"),
    ReportEntry("Justice et police", "AV-2023-003", None, "Un juge d’instruction convoque une assistante sociale.",
                "Le témoignage en justice autorise à parler, sans y obliger."),
    ReportEntry("Secret partagé", "AV-2023-004", 2023, "Une réunion de concertation [Prénom] <b>.",
                "Le bureau rappelle les conditions du secret partagé."),
]


def test_annual_report_markdown_groups_by_theme_in_order() -> None:
    md = annual_report_markdown("Rapport d’activités 2023", (2023, 2023), ENTRIES)
    lines = md.splitlines()
    assert lines[0] == "# Rapport d’activités 2023"
    assert "## Les avis rendus, regroupés par thème" in lines
    assert [line[4:] for line in lines if line.startswith("### ")] == ["Justice et police", "Mineurs",
                                                                      "Secret partagé"]
    paragraphs = [line for line in lines if line.startswith("**Réf.")]
    assert len(paragraphs) == len(ENTRIES)
    police = lines.index("### Justice et police")
    assert lines[police + 2].startswith("**Réf. AV-2023-001 (2023).** Un policier demande")
    assert lines[police + 4].startswith("**Réf. AV-2023-003.** Un juge")
    assert lines[lines.index("### Mineurs") + 2].startswith("**Réf. AV-2023-002 (2023).**")
    assert "Une école veut connaître la situation d’un élève. Seul ce qui est utile" in md
    assert "\\[Prénom\\] &lt;b&gt;" in md
    assert "Le bureau a rendu 4 avis en 2023, regroupés ci-dessous en 3 thèmes." in md


def test_annual_report_docx_has_a_paragraph_per_entry() -> None:
    document = open_docx(annual_report_docx("Rapport d’activités", (2022, 2023), ENTRIES))
    assert styled(document, "Title") == ["Rapport d’activités"]
    assert styled(document, "Heading 1") == ["Les avis rendus, regroupés par thème"]
    assert styled(document, "Heading 2") == ["Justice et police", "Mineurs", "Secret partagé"]
    body = [p.text for p in document.paragraphs if p.style.name == "Normal"]
    for entry in ENTRIES:
        matching = [p for p in body if entry.summary.rstrip(".") in p]
        assert len(matching) == 1
        assert entry.advice.rstrip(".") in matching[0]
        assert matching[0].startswith(f"Réf. {entry.ref}")
    assert "Années 2022 à 2023" in body
    assert any("Une réunion de concertation [Prénom] <b>." in p for p in body)


def test_annual_report_without_entries_and_bad_period() -> None:
    assert "Aucun avis n’a été rendu de 2021 à 2022." in annual_report_markdown("R", (2021, 2022), [])
    assert open_docx(annual_report_docx("R", (2021, 2021), [])).paragraphs
    with pytest.raises(ValueError):
        annual_report_markdown("R", (2023, 2021), ENTRIES)
    with pytest.raises(ValueError):
        annual_report_docx("R", (2023, 2021), ENTRIES)


# --- summaries ---------------------------------------------------------------------------------------


def test_summarize_case_does_not_split_after_abbreviations() -> None:
    situation = (
        "M. Dupont, père de l’enfant, invoque l’art. 458 du Code pénal devant Mme Leroy, c.-à-d. la "
        "directrice. Il cite le dossier n° 12. Le C.P.A.S. de Namur a été contacté. Rien d’autre."
    )
    opinion = "Le bureau rappelle l’art. 458 du Code pénal. Voir Cass. 12 mars 2001. Il conclut."
    summary, advice = summarize_case(situation, opinion)
    assert summary == (
        "M. Dupont, père de l’enfant, invoque l’art. 458 du Code pénal devant Mme Leroy, c.-à-d. la "
        "directrice. Il cite le dossier n° 12."
    )
    assert advice == "Le bureau rappelle l’art. 458 du Code pénal. Voir Cass. 12 mars 2001."


def test_summarize_case_respects_max_sentences() -> None:
    situation = "Première phrase. Deuxième phrase ? Troisième phrase ! Quatrième."
    assert summarize_case(situation, "Un. Deux. Trois.", max_sentences=1) == ("Première phrase.", "Un.")
    assert summarize_case(situation, "Un. Deux. Trois.", max_sentences=3) == (
        "Première phrase. Deuxième phrase ? Troisième phrase !", "Un. Deux. Trois.")
    with pytest.raises(ValueError):
        summarize_case(situation, "", max_sentences=0)


def test_summarize_case_edge_cases() -> None:
    assert summarize_case("", "") == ("", "")
    assert summarize_case("Premier paragraphe sans point\n\nSecond.", "x", max_sentences=1)[0] == (
        "Premier paragraphe sans point")
    run_on = "mot " * 500
    summary, _ = summarize_case(run_on, "", max_chars=100)
    assert len(summary) <= 100 and summary.endswith("…")
    two_long = ("A" + "b" * 300 + ". ") * 3
    assert summarize_case(two_long, "", max_chars=400)[0].count(".") == 1  # drop, don't cut, a 2nd sentence


def test_split_sentences_handles_quotes_and_ellipses() -> None:
    text = ("Elle dit : « Non. » Puis elle part… Le bureau (voir art. 29 C. i. cr.) répond. "
            "« Pourquoi ? » demande-t-il.")
    assert split_sentences(text) == [
        "Elle dit : « Non. »",
        "Puis elle part…",
        "Le bureau (voir art. 29 C. i. cr.) répond.",
        "« Pourquoi ? » demande-t-il.",
    ]


def participants_handout(opinion: bool) -> Handout:
    """What the web layer builds for participants: no note; no opinion nor legal references unless asked."""
    case = HandoutCase("AV-1", "Titre", "La situation.", "L’avis." if opinion else "", ["Thème"], 2021,
                       ["art. 458 Code pénal"] if opinion else [], note="", questions=["Que faire ?"])
    return Handout("Formation", "", [case], audience=PARTICIPANTS)


def test_participants_read_the_questions_before_the_opinion_in_every_format() -> None:
    handout = participants_handout(opinion=True)
    texts = {
        "pdf": " ".join(pdf_pages(handout_pdf(handout))),
        "docx": "\n".join(p.text for p in docx.Document(io.BytesIO(handout_docx(handout))).paragraphs),
        "md": handout_markdown(handout),
    }
    for fmt, text in texts.items():
        assert "Document pour les participants" in text, fmt
        assert text.index("Questions pour la discussion") < text.index("Avis du bureau"), fmt
        assert "Note du formateur" not in text, fmt


def test_a_note_never_reaches_a_participants_handout_even_if_given() -> None:
    case = HandoutCase("AV-1", "Titre", "Situation.", "", [], None, [], note="Secret du formateur", questions=[])
    handout = Handout("Formation", "", [case], audience=PARTICIPANTS)
    assert "Secret du formateur" not in handout_markdown(handout)
    assert "Secret du formateur" not in " ".join(pdf_pages(handout_pdf(handout)))
    trainer = Handout("Formation", "", [case], audience=TRAINER)
    assert "Document du formateur" in handout_markdown(trainer) and "Secret du formateur" in handout_markdown(trainer)
    with pytest.raises(ValueError):
        Handout("Formation", "", [], audience="everyone")


def test_pdf_metadata_title_language_and_creation_date() -> None:
    from datetime import datetime, timedelta, timezone
    reader = PdfReader(io.BytesIO(handout_pdf(participants_handout(opinion=False))))
    assert reader.metadata.title == "Formation"
    assert reader.trailer["/Root"]["/Lang"] == "fr-BE"
    assert abs(reader.metadata.creation_date - datetime.now(timezone.utc)) < timedelta(hours=1)


def test_file_name_slugs_keep_accents_and_have_an_ascii_twin() -> None:
    from kb.documents.text import ascii_slug, slug
    assert slug("Secret & éthique : les CPAS (2024)") == "secret-éthique-les-cpas-2024"
    assert ascii_slug("Secret & éthique : les CPAS (2024)") == "secret-ethique-les-cpas-2024"
    assert ascii_slug("Œuvres") == "oeuvres" and slug("  ") == "sans-titre" and ascii_slug("日本") == "sans-titre"
    assert "/" not in slug("../../etc/passwd") and "." not in slug("../../etc/passwd")
