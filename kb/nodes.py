"""Which server this is among those sharing one database, and what each has said of its index.

Every server keeps its own index in its own data folder. Its row in `index_nodes` tells how far that
index has applied the change log and when the server last said so: pruning keeps whatever a server
seen within the retention still needs, and `kb check` tells how far behind each one is.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .config import Settings
from .models import IndexNode

NAME_FILE = "node_name"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


@dataclass(frozen=True)
class NodeRow:
    name: str
    position: int
    last_seen: datetime


def node_name(settings: Settings) -> str:
    """KB_NODE_NAME, or a name made once for this data folder (the host's name and a random part)
    and kept there: a server keeps its name across restarts without configuration."""
    if settings.node_name:
        if not NAME.fullmatch(settings.node_name):
            raise ValueError("KB_NODE_NAME: 1 to 80 letters, digits, '.', '_' or '-'.")
        return settings.node_name
    path = settings.data_dir / NAME_FILE
    if not path.exists():
        host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()).strip(".-_")[:60] or "node"
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
                out.write(f"{host}-{secrets.token_hex(3)}\n")
        except FileExistsError:
            pass  # another worker of this server wrote it first: use that one
    name = path.read_text(encoding="utf-8").strip()
    if not NAME.fullmatch(name):
        raise ValueError(f"{path}: not a node name; remove the file to get a new one.")
    return name


def touch(connection: Connection, name: str, position: int, now: datetime) -> None:
    """Record that `name` has applied the log up to `position`, now (inserted the first time)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(IndexNode).values(name=name, position=position, last_seen=now)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[IndexNode.name], set_={"position": position, "last_seen": now}))


def lowest_position(connection: Connection, seen_since: datetime) -> int | None:
    """The position of the server furthest behind among those seen since `seen_since`."""
    return connection.scalar(select(func.min(IndexNode.position)).where(IndexNode.last_seen >= seen_since))


def known(connection: Connection) -> list[NodeRow]:
    rows = connection.execute(select(IndexNode.name, IndexNode.position, IndexNode.last_seen).order_by(IndexNode.name))
    return [NodeRow(*row) for row in rows]
