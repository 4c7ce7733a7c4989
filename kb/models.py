"""SQLAlchemy 2 typed models. The database is the source of truth; the index is derived from it."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, DateTime, Boolean
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

CHANNELS = ("permanence", "mail", "bureau")
CHANNEL_LABELS = {"permanence": "Permanence", "mail": "Courrier", "bureau": "Bureau"}

# The design's taxonomy, seeded on first start; the bureau may edit it later.
THEMES: dict[str, str] = {
    "secret-professionnel": "Secret professionnel",
    "informatisation": "Informatisation du travail social",
    "justice-police": "Justice, police et travail social",
    "controle-administration": "Instances de contrôle et administration",
    "pratiques-institutionnelles": "Pratiques institutionnelles",
    "questions-deontologiques": "Questions déontologiques",
    "fonction-sociale": "La fonction sociale",
    "divers": "Divers",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


case_themes = Table(
    "case_themes", Base.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
case_sectors = Table(
    "case_sectors", Base.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
)
case_legal_refs = Table(
    "case_legal_refs", Base.metadata,
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("legal_ref_id", ForeignKey("legal_refs.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(Base):
    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Sector(Base):
    __tablename__ = "sectors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class LegalRef(Base):
    __tablename__ = "legal_refs"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(300), unique=True)


def period_label(year: int | None, year_to: int | None) -> str:
    """"2021", "2021–2023" for a case dated by a report's period, "" when unknown."""
    if year and year_to and year_to != year:
        return f"{year}–{year_to}"
    return str(year) if year else ""


class Case(Base):
    """One opinion of the bureau: the anonymised situation and the advice given."""
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    situation: Mapped[str] = mapped_column(Text)
    opinion: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Cases from an activity report may only be dated by the report's period: year .. year_to.
    year_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.year_to)

    # The sentence the bureau uses for this case in annual reports; the case itself stays as it is.
    report_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Approved from a draft with no opinion, on purpose ("sans avis"): the annual report says so
    # instead of counting an opinion (as long as no opinion has been written since).
    no_opinion: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def without_opinion(self) -> bool:
        return self.no_opinion and not (self.opinion or "").strip()

    themes: Mapped[list[Theme]] = relationship(secondary=case_themes, order_by=Theme.slug)
    sectors: Mapped[list[Sector]] = relationship(secondary=case_sectors, order_by=Sector.name)
    legal_refs: Mapped[list[LegalRef]] = relationship(secondary=case_legal_refs, order_by=LegalRef.label)


class Selection(Base):
    """A trainer's ordered choice of cases for a training session, with notes and questions."""
    __tablename__ = "selections"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped["User"] = relationship()
    items: Mapped[list["SelectionItem"]] = relationship(
        back_populates="selection", order_by="SelectionItem.position", cascade="all, delete-orphan")


class SelectionItem(Base):
    __tablename__ = "selection_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")  # one question per line

    selection: Mapped[Selection] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()

    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]


class Draft(Base):
    """An opinion found in an activity report, already anonymised, waiting for the bureau's review.

    Only an approved draft becomes a case (and enters the index). The fingerprint (a hash of the
    report's text for this opinion) makes a second import of the same report create nothing new.
    """
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, approved, rejected
    theme_slug: Mapped[str | None] = mapped_column(String(80), nullable=True)
    proposed_theme: Mapped[str | None] = mapped_column(String(200), nullable=True)
    year_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    year_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    situation: Mapped[str] = mapped_column(Text)
    opinion: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    case_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IndexTask(Base):
    """One entry of the index change log, recorded in the same transaction as the change to a case
    (kb/change_log.py). Every server's index reads the log from its own position, so a row is not
    consumed by whoever reads it first; rows are pruned once every known server has applied them.
    Refs and actions only, never text."""
    __tablename__ = "index_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IndexNode(Base):
    """A server that keeps an index of its own (kb/nodes.py): how far it has applied the change
    log, and when it last said so. Pruning keeps what a node seen within the retention still needs."""
    __tablename__ = "index_nodes"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


ROLES = ("volunteer", "trainer", "bureau", "admin")  # each role can do what the ones before it can
ROLE_LABELS = {"volunteer": "Bénévole", "trainer": "Formateur", "bureau": "Bureau", "admin": "Administrateur"}


class User(Base):
    """An account. Only an Argon2id hash of the password is kept."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="volunteer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A provisional password (first start, made or reset by an admin): the next login leads to the
    # password page and nothing else until the person has chosen their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    def can(self, role: str) -> bool:
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


class UsedFormToken(Base):
    """The one-time token of an intake form that created a case: the same form sent again (a double
    click, a worker killed after the commit) shows that case instead of creating it twice."""
    __tablename__ = "used_form_tokens"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginSession(Base):
    """One login: the cookie carries a random token, the database only its SHA-256. Logging out,
    a deactivation, a role change or a new password deletes the row, which ends every copy of the cookie."""
    __tablename__ = "login_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LoginFailure(Base):
    """A wrong password, for the login limits shared by every worker (kb/services/login_limits.py): keyed
    hashes of the account name typed and of the client address, never either as typed."""
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), index=True)


class AuditEvent(Base):
    """Who did what, when, to which case: never the text itself."""
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(60))
    case_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str] = mapped_column(String(300), default="")
