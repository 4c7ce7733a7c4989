"""The allow-list: domain vocabulary (institution types, legal references, sector acronyms) never masked.

Kept in a data file so that the bureau can edit it; an extra file can be layered on top. Entries are
matched on whole words after folding (case and accents ignored), so "le CPAS" and "cpas" are both kept.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import fold_key

DEFAULT_PATH = Path(__file__).parent / "data" / "allowlist.txt"
#: Environment variable naming an extra allow-list file (one entry a line), read by get_allowlist().
ENV_EXTRA = "KB_ALLOWLIST"


@dataclass(frozen=True)
class Allowlist:
    phrases: frozenset[str]      # folded keys ("procureur du roi")
    words: frozenset[str]        # folded single words, for quick token tests
    max_words: int
    prefixes: frozenset[str] = frozenset()  # every word prefix of a phrase, to stop scanning early

    def __contains__(self, text: str) -> bool:
        return fold_key(text) in self.phrases


def read_entries(path: Path) -> list[str]:
    """Entries of an allow-list file: one a line, blank lines and '#' comments ignored."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if line:
            out.append(line)
    return out


def load_allowlist(extra_path: Path | None = None) -> Allowlist:
    """Read the packaged allow-list, plus extra_path when given (the bureau's own additions)."""
    entries = read_entries(DEFAULT_PATH)
    if extra_path is not None:
        entries += read_entries(Path(extra_path))
    keys = {fold_key(e) for e in entries}
    keys.discard("")
    prefixes = {" ".join(k.split()[:n]) for k in keys for n in range(1, len(k.split()) + 1)}
    return Allowlist(phrases=frozenset(keys),
                     words=frozenset(k for k in keys if " " not in k),
                     max_words=max(len(k.split()) for k in keys),
                     prefixes=frozenset(prefixes))


@lru_cache(maxsize=1)
def get_allowlist() -> Allowlist:
    """The process-wide allow-list (packaged file + the file named by $KB_ALLOWLIST, if any)."""
    extra = os.environ.get(ENV_EXTRA)
    return load_allowlist(Path(extra) if extra else None)
