"""One-file backups: every case, theme, selection, draft, account (password hashes only) and audit event.

Restoring needs an empty knowledge base and rebuilds the index from the restored database.
"""
from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .models import (AuditEvent, Case, Draft, LegalRef, Sector, Selection, SelectionItem, Theme, User, utcnow)
from .case_vectors import restore_vectors, stored_vectors
from .services import KnowledgeBase

ProgressBars = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


@contextmanager
def no_bars(_label: str, _length: int) -> Iterator[Callable[[int], None]]:
    yield lambda _n: None


FORMAT = "kb-backup"
VERSION = 1


class BackupError(Exception):
    pass


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def dump(kb: KnowledgeBase) -> dict[str, Any]:
    """Cases carry their vector of the configured model, so that a restore need not embed them again."""
    with kb.db.session() as db:
        vectors = stored_vectors(db, kb.dense_key())
        themes = [{"slug": t.slug, "label": t.label, "retired": t.retired}
                  for t in db.scalars(select(Theme).order_by(Theme.id))]
        cases = [{
            "ref": c.ref, "title": c.title, "situation": c.situation, "opinion": c.opinion, "year": c.year,
            "year_to": c.year_to, "channel": c.channel, "report_summary": c.report_summary,
            "no_opinion": c.no_opinion, "themes": [t.slug for t in c.themes], "sectors": [s.name for s in c.sectors],
            "legal_refs": [r.label for r in c.legal_refs],
            "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at),
            **({"vector": vectors[c.id]} if c.id in vectors else {}),
        } for c in db.scalars(select(Case).order_by(Case.id).options(
            selectinload(Case.themes), selectinload(Case.sectors), selectinload(Case.legal_refs)))]
        users = [{"username": u.username, "password_hash": u.password_hash, "role": u.role, "active": u.active,
                  "must_change_password": u.must_change_password, "created_at": _iso(u.created_at), "password_changed_at": _iso(u.password_changed_at)}
                 for u in db.scalars(select(User).order_by(User.id))]
        selections = [{
            "title": s.title, "description": s.description, "owner": s.owner.username, "shared": s.shared,
            "created_at": _iso(s.created_at), "updated_at": _iso(s.updated_at),
            "items": [{"ref": i.case.ref, "position": i.position, "note": i.note, "questions": i.questions}
                      for i in s.items],
        } for s in db.scalars(select(Selection).order_by(Selection.id).options(
            selectinload(Selection.owner), selectinload(Selection.items).selectinload(SelectionItem.case)))]
        drafts = [{c: getattr(d, c) for c in ("fingerprint", "status", "theme_slug", "proposed_theme", "year_from",
                                             "year_to", "title", "situation", "opinion", "source", "case_ref")}
                  | {"created_at": _iso(d.created_at)} for d in db.scalars(select(Draft).order_by(Draft.id))]
        audit = [{"at": _iso(e.at), "actor": e.actor, "action": e.action, "case_ref": e.case_ref, "detail": e.detail}
                 for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    return {"format": FORMAT, "version": VERSION, "created_at": _iso(utcnow()), "themes": themes, "cases": cases,
            "users": users, "selections": selections, "drafts": drafts, "audit": audit}


def write_backup(kb: KnowledgeBase, path: Path) -> dict[str, int]:
    """Written to a temporary name beside the target, then renamed: never half a backup."""
    data = dump(kb)
    payload = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    if path.suffix == ".gz":
        payload = gzip.compress(payload)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(payload)
    os.chmod(partial, 0o600)
    partial.replace(path)
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}


def read_backup(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested too deep, a number too long
        raise BackupError(f"{path.name}: not a backup of this application (not JSON).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path.name}: not a backup of this application.")
    if data.get("version") != VERSION:
        version = data.get("version")
        shown = f" {version}" if isinstance(version, int) and not isinstance(version, bool) else ""
        raise BackupError(f"{path.name}: backup version{shown} is not supported.")
    return data


def restore(kb: KnowledgeBase, path: Path, bar: ProgressBars | None = None) -> dict[str, int]:
    """Into an empty base; the vectors the backup carries for this model are kept (checked against their
    text), the others computed, and the index rebuilt, each step shown on ``bar(label, length)``."""
    data = read_backup(path)
    with kb.db.session() as db:
        if any(db.scalar(select(func.count()).select_from(m)) for m in (Case, User, Selection, Draft)):
            raise BackupError("The knowledge base is not empty: restore into an empty data folder or database.")
        themes = {}
        for t in data["themes"]:
            theme = db.scalar(select(Theme).where(Theme.slug == t["slug"])) or Theme(slug=t["slug"])
            theme.label, theme.retired = t["label"], t["retired"]
            db.add(theme)
            themes[t["slug"]] = theme
        sectors: dict[str, Sector] = {}
        legal: dict[str, LegalRef] = {}
        kept_vectors: list[tuple[Case, dict]] = []
        cases: dict[str, Case] = {}
        for c in data["cases"]:
            case = Case(ref=c["ref"], title=c["title"], situation=c["situation"], opinion=c["opinion"],
                        year=c["year"], year_to=c.get("year_to"), channel=c["channel"],
                        report_summary=c.get("report_summary"), no_opinion=bool(c.get("no_opinion", False)),
                        created_at=_dt(c["created_at"]), updated_at=_dt(c["updated_at"]))
            case.themes = [themes[s] for s in c["themes"]]
            case.sectors = [sectors.setdefault(n, Sector(name=n)) for n in c["sectors"]]
            case.legal_refs = [legal.setdefault(label, LegalRef(label=label)) for label in c["legal_refs"]]
            db.add(case)
            cases[case.ref] = case
            vector = c.get("vector")
            if isinstance(vector, dict) and vector.get("model") == kb.dense_key():
                kept_vectors.append((case, vector))
        users: dict[str, User] = {}
        for u in data["users"]:
            users[u["username"]] = User(username=u["username"], password_hash=u["password_hash"], role=u["role"],
                                        active=u["active"], created_at=_dt(u["created_at"]),
                                        must_change_password=u.get("must_change_password", False),
                                        password_changed_at=_dt(u["password_changed_at"]))
            db.add(users[u["username"]])
        for s in data["selections"]:
            selection = Selection(title=s["title"], description=s["description"], shared=s["shared"],
                                  owner=users[s["owner"]], created_at=_dt(s["created_at"]),
                                  updated_at=_dt(s["updated_at"]))
            selection.items = [SelectionItem(case=cases[i["ref"]], position=i["position"], note=i["note"],
                                             questions=i["questions"]) for i in s["items"]]
            db.add(selection)
        for d in data["drafts"]:
            db.add(Draft(**{k: v for k, v in d.items() if k != "created_at"}, created_at=_dt(d["created_at"])))
        restore_vectors(db, kept_vectors)
        for e in data["audit"]:
            db.add(AuditEvent(at=_dt(e["at"]), actor=e["actor"], action=e["action"], case_ref=e["case_ref"],
                              detail=e["detail"]))
        db.commit()
    bar = bar or no_bars
    if kb.dense.get() is not None:
        with bar("Vectors", len(data["cases"])) as step:
            kb.embed(progress=step)
    with bar("Index", len(data["cases"])) as step:
        kb.reindex(progress=step)
    return {k: len(v) for k, v in data.items() if isinstance(v, list)}
