"""Case records as they come in and go out (JSONL, CSV), validated whole before anything is stored.

Error messages name the file, the line and the field, never the value: a value may be identifying.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .models import CHANNELS

FIELDS = ("ref", "title", "situation", "opinion", "themes", "sectors", "year", "channel", "legal_refs", "year_to")
LIST_FIELDS = ("themes", "sectors", "legal_refs")
LIST_SEPARATOR = ";"  # in CSV cells
MAX_LENGTH = {"ref": 40, "title": 300, "situation": 20_000, "opinion": 20_000}
MAX_ITEM_LENGTH = 300
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass
class CaseRecord:
    ref: str
    title: str
    situation: str
    opinion: str = ""
    themes: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    year: int | None = None
    channel: str = "permanence"
    legal_refs: list[str] = field(default_factory=list)
    year_to: int | None = None  # optional: a case dated only by a period (year .. year_to)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def describe(self, filename: str) -> str:
        where = f"{filename}:{self.line}"
        return f"{where}: field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


class InvalidFile(Exception):
    """The file cannot be imported; `problems` lists every bad line."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = problems
        super().__init__(f"{filename}: {len(problems)} problem(s)")

    def lines(self) -> list[str]:
        return [p.describe(self.filename) for p in self.problems]


def read_records(path: Path, known_themes: Iterable[str]) -> list[CaseRecord]:
    """Parse and validate a whole JSONL or CSV file, or raise InvalidFile naming every problem."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidFile(name, [Problem(0, "", "the file is not UTF-8 text")]) from None
    if suffix in (".jsonl", ".ndjson", ".json"):
        rows = list(_jsonl_rows(raw))
    elif suffix == ".csv":
        rows = list(_csv_rows(raw))
    else:
        raise InvalidFile(name, [Problem(0, "", "unknown format: use a .jsonl or .csv file")])
    themes = set(known_themes)
    problems: list[Problem] = []
    records: list[CaseRecord] = []
    first_line_of: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, Problem):
            problems.append(row)
            continue
        record, row_problems = validate_row(row, line, themes)
        problems.extend(row_problems)
        if record is None:
            continue
        if record.ref in first_line_of:
            problems.append(Problem(line, "ref", f"duplicate ref, already on line {first_line_of[record.ref]}"))
            continue
        first_line_of[record.ref] = line
        records.append(record)
    if not rows:
        problems.append(Problem(0, "", "the file holds no case"))
    if problems:
        raise InvalidFile(name, problems)
    return records


def _jsonl_rows(raw: str) -> Iterable[tuple[int, dict | Problem]]:
    for number, text in enumerate(raw.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "", f"not valid JSON (column {exc.colno})")
            continue
        if not isinstance(row, dict):
            yield number, Problem(number, "", "a line must be a JSON object")
            continue
        yield number, row


def _csv_rows(raw: str) -> Iterable[tuple[int, dict | Problem]]:
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    missing = [f for f in ("ref", "title", "situation") if f not in (reader.fieldnames or [])]
    if missing:
        yield 1, Problem(1, missing[0], "missing column in the header line")
        return
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, Problem(number, "", "more cells than columns in the header")
            continue
        cleaned: dict[str, Any] = {}
        for key, value in row.items():
            if key in LIST_FIELDS:
                cleaned[key] = [v.strip() for v in (value or "").split(LIST_SEPARATOR) if v.strip()]
            elif key in ("year", "year_to"):
                cleaned[key] = value.strip() if value and value.strip() else None
            else:
                cleaned[key] = value
        yield number, cleaned


def _year(value: Any, bad) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, bool):
        try:
            number = int(str(value).strip())
            if 1900 <= number <= 2100:
                return number
        except ValueError:
            pass
    bad("must be a whole number between 1900 and 2100")
    return None


def validate_row(row: dict[str, Any], line: int, themes: set[str]) -> tuple[CaseRecord | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(name: str, message: str) -> None:
        problems.append(Problem(line, name, message))

    for key in row:
        if key not in FIELDS:
            bad(key, "unknown field")
    values: dict[str, Any] = {}
    for name in ("ref", "title", "situation", "opinion", "channel"):
        value = row.get(name, "" if name in ("opinion", "channel") else None)
        if value is None:
            bad(name, "missing")
            continue
        if not isinstance(value, str):
            bad(name, "must be text")
            continue
        value = value.strip()
        if name in ("ref", "title", "situation") and not value:
            bad(name, "must not be empty")
        if name in MAX_LENGTH and len(value) > MAX_LENGTH[name]:
            bad(name, f"longer than {MAX_LENGTH[name]} characters")
        values[name] = value
    if values.get("ref") and not REF_PATTERN.match(values["ref"]):
        bad("ref", "only letters, digits, '.', '_' and '-' are allowed")
    channel = values.get("channel") or "permanence"
    if channel not in CHANNELS:
        bad("channel", f"must be one of {', '.join(CHANNELS)}")
    values["channel"] = channel

    for name in ("year", "year_to"):
        values[name] = _year(row.get(name), lambda message, name=name: bad(name, message))
    if values["year_to"] is not None and (values["year"] is None or values["year_to"] < values["year"]):
        bad("year_to", "needs a year and must not come before it")

    for name in LIST_FIELDS:
        items = row.get(name, [])
        if items is None:
            items = []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            bad(name, "must be a list of texts")
            items = []
        items = [i.strip() for i in items if i.strip()]
        if any(len(i) > MAX_ITEM_LENGTH for i in items):
            bad(name, f"an item is longer than {MAX_ITEM_LENGTH} characters")
        values[name] = list(dict.fromkeys(items))
    if not values["themes"]:
        bad("themes", "at least one theme is required")
    unknown = [t for t in values["themes"] if t not in themes]
    if unknown:
        bad("themes", f"unknown theme slug(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(themes))})")
    values["sectors"] = [s.lower() for s in values["sectors"]]

    if problems:
        return None, problems
    return CaseRecord(**values), []
