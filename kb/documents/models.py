"""What a document is made of: plain values the web layer fills from stored, anonymised cases.

Nothing here refers to an account or a user: a handout or a report carries only the text it is given.
"""
from __future__ import annotations

from dataclasses import dataclass, field

PARTICIPANTS = "participants"  # situations and questions; the opinion only when the trainer asks for it
TRAINER = "trainer"  # everything: opinion, legal references, the trainer's notes, questions
AUDIENCES = (PARTICIPANTS, TRAINER)


@dataclass(frozen=True)
class HandoutCase:
    """One case as a trainer hands it out: stored text, theme labels, and the trainer's own additions."""

    ref: str
    title: str
    situation: str
    opinion: str
    themes: list[str] = field(default_factory=list)  # theme labels, not slugs
    year: int | None = None
    legal_refs: list[str] = field(default_factory=list)
    note: str = ""  # the trainer's note
    questions: list[str] | tuple[str, ...] = ()  # discussion questions, numbered in the documents


@dataclass(frozen=True)
class Handout:
    """A trainer's selection of cases, in the order they chose, for one audience.

    The audience decides the order of the sections and the line under the title; what a participant
    must not read (notes, an opinion not asked for) is left out of the cases by whoever builds them.
    """

    title: str
    description: str
    cases: list[HandoutCase]
    audience: str = TRAINER

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {AUDIENCES}")


@dataclass(frozen=True)
class ReportEntry:
    """One case as the annual report tells it: the situation in a sentence or two, then the advice."""

    theme_label: str
    ref: str
    year: int | None
    summary: str  # the bureau's own sentence(s) for reports, or one derived by summarize_case
    advice: str
    no_opinion: bool = False  # approved "sans avis": said as such, not counted as an opinion
