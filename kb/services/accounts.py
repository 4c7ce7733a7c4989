"""Accounts: Argon2id password hashes, roles, and the checks the login page relies on."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import ROLES, LoginSession, User, utcnow
from . import audit, login_limits

hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile
MIN_PASSWORD = 12
# zxcvbn's match patterns that make a password guessable when it is made of nothing else: entries of
# its list of 30,000 common passwords (in any case, in l33t, reversed), keyboard rows, sequences,
# repeats, dates and years.
COMMON_PATTERNS = {"spatial", "sequence", "repeat", "date", "regex"}
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (over 10^8 guesses)
SESSION_HOURS = 8  # a login ends 8 hours after it started, however busy
# Verifying against this when the account does not exist takes as long as a real check,
# so the answer's timing does not tell whether the account exists.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A French message for the person at the keyboard."""


def is_common(password: str) -> bool:
    """In zxcvbn's list of common passwords, or made only of such entries and patterns, or
    otherwise quick to guess. zxcvbn reads at most 72 characters; more are past any list.
    Imported here: its dictionaries take 14 MB, which a web worker needs only when a password is set."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:72])
    made_of_common = all(match["pattern"] in COMMON_PATTERNS
                         or (match["pattern"] == "dictionary" and match["dictionary_name"] == "passwords")
                         for match in result["sequence"])
    return made_of_common or result["score"] < MIN_SCORE


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères.")
    if is_common(password):
        raise AccountError("Ce mot de passe est trop courant ou trop facile à deviner (il figure, ou presque, "
                           "dans une liste de mots de passe connus). Une phrase de quelques mots convient mieux.")


def create_user(session: Session, username: str, password: str, role: str, provisional: bool = False) -> User:
    """`provisional`: a password made for the person (printed at first start, or by an admin),
    to be replaced at their first login."""
    username = username.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu : {role}.")
    if not username or len(username) > 80:
        raise AccountError("L'identifiant doit compter entre 1 et 80 caractères.")
    if session.scalar(select(User).where(User.username == username)):
        raise AccountError("Cet identifiant existe déjà.")
    check_password_rules(password)
    user = User(username=username, password_hash=hasher.hash(password), role=role, must_change_password=provisional)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str, provisional: bool = False) -> None:
    check_password_rules(password)
    user.password_hash = hasher.hash(password)
    user.password_changed_at = utcnow()
    user.must_change_password = provisional


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None, in about the same time either way."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if not verify_password(user.password_hash if user else _DUMMY_HASH, password):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def new_password() -> str:
    return secrets.token_urlsafe(12)


def session_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, user_id: int) -> str:
    """A new login session; returns the token for the cookie (the database keeps only its hash).
    Sessions past the 8-hour limit, of anyone, are swept at the same time."""
    now = utcnow()
    session.execute(delete(LoginSession).where(LoginSession.created_at < now - timedelta(hours=SESSION_HOURS)))
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id=session_digest(token), user_id=user_id, created_at=now, last_seen_at=now))
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.id == session_digest(token)))


def end_sessions(session: Session, user_id: int) -> None:
    """Every login of this account ends, on every device and in every copy of its cookie."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


TOUCH_EVERY = timedelta(minutes=1)


def live_login(kb, token: str, idle: timedelta):
    """The account of a login session (id, username, role, active, must_change_password), or None
    unless the session exists, is younger than SESSION_HOURS, was used within `idle` and belongs to an
    active account. Runs on every request: one plain statement, no ORM session; an expired session
    is deleted, the last-seen time is written at most once a minute."""
    if not token or len(token) > 100:
        return None
    users, sessions = User.__table__, LoginSession.__table__
    digest = session_digest(token)
    now = utcnow()
    with kb.db.engine.connect() as connection:
        row = connection.execute(
            select(users.c.id, users.c.username, users.c.role, users.c.active, users.c.must_change_password,
                   sessions.c.created_at, sessions.c.last_seen_at)
            .join(sessions, sessions.c.user_id == users.c.id).where(sessions.c.id == digest)).one_or_none()
        if row is None or not row.active:
            return None
        if row.created_at < now - timedelta(hours=SESSION_HOURS) or row.last_seen_at < now - idle:
            connection.execute(delete(sessions).where(sessions.c.id == digest))
            connection.commit()
            return None
        if now - row.last_seen_at > TOUCH_EVERY:
            connection.execute(update(sessions).where(sessions.c.id == digest).values(last_seen_at=now))
            connection.commit()
    return row


# -- logging in and out, changing one's password: each in one transaction with its audit line -----------
WRONG_CURRENT = "Mot de passe actuel incorrect."
SAME_PASSWORD = "Le nouveau mot de passe doit être différent de l'actuel."


def log_in(kb, username: str, password: str, attempt: login_limits.Attempt) -> tuple[User, str] | None:
    """(the account, a new login session's token), or None for a wrong name or password (recorded
    against the limits and audited, the name only if it is an account's). TooManyAttempts first,
    before any password is checked."""
    with kb.db.session() as db:
        login_limits.check(db, attempt)
        user = authenticate(db, username, password)
        if user is None:
            login_limits.record_failure(db, attempt)
            known = db.scalar(select(User.id).where(User.username == username.strip().lower()))
            audit.record(db, username.strip().lower() if known else "(inconnu)", "login-failed")
            db.commit()
            return None
        login_limits.forget_failures(db, attempt)
        token = start_session(db, user.id)
        audit.record(db, user.username, "login")
        db.commit()
        return user, token


def log_out(kb, token: str, username: str) -> None:
    """The login's row goes: a copy of the cookie opens nothing any more."""
    with kb.db.session() as db:
        end_session(db, token)
        audit.record(db, username, "logout")
        db.commit()


def change_password(kb, user_id: int, current: str, new: str, attempt: login_limits.Attempt) -> tuple[User, str]:
    """Every login of the account ends (every device, every copy of the cookie) and a new one starts:
    (the account, its token). AccountError in French for a wrong current password (counted like a
    wrong login), the same password again, or a new one the rules refuse."""
    with kb.db.session() as db:
        user = db.get(User, user_id)
        login_limits.check(db, attempt)  # the same limits as the login: this page also checks a password
        if not verify_password(user.password_hash, current):
            login_limits.record_failure(db, attempt)
            db.commit()
            raise AccountError(WRONG_CURRENT)
        if new == current:
            raise AccountError(SAME_PASSWORD)
        set_password(user, new)
        end_sessions(db, user.id)
        token = start_session(db, user.id)
        audit.record(db, user.username, "password-changed")
        db.commit()
        return user, token
