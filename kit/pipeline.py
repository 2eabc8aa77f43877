"""Build the spaCy pipeline the kit annotates with.

The model policy (DESIGN.md): use any installed spaCy pipeline given by name or path (the
``model`` argument or ``KIT_SPACY_MODEL``); by default try ``en_core_web_sm``; when it is not
installed, fall back to a codebook-only pipeline (``spacy.blank("en")`` with a sentencizer) and
say so in one line. Either way the codebook's entity ruler runs *before* the statistical
``ner``, so curated actors win, and two span matchers mark topics and cooperation cues.

Importing this module registers the ``kit_span_matcher`` factory with spaCy, as any spaCy
component package does, so that pipelines can be copied to worker processes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from kit.codebook import Codebook, cue_patterns, entity_patterns, load_codebook, topic_patterns

__all__ = [
    "BLANK",
    "SpanMatcher",
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
    _split_abbreviation_hyphens(nlp)
    _add_codebook_components(nlp, codebook)
    return nlp


def _split_abbreviation_hyphens(nlp: Language) -> None:
    """Split a hyphen after a dotted abbreviation: "U.S.-Thai" -> "U.S.", "-", "Thai".

    spaCy's English tokenizer splits hyphens between letters ("Thai-U.S.", "Sino-Thai") but
    keeps "U.S.-Thai" whole, so neither country in it could be matched.
    """
    infixes = [*nlp.Defaults.infixes, r"(?<=[A-Z]\.)-(?=[A-Za-z])"]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer


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
        matcher = nlp.add_pipe("kit_span_matcher", name=key, config={"spans_key": key})
        matcher.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta["kit_codebook"] = codebook.fingerprint


class SpanMatcher:
    """Mark codebook phrases as spans in ``doc.spans[spans_key]``, overlaps kept.

    Like spaCy's ``span_ruler``, but phrase patterns (lists of lower-case token texts) go to a
    ``PhraseMatcher`` built from the token texts themselves, so a pattern is never re-tokenised
    differently from the text it should match; the few token patterns go to a ``Matcher``.
    """

    def __init__(self, nlp: Language, name: str, *, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = Matcher(nlp.vocab)
        self.vocab = nlp.vocab

    def add_patterns(self, patterns: list[dict]) -> None:
        """Add patterns as compiled by :func:`kit.codebook.topic_patterns`."""
        phrases: dict[str, list[Doc]] = {}
        tokens: dict[str, list[list[dict]]] = {}
        for p in patterns:
            if "phrase" in p:
                phrases.setdefault(p["label"], []).append(Doc(self.vocab, words=p["phrase"]))
            else:
                tokens.setdefault(p["label"], []).append(p["pattern"])
        for label, docs in phrases.items():
            self.phrases.add(label, docs)
        for label, pats in tokens.items():
            self.tokens.add(label, pats)

    def __call__(self, doc: Doc) -> Doc:
        found = {(start, end, label) for label, start, end in
                 (*self.phrases(doc), *self.tokens(doc))}
        doc.spans[self.spans_key] = [Span(doc, start, end, label=label)
                                     for start, end, label in sorted(found)]
        return doc


@Language.factory("kit_span_matcher", default_config={"spans_key": TOPICS_KEY})
def _make_span_matcher(nlp: Language, name: str, spans_key: str) -> SpanMatcher:
    return SpanMatcher(nlp, name, spans_key=spans_key)
