"""Limits on password guesses, kept in the database so that every worker and every server counts
the same attempts (the former in-memory limiter counted per worker process).

Only failed attempts are recorded, with the account name typed and the client address as keyed
hashes (no name or address is stored as typed). Two kinds of limit:

- per account and address, a slow-down: five wrong passwords for one account from one address
  make that address wait a few minutes for that account; the owner elsewhere is not held up;
- per address, a lock: thirty wrong passwords from one address, whatever the accounts, lock that
  address out for the rest of the hour.

Which address is the client's (the connection's, or the proxy's X-Forwarded-For for KB_PROXY_HOPS
hops) is the web's business: it builds the `Attempt`.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import LoginFailure, utcnow

PAIR_LIMITS = ((5, timedelta(minutes=5)), (20, timedelta(hours=1)))   # one account from one address
ADDRESS_LIMITS = ((30, timedelta(hours=1)),)                          # any account from one address
KEPT = max(window for _, window in PAIR_LIMITS + ADDRESS_LIMITS)


class TooManyAttempts(Exception):
    """This account from this address, or this address, has used up its attempts for now."""


@dataclass(frozen=True)
class Attempt:
    """Who tries a password: the account name and the client address, as keyed hashes only.
    `counted` is False where limits are switched off (the load test)."""

    account: str
    address: str
    counted: bool = True

    @classmethod
    def of(cls, secret: str, username: str, address: str, counted: bool = True) -> Attempt:
        def key(kind: str, value: str) -> str:
            return hmac.new(secret.encode("utf-8"), f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
        return cls(key("account", (username or "").strip().lower()[:80]), key("address", address or ""), counted)


def _over(times: list[datetime], limits, now: datetime) -> bool:
    return any(sum(1 for t in times if t > now - window) >= count for count, window in limits)


def check(db: Session, attempt: Attempt) -> None:
    """TooManyAttempts before any password is checked when the attempts are used up."""
    if not attempt.counted:
        return
    now = utcnow()
    rows = db.execute(select(LoginFailure.at, LoginFailure.account)
                      .where(LoginFailure.address == attempt.address, LoginFailure.at > now - KEPT)).all()
    if _over([r.at for r in rows], ADDRESS_LIMITS, now) or \
            _over([r.at for r in rows if r.account == attempt.account], PAIR_LIMITS, now):
        raise TooManyAttempts


def record_failure(db: Session, attempt: Attempt) -> None:
    """In the caller's transaction; rows past the longest window are swept at the same time."""
    if not attempt.counted:
        return
    now = utcnow()
    db.execute(delete(LoginFailure).where(LoginFailure.at < now - KEPT))
    db.add(LoginFailure(at=now, account=attempt.account, address=attempt.address))


def forget_failures(db: Session, attempt: Attempt) -> None:
    """After a successful login, this account's slow-down from this address starts afresh."""
    if not attempt.counted:
        return
    db.execute(delete(LoginFailure).where(LoginFailure.account == attempt.account,
                                          LoginFailure.address == attempt.address))
