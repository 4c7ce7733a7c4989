"""`kb.report_parser`: activity reports become one draft per opinion, on the real sample and on small
synthetic reports carrying the artefacts of PDF extraction. Fast: no database, no spaCy."""
from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

import pytest

from kb.models import THEMES as TAXONOMY
from kb.report_parser import NotAReport, ParsedReport, ReportDraft, extract_text, match_theme, parse_report
from tests.helpers import assemble_pdf

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "rapport-activites-2021-2023.txt"

THEMES = dict(TAXONOMY)  # the design's taxonomy, as the app seeds it
BULLET_GLYPHS = "o•➢üØ-–—*▪■►\uf0a7\uf0b7"


def groups(drafts: list[ReportDraft]) -> list[tuple[str, int]]:
    """(heading, number of drafts) in the order of the report."""
    return [(heading, len(list(items))) for heading, items in groupby(drafts, key=lambda d: d.theme_heading)]


def words(text: str) -> str:
    """Words only, one space apart: to compare a draft with its source whatever the line breaks."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def assert_clean(draft: ReportDraft) -> None:
    """What every draft's text must look like after cleaning."""
    for text in (draft.situation, draft.opinion):
        assert "\n" not in text and "  " not in text and text == text.strip()
        assert not re.search(r"[^\W\d_]-\s[^\W\d_]", text), f"hyphenation break left: {text!r}"
    assert draft.situation[0] not in BULLET_GLYPHS or not draft.situation[1:2].isspace()
    assert draft.situation[0].isupper() or draft.situation[0].isdigit()
    assert 0 < len(draft.title) <= 120
    assert draft.title[-1] not in ",;:-(" and not draft.title.endswith(" ")
    assert re.fullmatch(r"[0-9a-f]{32}", draft.fingerprint)


# ---------------------------------------------------------------------------------------------------
# The real report


@pytest.fixture(scope="module")
def sample() -> ParsedReport:
    assert SAMPLE.is_file(), f"missing sample report: {SAMPLE}"
    return parse_report(extract_text(SAMPLE), THEMES)


def test_sample_yields_49_opinions_under_7_headings_in_order(sample: ParsedReport) -> None:
    assert len(sample.drafts) == 49
    assert [count for _, count in groups(sample.drafts)] == [11, 4, 9, 1, 10, 4, 10]
    slugs = [slug for slug, _ in groupby(d.theme_slug for d in sample.drafts)]
    assert slugs == [
        "secret-professionnel", "informatisation", "justice-police", "controle-administration",
        "pratiques-institutionnelles", "questions-deontologiques", "fonction-sociale",
    ]


def test_sample_drafts_all_have_a_theme_and_the_period(sample: ParsedReport) -> None:
    assert sample.period == (2021, 2023)
    for draft in sample.drafts:
        assert draft.theme_slug or draft.proposed_theme
        assert draft.theme_heading and draft.theme_heading == draft.theme_heading.strip()
        assert not re.match(r"^([0-9]+|[A-Za-z]|[IVX]+)\s*[.)\-]", draft.theme_heading)  # numbering stripped
        assert (draft.year_from, draft.year_to) == (2021, 2023)


def test_sample_catch_all_heading_is_set_aside_not_lost(sample: ParsedReport) -> None:
    assert sample.set_aside and {d.theme_slug for d in sample.set_aside} == {"divers"}
    everything = parse_report(extract_text(SAMPLE), THEMES, include_miscellaneous=True)
    assert len(everything.drafts) == 49 + len(sample.set_aside)
    assert everything.drafts[:49] == sample.drafts


def test_sample_takes_nothing_from_the_other_sections(sample: ParsedReport) -> None:
    headings = {words(d.theme_heading) for d in sample.drafts}
    source_words = words(SAMPLE.read_text(encoding="utf-8"))
    for draft in sample.drafts:
        text = f"{draft.situation} {draft.opinion}".strip()
        assert len(text) >= 40
        assert words(draft.situation) not in headings
        # Each opinion is one contiguous run of the report's words: nothing dropped, added or mixed in.
        assert words(text) in source_words
        # Vocabulary of the report's other sections (activities, website, assembly, trainings, links).
        assert not re.search(r"newsletter|abonnés|plénière|bistrot|colloque|manifeste|https?:", text, re.I)


def test_sample_drafts_are_cleaned(sample: ParsedReport) -> None:
    for draft in sample.drafts:
        assert_clean(draft)
    first = sample.drafts[0]  # broken by the PDF over a blank line in the source
    assert len(re.findall(r"[.?!]", first.situation)) >= 3
    assert not re.search(r"\s\d{1,3}\s[a-zà-ÿ]", first.situation)  # no page number in mid-sentence


def test_sample_fingerprints_are_unique_and_stable(sample: ParsedReport) -> None:
    fingerprints = [d.fingerprint for d in sample.drafts]
    assert len(set(fingerprints)) == len(fingerprints)
    again = parse_report(SAMPLE.read_text(encoding="utf-8"), THEMES)
    assert [d.fingerprint for d in again.drafts] == fingerprints


# ---------------------------------------------------------------------------------------------------
# Synthetic reports with the artefacts of PDF extraction

HEADER = "CVTS – Rapport d'activités 2019"

SYNTHETIC = f"""Rapport d'activités 2019

1. Introduction

Cette année, le bureau s'est réuni régulièrement et a répondu à de nombreuses demandes.
Le présent rapport en rend compte.

• 2019 : 20 réunions
• Site : 1500 visites par mois

2. Les avis rendus

Voici les avis que nous avons donnés, regroupés par thème.

Secret professionnel
o Une assistante sociale de CPAS reçoit un appel de la police qui demande l'adresse
d'une personne suivie. Elle se demande si elle peut la donner.

o Un éducateur d'une maison d'accueil s'interroge sur la confi-
dentialité des notes prises en réunion d'équipe et sur leur accès par la direction.
Nous lui avons conseillé de distinguer les notes personnelles du dossier partagé.

12
{HEADER}

o Un service d'aide aux justiciables veut transmettre un rapport au juge sans
l'accord de la personne concernée. L'équipe hésite.

Justice, police et
travail social

• Une travailleuse sociale est convoquée comme témoin par un juge d'instruction et
se demande ce qu'elle peut dire de la situation d'une famille qu'elle accompagne.
• Un inspecteur de police souhaite participer à une réunion de coordination du
réseau local. Le bureau a rappelé que le secret professionnel ne permet pas cette présence.

Page 13
{HEADER}

Covid et confinement

➢ Pendant le confinement, un service social organise ses entretiens par
visioconférence sur une plateforme gratuite et se demande si la confidentialité est garantie.

Pratiques institutionnelles

ü Une direction de CPAS impose aux assistants sociaux de partager leurs dossiers dans
un répertoire commun accessible à tous les services de la commune.

Questions déontologiques

- Une étudiante stagiaire a été témoin de propos humiliants envers une résidente
et ne sait pas si elle peut en parler à son école. Avis : en parler d'abord à son maître de stage.

{HEADER}
14

3. Les formations

Nous avons donné plusieurs formations cette année.

• Une formation pour une équipe de CPAS.
• Une formation pour un service de santé mentale.
"""


@pytest.fixture(scope="module")
def synthetic() -> ParsedReport:
    return parse_report(SYNTHETIC, THEMES)


def test_synthetic_finds_each_opinion_under_its_heading(synthetic: ParsedReport) -> None:
    assert groups(synthetic.drafts) == [
        ("Secret professionnel", 3),
        ("Justice, police et travail social", 2),  # heading split over two lines, joined
        ("Covid et confinement", 1),
        ("Pratiques institutionnelles", 1),
        ("Questions déontologiques", 1),
    ]
    assert [d.theme_slug for d in synthetic.drafts] == [
        "secret-professionnel", "secret-professionnel", "secret-professionnel",
        "justice-police", "justice-police", None, "pratiques-institutionnelles", "questions-deontologiques",
    ]
    for draft in synthetic.drafts:
        assert_clean(draft)
        assert "Rapport" not in draft.situation and "formation pour" not in draft.situation


def test_synthetic_unknown_heading_is_a_theme_proposal(synthetic: ParsedReport) -> None:
    proposal = [d for d in synthetic.drafts if d.theme_slug is None]
    assert len(proposal) == 1
    assert proposal[0].proposed_theme == "Covid et confinement"
    assert all(d.proposed_theme is None for d in synthetic.drafts if d.theme_slug)


def test_synthetic_single_year_period(synthetic: ParsedReport) -> None:
    assert synthetic.period == (2019, 2019)
    assert all((d.year_from, d.year_to) == (2019, 2019) for d in synthetic.drafts)


def test_synthetic_artefacts_are_cleaned(synthetic: ParsedReport) -> None:
    second, third = synthetic.drafts[1], synthetic.drafts[2]
    assert "confidentialité des notes" in second.situation  # hyphenation at a line end mended
    # A page number and a running header cut the third item from its heading: nothing of them is kept.
    assert third.situation.startswith("Un service d'aide aux justiciables")
    assert "12" not in third.situation and "CVTS" not in third.situation
    assert third.situation.endswith("L'équipe hésite.")
    first = synthetic.drafts[0]
    assert first.situation.endswith("Elle se demande si elle peut la donner.")
    assert first.title == (
        "Une assistante sociale de CPAS reçoit un appel de la police qui demande l'adresse d'une personne suivie"
    )


def test_synthetic_advice_goes_to_opinion(synthetic: ParsedReport) -> None:
    by_start = {d.situation[:20]: d for d in synthetic.drafts}
    advised = by_start["Un éducateur d'une m"]
    assert advised.opinion.startswith("Nous lui avons conseillé de distinguer")
    assert "conseillé" not in advised.situation
    assert by_start["Un inspecteur de pol"].opinion.startswith("Le bureau a rappelé")
    assert by_start["Une étudiante stagia"].opinion.startswith("Avis : en parler")
    assert by_start["Une assistante socia"].opinion == ""


@pytest.mark.parametrize("glyph", ["o", "•", "➢", "ü", "-", "Ø", "1.", "\uf0a7"])
def test_each_bullet_style_separates_opinions(glyph: str) -> None:
    items = [
        f"{glyph} Un assistant social de CPAS se demande s'il peut répondre à un courrier de la",
        "commune qui réclame la liste des personnes aidées.",
        f"{glyph} Une éducatrice d'un service résidentiel reçoit la visite de la police qui veut",
        "consulter le dossier d'un jeune.",
    ]
    if glyph == "1.":
        items[2] = items[2].replace("1.", "2.", 1)
    text = "Les avis de l'année 2020.\n\nSecret professionnel\n" + "\n".join(items) + "\n"
    report = parse_report(text, THEMES)
    assert [d.title[:20] for d in report.drafts] == ["Un assistant social ", "Une éducatrice d'un "]
    for draft in report.drafts:
        assert_clean(draft)


def test_paragraphs_without_bullets_are_opinions() -> None:
    text = (
        "Avis rendus en 2018\n\nSecret professionnel\n\n"
        "Une assistante sociale hospitalière se demande si elle peut informer les parents\n"
        "d'une patiente mineure.\n\n"
        "Un service d'aide à domicile reçoit une demande d'information d'un notaire au sujet d'un\n\n"
        "bénéficiaire décédé.\n\n"
        "Informatisation du travail social\n\n"
        "Une commune impose un logiciel unique à tous ses services, service social compris.\n"
    )
    report = parse_report(text, THEMES)
    assert [count for _, count in groups(report.drafts)] == [2, 1]
    assert report.drafts[1].situation.endswith("au sujet d'un bénéficiaire décédé.")
    assert report.period == (2018, 2018)


def test_heading_numbering_is_stripped_and_the_next_section_ends_the_list() -> None:
    text = (
        "Rapport d'activités 2016-2017\n\n"
        "A) Secret professionnel\n"
        "- Un assistant social est sollicité par un avocat qui veut connaître l'adresse d'un usager.\n"
        "B) Justice et police\n"
        "- Une équipe de rue est interrogée par la police sur les habitudes d'une personne sans abri.\n\n"
        "4. Nos formations\n\n"
        "Nous avons animé six formations auprès d'équipes de CPAS et de services d'aide à la jeunesse.\n"
    )
    report = parse_report(text, THEMES)
    assert groups(report.drafts) == [("Secret professionnel", 1), ("Justice et police", 1)]
    assert [d.theme_slug for d in report.drafts] == ["secret-professionnel", "justice-police"]
    assert report.period == (2016, 2017)


# ---------------------------------------------------------------------------------------------------
# Themes, titles, fingerprints


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Secret professionnel", "secret-professionnel"),
        ("SECRET PROFESSIONNEL", "secret-professionnel"),
        ("Secret professionnel et partage d'informations", "secret-professionnel"),
        ("1. Justice et police", "justice-police"),
        ("II - Instance de controle et administration", "controle-administration"),
        ("A) Questions deontologiques :", "questions-deontologiques"),
        ("Informatisation", "informatisation"),
        ("La fonction sociale", "fonction-sociale"),
        ("Divers", "divers"),
        ("Le travail social clandestin", None),
        ("Fonctionnement du comité", None),
        ("Covid et confinement", None),
    ],
)
def test_headings_map_tolerantly_to_known_themes(heading: str, slug: str | None) -> None:
    assert match_theme(heading, THEMES) == slug


def test_long_first_sentence_gives_a_clean_short_title() -> None:
    long_item = (
        "o Un assistant social travaillant dans un service d'accompagnement des personnes "
        "sans abri de la région se demande s'il peut transmettre au CPAS de la commune voisine "
        "les informations recueillies lors des entretiens. La direction insiste."
    )
    report = parse_report(f"Secret professionnel\n{long_item}\n", THEMES)
    title = report.drafts[0].title
    assert len(title) <= 120 and title.endswith("…")
    assert not re.search(r"\b(de|la|le|les|des|du|d'\w+|l'\w+|au|et)…$", title)


def test_same_text_gives_same_fingerprints_and_layout_does_not_matter() -> None:
    first = parse_report(SYNTHETIC, THEMES)
    second = parse_report(SYNTHETIC, THEMES)
    assert [d.fingerprint for d in first.drafts] == [d.fingerprint for d in second.drafts]
    reflowed = parse_report(SYNTHETIC.replace("\n", "\r\n").replace("travail social\n", "travail social\n\n"), THEMES)
    assert [d.fingerprint for d in reflowed.drafts] == [d.fingerprint for d in first.drafts]
    assert len({d.fingerprint for d in first.drafts}) == len(first.drafts)


# ---------------------------------------------------------------------------------------------------
# Refusals and files


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "ref,title,situation,year\nAV-1,Secret professionnel,Une assistante sociale se demande,2020\n",
        "Le travail social demande la rencontre. Nous avons passé une belle année.\n\n"
        "Bonne lecture à toutes et à tous, et rendez-vous l'an prochain pour la suite.\n",
        "Liste de courses\n- pain\n- lait\n- oeufs\n",
    ],
)
def test_not_a_report(text: str) -> None:
    with pytest.raises(NotAReport) as raised:
        parse_report(text, THEMES)
    assert "rapport" in str(raised.value) and "report" in str(raised.value)


def test_extract_text_reads_text_files(tmp_path: Path) -> None:
    txt = tmp_path / "rapport.txt"
    txt.write_bytes("\ufeffSecret professionnel\n".encode("utf-8"))
    assert extract_text(txt) == "Secret professionnel\n"
    md = tmp_path / "rapport.md"
    md.write_text(SYNTHETIC, encoding="utf-8")
    assert len(parse_report(extract_text(md), THEMES).drafts) == 8


def test_extract_text_refuses_other_files(tmp_path: Path) -> None:
    docx = tmp_path / "rapport.docx"
    docx.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(NotAReport) as raised:
        extract_text(docx)
    assert "non pris en charge" in str(raised.value) and "Unsupported" in str(raised.value)
    latin = tmp_path / "rapport.txt"
    latin.write_bytes("Secret professionnel : réponse".encode("latin-1"))
    with pytest.raises(NotAReport):
        extract_text(latin)
    broken = tmp_path / "rapport.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    with pytest.raises(NotAReport):
        extract_text(broken)


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with one text object, one line per string (Helvetica, WinAnsi for accents)."""

    def literal(line: str) -> bytes:
        out = b""
        for byte in line.encode("cp1252"):
            char = bytes([byte])
            out += b"\\" + char if char in b"()\\" else (b"\\%03o" % byte if byte > 126 else char)
        return b"(" + out + b")"

    stream = b"BT /F1 11 Tf 14 TL 50 800 Td\n" + b"".join(literal(line) + b" Tj T*\n" for line in lines) + b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return assemble_pdf(objects)


def test_extract_text_reads_a_pdf_and_the_parser_takes_it(tmp_path: Path) -> None:
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(minimal_pdf([
        "Rapport d'activités 2019",
        "Secret professionnel",
        "o Une assistante sociale se demande si elle peut transmettre à l'école",
        "des informations sur un élève suivi par le service.",
        "3",
        "o Un éducateur reçoit une apostille du procureur et nous demande s'il doit répondre.",
    ]))
    text = extract_text(pdf)
    assert "Secret professionnel" in text and "apostille" in text
    report = parse_report(text, THEMES)
    assert report.period == (2019, 2019)
    assert [d.theme_slug for d in report.drafts] == ["secret-professionnel"] * 2
    assert report.drafts[0].situation.endswith("des informations sur un élève suivi par le service.")
    assert report.drafts[1].situation.endswith("s'il doit répondre.")


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(minimal_pdf([]))
    with pytest.raises(NotAReport) as raised:
        extract_text(pdf)
    assert "texte" in str(raised.value) and "text" in str(raised.value)


# ---------------------------------------------------------------------------------------------------
# The opinions section is found by what its items say, not by where it stands (issue 14)

TRAININGS = """{n}. Formations données

Secret professionnel
• Formation de deux jours pour les assistants sociaux du CPAS, organisée en mars 2018 à l'école sociale, 24 participants.
• Module d'une demi-journée pour les éducateurs d'un service d'accueil en milieu ouvert, en mai 2018, 15 participants.
Justice, police et travail social
• Intervention au colloque de la fédération des maisons de justice en octobre 2018, une matinée, 120 personnes.
• Séance d'information pour les étudiants de troisième année en assistant social, novembre 2018, deux heures.
Pratiques institutionnelles
• Journée d'étude avec les directions des services sociaux de la région, décembre 2018, 40 participants inscrits.
Questions déontologiques
• Atelier de quatre séances avec une équipe de travailleurs de rue, de janvier à avril 2018, 10 participants.
"""
OPINIONS = """{n}. Nos interpellations

Secret professionnel
• Une assistante sociale de CPAS reçoit un appel de la police qui demande l'adresse d'une personne suivie. Elle se
demande si elle peut la donner. Nous lui avons conseillé de refuser.
• Un éducateur s'interroge sur la confidentialité des notes prises en réunion d'équipe. Le bureau a rappelé que les
notes personnelles ne sont pas partagées.
Questions déontologiques
• Une étudiante stagiaire a été témoin de propos humiliants envers une résidente et ne sait pas si elle peut en
parler à son école. Avis : en parler d'abord à son maître de stage.
"""
REPORT_HEAD = """Rapport d'activités 2018

1. Introduction

Le bureau s'est réuni vingt fois cette année et a répondu à de nombreuses demandes.

"""
REPORT_END = """
4. Perspectives

Le comité poursuivra ses travaux l'an prochain.
"""
OPINION_TITLES = ["Une assistante sociale de CPAS reçoit un appel de la police qui demande l'adresse d'une personne suivie",
                  "Un éducateur s'interroge sur la confidentialité des notes prises en réunion d'équipe",
                  "Une étudiante stagiaire a été témoin de propos humiliants envers une résidente et ne sait pas si elle peut en parler…"]


@pytest.mark.parametrize("order", ["trainings-first", "opinions-first"])
def test_a_list_of_trainings_under_theme_headings_is_not_taken_for_opinions(order: str) -> None:
    """Both sections have theme headings over bulleted lists; the trainings section even names more
    known themes. Only the items that read like opinions (a question asked, an advice given) are taken."""
    if order == "trainings-first":
        text = REPORT_HEAD + TRAININGS.format(n=2) + "\n" + OPINIONS.format(n=3) + REPORT_END
    else:
        text = REPORT_HEAD + OPINIONS.format(n=2) + "\n" + TRAININGS.format(n=3) + REPORT_END
    report = parse_report(text, THEMES)
    assert [d.title for d in report.drafts] == OPINION_TITLES
    assert [d.theme_slug for d in report.drafts] == ["secret-professionnel", "secret-professionnel", "questions-deontologiques"]
    assert report.drafts[0].opinion == "Nous lui avons conseillé de refuser."


def test_an_unnumbered_trainings_heading_after_the_opinions_does_not_join_them() -> None:
    """A heading naming no theme, over long bulleted items, right after the last theme: a new theme only
    when its items read like opinions."""
    text = REPORT_HEAD + OPINIONS.format(n=2) + """
Formations données

• Formation de deux jours pour les assistants sociaux du CPAS, organisée en mars 2018 à l'école sociale, 24 participants.
• Module d'une demi-journée pour les éducateurs d'un service d'accueil en milieu ouvert, en mai 2018, 15 participants.
""" + REPORT_END
    report = parse_report(text, THEMES)
    assert [d.title for d in report.drafts] == OPINION_TITLES
    assert all(d.proposed_theme is None for d in report.drafts)


TRAININGS_TOLD = """{n}. Nos formations

Secret professionnel
• Nous avons animé une formation de deux jours pour les assistants sociaux du CPAS de la commune, en mars 2018.
• Le bureau a donné un module d'une demi-journée aux éducateurs d'un service d'accueil, devant 15 participants.
Justice, police et travail social
• Le bureau est intervenu au colloque de la fédération des maisons de justice en octobre 2018, devant 120 personnes.
• Nous avons organisé une séance d'information pour les étudiants de troisième année en assistant social.
Pratiques institutionnelles
• Nous avons assuré une journée d'étude avec les directions des services sociaux de la région, 40 participants.
Questions déontologiques
• Le bureau a animé un atelier de quatre séances avec une équipe de travailleurs de rue, de janvier à avril 2018.
"""


@pytest.mark.parametrize("order", ["trainings-first", "opinions-first"])
def test_trainings_told_by_the_bureau_itself_are_not_opinions(order: str) -> None:
    """"Nous avons animé une formation", "le bureau est intervenu...": the bureau's words, but a training
    given, not an advice; a word "formation" in passing inside an opinion does not make it a training."""
    if order == "trainings-first":
        text = REPORT_HEAD + TRAININGS_TOLD.format(n=2) + "\n" + OPINIONS.format(n=3) + REPORT_END
    else:
        text = REPORT_HEAD + OPINIONS.format(n=2) + "\n" + TRAININGS_TOLD.format(n=3) + REPORT_END
    assert [d.title for d in parse_report(text, THEMES).drafts] == OPINION_TITLES


def test_no_opinion_of_the_sample_reads_like_a_training(sample: ParsedReport) -> None:
    from kb.report_parser import _reads_like_activity

    assert not [d.title for d in sample.drafts if _reads_like_activity(f"{d.situation} {d.opinion}")]
