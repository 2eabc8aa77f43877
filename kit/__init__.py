"""Compare bilateral security-cooperation threads in news articles.

The kit reads articles (:mod:`kit.corpus`), annotates them with spaCy and a codebook
(:mod:`kit.annotate`), compares the cooperation threads it finds (:mod:`kit.compare`) and draws
them (:mod:`kit.charts`, :mod:`kit.widgets`, :mod:`kit.report`).

Importing ``kit`` loads no model and prints nothing; most submodules are imported only when one
of their names below is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "load_corpus": "kit.corpus",
    "sample": "kit.corpus",
    "Corpus": "kit.corpus",
    "CorpusError": "kit.corpus",
    "load_codebook": "kit.codebook",
    "Codebook": "kit.codebook",
    "CodebookError": "kit.codebook",
    "load_pipeline": "kit.pipeline",
    # Dask is optional: kit.scale imports it only when annotate_dask is called.
    "annotate_dask": "kit.scale",
    "read_annotations": "kit.scale",
}

# `kit.annotate` is both a module and the function users call; importing the function here,
# after the module is loaded, makes the package attribute the function.
from kit.annotate import Annotations, annotate  # noqa: E402

__all__ = ["Annotations", "__version__", "annotate", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
