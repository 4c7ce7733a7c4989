"""Import files are validated whole; every problem names its line and field, never the value."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.models import THEMES
from kb.records import InvalidFile, read_records
from tests.conftest import case_row, write_jsonl


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InvalidFile) as caught:
        read_records(path, THEMES)
    return caught.value.lines()


def test_valid_jsonl_is_read(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "ok.jsonl", [case_row("AV-1"), case_row("AV-2", year=None, opinion="")])
    records = read_records(path, THEMES)
    assert [r.ref for r in records] == ["AV-1", "AV-2"]
    assert records[0].themes == ["justice-police", "secret-professionnel"]
    assert records[1].year is None


def test_every_bad_line_is_reported_with_number_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    rows = [case_row("AV-1"), case_row("AV-2", year="deux mille"), case_row("AV-3", themes=["inconnu"]),
            case_row("AV-1"), case_row("AV-5", channel="fax")]
    write_jsonl(path, rows)
    with path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    lines = problems_of(path)
    assert "bad.jsonl:2: field 'year': must be a whole number between 1900 and 2100" in lines
    assert any(line.startswith("bad.jsonl:3: field 'themes': unknown theme slug(s) at item 1 of the list") for line in lines)
    assert "bad.jsonl:4: field 'ref': duplicate ref, already on line 1" in lines
    assert any(line.startswith("bad.jsonl:5: field 'channel'") for line in lines)
    assert any(line.startswith("bad.jsonl:6: not valid JSON") for line in lines)


def test_messages_never_echo_the_value(tmp_path: Path) -> None:
    secret = "Jeanne Vandersmissen"
    path = write_jsonl(tmp_path / "bad.jsonl", [case_row("AV-1", year=secret, unexpected=secret)])
    lines = problems_of(path)
    assert lines and not any(secret in line for line in lines)
    assert "bad.jsonl:1: field 'unexpected': unknown field" in lines


def test_missing_and_empty_fields(tmp_path: Path) -> None:
    row = case_row("AV-1", title="   ")
    del row["situation"]
    lines = problems_of(write_jsonl(tmp_path / "bad.jsonl", [row]))
    assert "bad.jsonl:1: field 'title': must not be empty" in lines
    assert "bad.jsonl:1: field 'situation': missing" in lines


def test_csv_with_list_cells(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "ref,title,situation,opinion,themes,sectors,year,channel,legal_refs\n"
        'AV-9,Un titre,"Une situation, avec virgule",Un avis,secret-professionnel;divers,CPAS;AMO,2020,mail,RGPD\n'
        "AV-10,Un titre,Une situation,,divers,,,bureau,\n"
        "AV-11,Un titre,Une situation,,divers,,20x0,bureau,\n",
        encoding="utf-8")
    lines = problems_of(path)
    assert lines == ["cases.csv:4: field 'year': must be a whole number between 1900 and 2100"]
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    records = read_records(path, THEMES)
    assert records[0].themes == ["secret-professionnel", "divers"]
    assert records[0].sectors == ["cpas", "amo"]
    assert records[0].situation == "Une situation, avec virgule"
    assert records[1].year is None and records[1].legal_refs == []


def test_unknown_format_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "cases.txt").write_text("x", encoding="utf-8")
    assert problems_of(tmp_path / "cases.txt") == ["cases.txt:0: unknown format: use a .jsonl or .csv file"]
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    assert problems_of(tmp_path / "empty.jsonl") == ["empty.jsonl:0: the file holds no case"]
