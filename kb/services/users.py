"""Administration of accounts: create, change role or deactivate, reset a password. The rule that
one active administrator always remains lives here, whoever asks."""
from __future__ import annotations

from sqlalchemy import func, select

from ..models import User
from . import audit
from .accounts import AccountError, count_users, create_user, end_sessions, new_password, set_password
from .errors import NotFound
from .knowledge_base import KnowledgeBase

LAST_ADMIN = "Il doit rester au moins un administrateur actif."


def all_users(kb: KnowledgeBase) -> list[User]:
    with kb.db.session() as db:
        return list(db.scalars(select(User).order_by(User.username)))


def add(kb: KnowledgeBase, actor: str, username: str, role: str, password: str | None = None,
        provisional: bool = True) -> tuple[str, str]:
    """A new account, by default with a provisional password made here and changed at the first
    login: (username, password). The password is returned once, to be shown once; the database
    keeps only its hash."""
    password = password or new_password()
    with kb.db.session() as db:
        user = create_user(db, username, password, role, provisional=provisional)  # AccountError: in French
        audit.record(db, actor, "user-created", detail=f"{user.username} ({role})")
        db.commit()
        return user.username, password


def first_admin(kb: KnowledgeBase, actor: str) -> str | None:
    """On a base without accounts, an "admin" account with a provisional password (returned once);
    None when accounts exist."""
    with kb.db.session() as db:
        if count_users(db):
            return None
    return add(kb, actor, "admin", "admin")[1]


def update(kb: KnowledgeBase, actor: str, user_id: int, role: str, active: bool) -> None:
    """A new role or state ends every login of the account; AccountError when it would leave no
    active administrator."""
    with kb.db.session() as db:
        user = db.get(User, user_id)
        if user is None:
            raise NotFound
        demoting = user.role == "admin" and (role != "admin" or not active)
        admins = db.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True)))
        if demoting and admins <= 1:
            raise AccountError(LAST_ADMIN)
        if (user.role, user.active) != (role, active):
            end_sessions(db, user.id)  # the account logs in again, with its new role or not at all
        user.role, user.active = role, active
        audit.record(db, actor, "user-updated", detail=f"{user.username}: {role}, {'actif' if active else 'désactivé'}")
        db.commit()


def reset_password(kb: KnowledgeBase, actor: str, user_id: int) -> tuple[str, str]:
    """A new provisional password, every login of the account ended: (username, password)."""
    password = new_password()
    with kb.db.session() as db:
        user = db.get(User, user_id)
        if user is None:
            raise NotFound
        set_password(user, password, provisional=True)
        end_sessions(db, user.id)
        audit.record(db, actor, "password-reset", detail=user.username)
        db.commit()
        return user.username, password
