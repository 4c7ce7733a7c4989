"""The one way to write an audit line: in the session of the change it records, so that both are
committed together or not at all. Never a value a person typed: refs, slugs, ids and counts only."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import AuditEvent


def record(session: Session, actor: str, action: str, case_ref: str | None = None, detail: str = "") -> None:
    session.add(AuditEvent(actor=actor, action=action, case_ref=case_ref, detail=detail))
