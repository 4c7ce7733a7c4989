"""French sentence boundaries: one splitter and one abbreviation list for summaries, handouts, report
parsing and the anonymiser's sentence starts."""
from __future__ import annotations

import re

# Lower-case, without the final period. Single letters and dotted initials (M., C.P.A.S., c.-à-d.) are
# recognised by shape, see is_abbreviation.
ABBREVIATIONS = frozenset(
    """
    al apr art arts av bd bld cass cf ch chap cit civ coll comm concl coord corr crim dir doc dr éd éds
    env ex fax fig gsm ibid id jur liv m me mes min mlle mlles mm mme mmes mgr n n° no nos not obs op p
    parl pén pl pp pr prof ref réf resp rte s sect sén ss st ste suiv sq tel tél trad vol vs
    """.split()
)
OPENERS = "«“‘\"'([¿¡"
_CLOSERS = "»”’\"')]"
# A period may sit inside French guillemets after a (non-breaking) space: « Non. » Elle…
_END = re.compile(r"(\.{1,3}|…|[!?]+)(?:[ \u00a0\u202f]?[»”])?[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_INITIALS = re.compile(r"^[^\W\d_](?:[.\-]{1,2}[^\W\d_])*$")


def is_abbreviation(word: str) -> bool:
    """True when the word before a single period is an abbreviation rather than a sentence's end."""
    word = re.split(r"['’]", word.lstrip(OPENERS).lower())[-1]  # "l’art." is "art."
    return word in ABBREVIATIONS or bool(_INITIALS.match(word))


def _starts_sentence(rest: str) -> bool:
    """A French sentence starts with a capital or a figure, possibly after an opening quote or bracket."""
    rest = rest.lstrip().lstrip(OPENERS + " \u00a0")
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _inside_quote_or_bracket(text: str) -> bool:
    return text.count("«") > text.count("»") or text.count("(") > text.count(")")


def split_sentences(block: str) -> list[str]:
    """Sentences of one paragraph: cut at an end mark followed by a capital or a figure, never after an
    abbreviation ("art. 458", "M. X", "c.-à-d.", "C.P.A.S.") nor inside an open « quotation » or (bracket)."""
    sentences, start = [], 0
    for match in _END.finditer(block):
        if not _starts_sentence(block[match.end():]):
            continue
        before = block[start:match.start()]
        if match.group(1) == ".":
            words = before.rsplit(None, 1)
            if words and is_abbreviation(words[-1]):
                continue
        if _inside_quote_or_bracket(block[start:match.end()]):
            continue
        sentences.append(block[start:match.end()].strip())
        start = match.end()
    tail = block[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
