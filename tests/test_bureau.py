"""The bureau: dashboard counts agree with the database, the annual report holds exactly the period's
cases, theme management keeps every case themed and the index in step."""
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
from sqlalchemy import func, select

from indexes import SearchRequest
from kb.models import Case, Theme
from tests.conftest import case_row, write_jsonl

ROWS = [
    case_row("AV-2020-001", year=2020, themes=["secret-professionnel"], channel="mail"),
    case_row("AV-2021-002", year=2021, themes=["secret-professionnel", "justice-police"]),
    case_row("AV-2022-003", year=2022, themes=["informatisation"], sectors=["hôpital"], channel="bureau"),
    case_row("AV-2023-004", year=2023, themes=["justice-police"]),
    case_row("AV-2024-005", year=2024, themes=["divers"]),
]


def load(runner, tmp_path: Path) -> None:
    assert runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", ROWS))]).exit_code == 0


def cell(html: str, theme: str, year: int) -> int:
    row = re.search(rf'<tr data-theme="{theme}">(.*?)</tr>', html, re.S).group(1)
    return int(re.search(rf'<td data-year="{year}">(\d+)</td>', row).group(1))


def test_dashboard_counts_match_the_database(client, runner, tmp_path, kb) -> None:
    load(runner, tmp_path)
    html = client.get("/bureau/").get_data(as_text=True)
    assert "<svg" in html and "Nombre de cas par thème et par année" in html
    with kb.db.session() as db:
        for theme in ("secret-professionnel", "justice-police", "informatisation"):
            for year in (2020, 2021, 2022, 2023):
                expected = db.scalar(select(func.count(Case.id)).where(
                    Case.year == year, Case.themes.any(Theme.slug == theme)))
                if re.search(rf'<tr data-theme="{theme}">', html):
                    assert cell(html, theme, year) == expected, (theme, year)
    assert re.search(r'<tr data-channel="mail"><th>Courrier</th><td>1</td>', html)
    period = client.get("/bureau/?year_from=2021&year_to=2022").get_data(as_text=True)
    assert "2020" not in re.search(r'<table class="counts" id="theme-year">(.*?)</table>', period, re.S).group(1)
    assert cell(period, "justice-police", 2021) == 1


def test_annual_report_groups_exactly_the_period(client, runner, tmp_path) -> None:
    load(runner, tmp_path)
    html = client.get("/bureau/report?year_from=2021&year_to=2023").get_data(as_text=True)
    refs = re.findall(r'id="case-(AV-[\d-]+)"', html)
    assert sorted(refs) == ["AV-2021-002", "AV-2022-003", "AV-2023-004"]  # each case once
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["Secret professionnel", "Informatisation du travail social", "Justice, police et travail social"]

    client.post("/bureau/report/summary/AV-2022-003",
                data={"summary": "Un hôpital s'interroge sur les accès au dossier informatisé.", "year_from": 2021, "year_to": 2023})
    document = docx.Document(io.BytesIO(client.get("/bureau/report.docx?year_from=2021&year_to=2023").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Un hôpital s'interroge sur les accès au dossier informatisé." in text
    assert "AV-2020-001" not in text and "AV-2024-005" not in text
    markdown = client.get("/bureau/report.md?year_from=2021&year_to=2023").get_data(as_text=True)
    assert "AV-2023-004" in markdown and "AV-2020-001" not in markdown
    # The case itself is unchanged by the report summary.
    case = client.get("/cases/AV-2022-003.json").get_json()
    assert "accès au dossier informatisé" not in case["situation"]


def test_theme_merge_rename_retire_and_add(client, runner, tmp_path, kb) -> None:
    load(runner, tmp_path)
    client.post("/bureau/themes", data={"action": "merge", "source": "justice-police", "target": "secret-professionnel"})
    with kb.db.session() as db:
        assert db.scalar(select(Theme).where(Theme.slug == "justice-police")) is None
        assert db.scalar(select(func.count(Case.id)).where(~Case.themes.any())) == 0
        refs = set(db.scalars(select(Case.ref).where(Case.themes.any(Theme.slug == "secret-professionnel"))))
    assert refs == {"AV-2020-001", "AV-2021-002", "AV-2023-004"}
    assert kb.check().ok
    found = kb.index.search(SearchRequest(themes=("secret-professionnel",), per_page=50))
    assert {h.ref for h in found.hits} == refs
    assert kb.index.search(SearchRequest(themes=("justice-police",))).total == 0

    client.post("/bureau/themes", data={"action": "rename", "slug": "divers", "label": "Autres questions"})
    client.post("/bureau/themes", data={"action": "add", "label": "Aide à la jeunesse"})
    client.post("/bureau/themes", data={"action": "retire", "slug": "informatisation"})
    intake = client.get("/intake/").get_data(as_text=True)
    assert "Autres questions" in intake and "Aide à la jeunesse" in intake
    assert 'value="informatisation"' not in intake  # retired: not offered for new cases
    assert "Informatisation du travail social" in client.get("/cases/AV-2022-003").get_data(as_text=True)
