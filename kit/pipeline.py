"""Build the spaCy pipeline the kit annotates with.

The model policy (DESIGN.md): use any installed spaCy pipeline given by name or path (the
``model`` argument or ``KIT_SPACY_MODEL``); by default try ``en_core_web_sm``; when it is not
installed, fall back to a codebook-only pipeline (``spacy.blank("en")`` with a sentencizer) and
say so in one line. Either way the codebook's entity ruler runs *before* the statistical
``ner``, so curated actors win, and two span rulers mark topics and cooperation cues.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from kit.codebook import Codebook, cue_patterns, entity_patterns, load_codebook, topic_patterns

__all__ = [
    "BLANK",
    "CUES_KEY",
    "DEFAULT_MODEL",
    "ENV_MODEL",
    "PipelineError",
    "TOPICS_KEY",
    "load_pipeline",
    "pipeline_name",
]

DEFAULT_MODEL = "en_core_web_sm"
#: The name (for ``model`` or ``KIT_SPACY_MODEL``) that asks for the codebook-only pipeline.
BLANK = "blank"
ENV_MODEL = "KIT_SPACY_MODEL"
TOPICS_KEY = "kit_topics"
CUES_KEY = "kit_cues"

_INSTALL_HINT = (
    "for better person and organisation detection install a statistical model "
    "(`python -m spacy download en_core_web_sm`, or `conda install -c conda-forge "
    "spacy-model-en_core_web_sm`) and restart the kernel"
)


class PipelineError(RuntimeError):
    """A requested spaCy pipeline could not be loaded."""


def load_pipeline(
    model: str | Path | None = None,
    *,
    codebook: Codebook | None = None,
    quiet: bool = False,
) -> Language:
    """Return a spaCy pipeline with the kit's codebook components.

    Args:
        model: An installed pipeline name (``"en_core_web_sm"``), a path to one, or ``"blank"``
            for the codebook-only pipeline. Defaults to ``KIT_SPACY_MODEL``, then to
            ``en_core_web_sm`` with a fallback to the codebook-only pipeline.
        codebook: The codebook to compile into the rulers; the bundled one by default.
        quiet: Do not print the one-line notice when falling back.

    Returns:
        A ``Language`` whose ``meta["kit_pipeline"]`` names what it is (see
        :func:`pipeline_name`).

    Raises:
        PipelineError: When a model that was asked for by name or path is not installed.
    """
    codebook = codebook if codebook is not None else load_codebook()
    requested = str(model) if model is not None else os.environ.get(ENV_MODEL) or None
    if requested and requested != BLANK:
        nlp = _load_statistical(requested)
    elif requested == BLANK:
        nlp = _blank()
    else:
        try:
            nlp = _load_statistical(DEFAULT_MODEL)
        except PipelineError:
            nlp = _blank()
            if not quiet:
                print(
                    f"kit: spaCy model {DEFAULT_MODEL!r} is not installed; using the "
                    f"codebook-only pipeline. {_INSTALL_HINT[0].upper()}{_INSTALL_HINT[1:]}.",
                    file=sys.stderr,
                )
    _add_codebook_components(nlp, codebook)
    return nlp


def pipeline_name(nlp: Language) -> str:
    """Name a pipeline for tables, caches and notices, e.g. ``"en_core_web_sm 3.8.0"``."""
    return str(nlp.meta.get("kit_pipeline") or f"{nlp.meta.get('name')} {nlp.meta.get('version')}")


def _blank() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.meta["kit_pipeline"] = f"codebook-only (spacy.blank('en'), spaCy {spacy.__version__})"
    return nlp


def _load_statistical(name: str) -> Language:
    try:
        # The kit needs sentences, not parses: the parser is the slowest component of the
        # small English models and their `senter` gives the boundaries at a fraction of the cost.
        nlp = spacy.load(name, exclude=["parser"])
    except (OSError, ImportError) as err:
        raise PipelineError(
            f"spaCy pipeline {name!r} is not installed or not a pipeline folder ({err}). "
            f"Install it, pass another name or path, or use model='blank' for the "
            f"codebook-only pipeline; {_INSTALL_HINT}."
        ) from err
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if not any(c in nlp.pipe_names for c in ("senter", "sentencizer")):
        nlp.add_pipe("sentencizer", first=True)
    nlp.meta["kit_pipeline"] = f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name')} " \
        f"{nlp.meta.get('version')}"
    return nlp


def _add_codebook_components(nlp: Language, codebook: Codebook) -> None:
    ruler_config = {"phrase_matcher_attr": None, "overwrite_ents": False, "validate": False}
    if "ner" in nlp.pipe_names:
        ruler = nlp.add_pipe("entity_ruler", name="kit_entities", before="ner",
                             config=ruler_config)
    else:
        ruler = nlp.add_pipe("entity_ruler", name="kit_entities", config=ruler_config)
    ruler.add_patterns(entity_patterns(codebook))  # type: ignore[attr-defined]
    for key, patterns in ((TOPICS_KEY, topic_patterns(codebook)),
                          (CUES_KEY, cue_patterns(codebook))):
        span_ruler = nlp.add_pipe(
            "span_ruler", name=key,
            config={"spans_key": key, "spans_filter": None, "annotate_ents": False,
                    "validate": False},
        )
        span_ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta["kit_codebook"] = codebook.fingerprint
