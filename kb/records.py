"""Case records as they come in and go out (JSONL, CSV), validated whole before anything is stored.

Error messages name the file, the line and the field, never the value: a value may be identifying.
Even a field name is shown only when it looks like one (an unknown column could be anything).
"""
from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable

from .models import CHANNELS

FIELDS = ("ref", "title", "situation", "opinion", "themes", "sectors", "year", "channel", "legal_refs", "year_to")
LIST_FIELDS = ("themes", "sectors", "legal_refs")
LIST_SEPARATOR = ";"  # in CSV cells
MAX_LENGTH = {"ref": 40, "title": 300, "situation": 20_000, "opinion": 20_000}
MAX_ITEM_LENGTH = 300
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# A field or column name is quoted in a message only when it has the shape of one.
SHOWN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
NUL = "\x00"
NUL_MESSAGE = "contains a NUL character (\\0), which cannot be stored"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). An exported cell
# that starts with them, possibly after quotes, gets one more leading quote; import removes it.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
GUARDED_START = re.compile(r"^'+[=+\-@\t\r]")


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


def field_label(name: str, position: int | None = None) -> str:
    """How a field is named in a message: itself when it looks like a field name, else by position."""
    if SHOWN_NAME.match(name):
        return name
    return f"#{position} (name not shown)" if position is not None else "(name not shown)"


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
    # Lines end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 or a form feed, which
    # JSON strings may hold as they are (the export writes them unescaped).
    for number, text in enumerate(raw.split("\n"), start=1):
        text = text.removesuffix("\r")
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "", f"not valid JSON (column {exc.colno})")
            continue
        except RecursionError:
            yield number, Problem(number, "", "not valid here: JSON nested too deeply")
            continue
        except ValueError:  # e.g. an integer of more than 4300 digits (Python's int conversion limit)
            yield number, Problem(number, "", "not valid here: a number too long to read")
            continue
        if not isinstance(row, dict):
            yield number, Problem(number, "", "a line must be a JSON object")
            continue
        yield number, row


def _csv_rows(raw: str) -> Iterable[tuple[int, dict | Problem]]:
    # Lines end at "\n", "\r\n" or "\r" only, as the csv module expects (not at U+2028 and the like).
    lines = io.StringIO(raw, newline="").readlines()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error:
        yield 1, Problem(1, "", "the header line is not valid CSV (a cell too long?)")
        return
    duplicates = [name for name, count in Counter(header).items() if count > 1]
    if duplicates:
        position = header.index(duplicates[0]) + 1
        yield 1, Problem(1, field_label(duplicates[0], position), "duplicate column in the header line")
        return
    missing = [f for f in ("ref", "title", "situation") if f not in header]
    if missing:
        yield 1, Problem(1, missing[0], "missing column in the header line")
        return
    offset = 0  # lines read by the readers before this one (a reader is restarted after a bad record)
    while True:
        start = offset + reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            number, column, used = _oversized_cell(lines, start)
            name = field_label(header[column], column + 1) if column is not None and column < len(header) else ""
            yield number, Problem(number, name, f"a cell is longer than the CSV limit of {csv.field_size_limit()} characters"
                                  if column is not None else "not valid CSV")
            offset, reader = start + used, csv.reader(lines[start + used:])
            continue
        number = offset + reader.line_num
        if not cells:
            continue  # a blank line
        if len(cells) > len(header):
            yield number, Problem(number, "", "more cells than columns in the header")
            continue
        cleaned: dict[str, Any] = {}
        for key, value in zip(header, [unguard_cell(c) for c in cells] + [None] * (len(header) - len(cells))):
            if key in LIST_FIELDS:
                cleaned[key] = [v.strip() for v in (value or "").split(LIST_SEPARATOR) if v.strip()]
            elif key in ("year", "year_to"):
                cleaned[key] = value.strip() if value and value.strip() else None
            else:
                cleaned[key] = value
        yield number, cleaned


_FIELD_LIMIT = threading.Lock()


def _oversized_cell(lines: list[str], start: int) -> tuple[int, int | None, int]:
    """After the csv module refused the record starting at line `start` (0-based), read that record
    again without the field size limit: (its last line, 1-based; the column of the first cell over
    the limit or None; how many lines it spans). The limit is global to the csv module, so it is
    lifted under a lock and put back at once."""
    limit = csv.field_size_limit()
    rest = lines[start:]
    with _FIELD_LIMIT:
        csv.field_size_limit(max(limit, sum(len(line) for line in rest) + 1))
        try:
            reader = csv.reader(rest)
            cells = next(reader, [])
            used = reader.line_num
        except csv.Error:
            cells, used = [], 1
        finally:
            csv.field_size_limit(limit)
    column = next((i for i, cell in enumerate(cells) if len(cell) > limit), None)
    return start + max(used, 1), column, max(used, 1)


def unguard_cell(value: str) -> str:
    """A CSV cell as written before `guard_cell` (the quote added in front of a formula-like start)."""
    return value[1:] if GUARDED_START.match(value) else value


def guard_cell(value: Any) -> Any:
    """A cell a spreadsheet would not run as a formula: a text starting with = + - @, a tab or a
    carriage return (possibly after quotes) gets a leading quote, which `unguard_cell` removes."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def write_csv(out: IO[str], records: Iterable[CaseRecord]) -> int:
    """Records in the import format, every cell guarded against formula injection; returns the count."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: guard_cell(LIST_SEPARATOR.join(v) if isinstance(v, list) else v)
                         for k, v in record.to_dict().items()})
        count += 1
    return count


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

    for position, key in enumerate(row, start=1):
        if key not in FIELDS:
            bad(field_label(key, position), "unknown field")
    for name in FIELDS:
        value = row.get(name)
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and NUL in item for item in items):
            bad(name, NUL_MESSAGE)
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
    unknown = [position for position, t in enumerate(values["themes"], start=1) if t not in themes]
    if unknown:
        bad("themes", f"unknown theme slug(s) at item {', '.join(map(str, unknown))} of the list "
                      f"(known: {', '.join(sorted(themes))})")
    values["sectors"] = [s.lower() for s in values["sectors"]]

    if problems:
        return None, problems
    return CaseRecord(**values), []
