"""What the bureau reviews per period: the dashboard's counts and the annual report's entries."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..documents import ReportEntry, summarize_case
from ..models import Case
from . import stats
from .knowledge_base import KnowledgeBase
from .stats import Period

__all__ = ["Dashboard", "Period", "dashboard", "report_entries"]


@dataclass
class Dashboard:
    labels: dict[str, str]
    years: list[int]
    themes: list[str]  # slugs with at least one case in the period, in the labels' order
    by_theme_year: Counter[tuple[str, int | None]]
    by_year: Counter[int | None]
    sectors: list
    channels: list
    latest: list

    @property
    def theme_totals(self) -> dict[str, int]:
        return {slug: sum(n for (s, _), n in self.by_theme_year.items() if s == slug) for slug in self.themes}

    @property
    def total(self) -> int:
        return sum(self.by_year.values())


def dashboard(kb: KnowledgeBase, period: Period) -> Dashboard:
    with kb.db.session() as db:
        labels = kb.theme_labels(db)
        by_theme_year = stats.theme_year_counts(db, period)
        by_year = stats.year_counts(db, period)
        years = sorted(y for y in by_year if y is not None)
        themes = [slug for slug in labels if any(by_theme_year[(slug, y)] for y in [*years, None])]
        return Dashboard(labels, years, themes, by_theme_year, by_year, stats.sector_counts(db, period),
                         stats.channel_counts(db, period), stats.latest_cases(db, period))


def report_entries(kb: KnowledgeBase, period: Period) -> list[ReportEntry]:
    """Every case of the period once, under its first theme in the taxonomy's order."""
    with kb.db.session() as db:
        labels = kb.theme_labels(db)
        order = {slug: i for i, slug in enumerate(kb.theme_order(db))}
        cases: list[Case] = stats.cases_of_period(db, period)

    def first_theme(case: Case) -> int:
        return min((order.get(t.slug, 99) for t in case.themes), default=99)

    entries = []
    for case in sorted(cases, key=lambda c: (first_theme(c), c.year or 0, c.ref)):
        primary = min(case.themes, key=lambda t: order.get(t.slug, 99)) if case.themes else None
        situation, advice = summarize_case(case.situation, case.opinion)
        entries.append(ReportEntry(theme_label=labels.get(primary.slug, primary.label) if primary else "Sans thème",
                                   ref=case.ref, year=case.year, summary=case.report_summary or situation,
                                   advice="" if case.without_opinion else advice, no_opinion=case.without_opinion))
    return entries
