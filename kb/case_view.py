"""A case as the read-only pages show it (case page, its JSON), read with two plain queries.

The case page is the busiest page after the search: loading the case and its three relations through
the ORM cost about three times as much as these two statements.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, union_all
from sqlalchemy.engine import Connection

from .models import Case, LegalRef, Sector, Theme, case_legal_refs, case_sectors, case_themes, period_label


@dataclass(frozen=True)
class ThemeTag:
    slug: str
    label: str


@dataclass(frozen=True)
class SectorTag:
    name: str


@dataclass(frozen=True)
class LegalRefTag:
    label: str


@dataclass(frozen=True)
class CaseView:
    """The same attributes as a Case row that the page and case_to_record read."""

    ref: str
    title: str
    situation: str
    opinion: str
    year: int | None
    year_to: int | None
    channel: str
    themes: tuple[ThemeTag, ...]
    sectors: tuple[SectorTag, ...]
    legal_refs: tuple[LegalRefTag, ...]
    no_opinion: bool = False  # approved from a draft "sans avis"

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.year_to)


def load_case_view(connection: Connection, ref: str) -> CaseView | None:
    cases = Case.__table__
    row = connection.execute(select(cases).where(cases.c.ref == ref)).one_or_none()
    if row is None:
        return None
    tags = union_all(
        select(literal("theme"), Theme.slug, Theme.label)
        .join(case_themes, case_themes.c.theme_id == Theme.id).where(case_themes.c.case_id == row.id),
        select(literal("sector"), Sector.name, Sector.name)
        .join(case_sectors, case_sectors.c.sector_id == Sector.id).where(case_sectors.c.case_id == row.id),
        select(literal("legal_ref"), LegalRef.label, LegalRef.label)
        .join(case_legal_refs, case_legal_refs.c.legal_ref_id == LegalRef.id).where(case_legal_refs.c.case_id == row.id),
    )
    found: dict[str, list[tuple[str, str]]] = {"theme": [], "sector": [], "legal_ref": []}
    for kind, key, label in connection.execute(tags):
        found[kind].append((key, label))
    return CaseView(
        ref=row.ref, title=row.title, situation=row.situation, opinion=row.opinion or "", year=row.year,
        year_to=row.year_to, channel=row.channel,
        themes=tuple(ThemeTag(slug, label) for slug, label in sorted(found["theme"])),
        sectors=tuple(SectorTag(name) for name, _ in sorted(found["sector"])),
        legal_refs=tuple(LegalRefTag(label) for label, _ in sorted(found["legal_ref"])),
        no_opinion=bool(row.no_opinion),
    )
