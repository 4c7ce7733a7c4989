"""Limits on password guesses, kept in the database so that every worker and every server counts
the same attempts (the former in-memory limiter counted per worker process).

Only failed attempts are recorded, with the account name typed and the client address as keyed
hashes (no name or address is stored as typed). Two kinds of limit:

- per account and address, a slow-down: five wrong passwords for one account from one address
  make that address wait a few minutes for that account; the owner elsewhere is not held up;
- per address, a lock: thirty wrong passwords from one address, whatever the accounts, lock that
  address out for the rest of the hour.

The client address is the connection's, or the one the reverse proxy adds to X-Forwarded-For when
KB_PROXY_HOPS says how many proxies to trust (werkzeug's ProxyFix; 0, the default, trusts none).
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import abort, current_app, request
from sqlalchemy import delete, select

from ..models import LoginFailure, utcnow

PAIR_LIMITS = ((5, timedelta(minutes=5)), (20, timedelta(hours=1)))   # one account from one address
ADDRESS_LIMITS = ((30, timedelta(hours=1)),)                          # any account from one address
KEPT = max(window for _, window in PAIR_LIMITS + ADDRESS_LIMITS)


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(secret, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def account_key(username: str) -> str:
    return _key("account", (username or "").strip().lower()[:80])


def address_key() -> str:
    return _key("address", request.remote_addr or "")


def _over(times: list[datetime], limits, now: datetime) -> bool:
    return any(sum(1 for t in times if t > now - window) >= count for count, window in limits)


def check(db, username: str) -> None:
    """Refuse (429) before any password is checked when this account and address, or this address,
    has used up its attempts."""
    if not enabled():
        return
    now, address, account = utcnow(), address_key(), account_key(username)
    rows = db.execute(select(LoginFailure.at, LoginFailure.account)
                      .where(LoginFailure.address == address, LoginFailure.at > now - KEPT)).all()
    if _over([r.at for r in rows], ADDRESS_LIMITS, now) or \
            _over([r.at for r in rows if r.account == account], PAIR_LIMITS, now):
        abort(429)


def record_failure(db, username: str) -> None:
    """In the caller's transaction; rows past the longest window are swept at the same time."""
    if not enabled():
        return
    now = utcnow()
    db.execute(delete(LoginFailure).where(LoginFailure.at < now - KEPT))
    db.add(LoginFailure(at=now, account=account_key(username), address=address_key()))


def forget_failures(db, username: str) -> None:
    """After a successful login, this account's slow-down from this address starts afresh."""
    if not enabled():
        return
    db.execute(delete(LoginFailure).where(LoginFailure.account == account_key(username),
                                          LoginFailure.address == address_key()))
