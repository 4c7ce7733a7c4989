"""Counts for the bureau's dashboard and the cases of a period, straight from the database."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Case, Sector, Theme, case_sectors, case_themes


@dataclass
class Period:
    year_from: int | None = None
    year_to: int | None = None

    def where(self, query):
        if self.year_from is not None:
            query = query.where(Case.year >= self.year_from)
        if self.year_to is not None:
            query = query.where(Case.year <= self.year_to)
        return query


def theme_year_counts(db: Session, period: Period) -> Counter[tuple[str, int | None]]:
    """Cases per (theme slug, year); a case under two themes counts under each."""
    query = (select(Theme.slug, Case.year, func.count(Case.id))
             .join(case_themes, case_themes.c.theme_id == Theme.id)
             .join(Case, Case.id == case_themes.c.case_id)
             .group_by(Theme.slug, Case.year))
    return Counter({(slug, year): n for slug, year, n in db.execute(period.where(query))})


def year_counts(db: Session, period: Period) -> Counter[int | None]:
    query = select(Case.year, func.count(Case.id)).group_by(Case.year)
    return Counter({year: n for year, n in db.execute(period.where(query))})


def sector_counts(db: Session, period: Period) -> list[tuple[str, int]]:
    query = (select(Sector.name, func.count(Case.id))
             .join(case_sectors, case_sectors.c.sector_id == Sector.id)
             .join(Case, Case.id == case_sectors.c.case_id)
             .group_by(Sector.name).order_by(func.count(Case.id).desc(), Sector.name))
    return [(name, n) for name, n in db.execute(period.where(query))]


def channel_counts(db: Session, period: Period) -> list[tuple[str, int]]:
    query = select(Case.channel, func.count(Case.id)).group_by(Case.channel).order_by(func.count(Case.id).desc())
    return [(channel, n) for channel, n in db.execute(period.where(query))]


def cases_of_period(db: Session, period: Period) -> list[Case]:
    query = (select(Case).options(selectinload(Case.themes), selectinload(Case.legal_refs))
             .order_by(Case.year, Case.ref))
    return list(db.scalars(period.where(query)))


def latest_cases(db: Session, period: Period, limit: int = 10) -> list[Case]:
    query = select(Case).order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)
    return list(db.scalars(period.where(query)))
