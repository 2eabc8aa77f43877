"""Annotate a corpus: spaCy ``Doc`` objects in, tidy tables out.

``Doc`` objects never leave this module: every paragraph is flattened to rows of sentences,
entity mentions (linked to codebook actors and countries), topics, cooperation cues, dates and
content tokens. Per-article results are cached on disk, keyed by the article's content, the
codebook, the pipeline and the kit version, so a rerun on an unchanged corpus reads the cache and
a changed article is annotated alone. Thread assignment (:mod:`kit.threads`) runs on the tables
afterwards, so changing the focus country needs no re-annotation.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.attrs import IDX, IS_ALPHA, IS_STOP, LEMMA, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

import kit
from kit._io import atomic_write
from kit.codebook import Codebook, load_codebook
from kit.corpus import Corpus
from kit.dates import find_dates
from kit.pipeline import CUES_KEY, TOPICS_KEY, load_pipeline, pipeline_name
from kit.threads import assign_threads

__all__ = ["Annotations", "TABLES", "annotate", "default_cache_dir"]

#: Columns of every table an :class:`Annotations` holds, in order.
TABLES: dict[str, list[str]] = {
    "articles": ["article_id", "path", "date", "title", "source", "url", "language",
                 "n_paragraphs", "n_words"],
    "paragraphs": ["article_id", "paragraph", "story", "text", "threads", "participants",
                   "evidence"],
    "assignments": ["article_id", "paragraph", "story", "thread", "participants", "rule",
                    "sentence", "evidence"],
    "sentences": ["article_id", "paragraph", "sentence", "start", "end", "text"],
    "mentions": ["article_id", "paragraph", "sentence", "start", "end", "text", "label",
                 "actor_id", "actor", "country", "origin", "kind"],
    "topics": ["article_id", "paragraph", "sentence", "start", "end", "text", "topic_id",
               "topic", "category"],
    "cues": ["article_id", "paragraph", "sentence", "start", "end", "text", "cue_id"],
    "dates": ["article_id", "paragraph", "sentence", "start", "end", "text", "start_date",
              "end_date", "precision"],
    "tokens": ["article_id", "paragraph", "sentence", "start", "end", "text", "lower", "lemma"],
}
# The tables computed per article (and cached); the others are derived from them.
_PER_ARTICLE = ("sentences", "mentions", "topics", "cues", "dates", "tokens")
# Statistical entity labels worth keeping: dates come from kit.dates, numbers are noise here.
_MODEL_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"})
_LIST_COLUMNS = ("threads", "participants", "evidence")
_PROGRESS_FROM = 20


@dataclass(frozen=True)
class Annotations:
    """The annotated corpus: one DataFrame per table of DESIGN.md, plus what produced them.

    Tables (see :data:`TABLES` for the columns; offsets are within the paragraph text and
    ``sentence`` counts from 0 within the paragraph):

    - ``articles``: one row per article.
    - ``paragraphs``: one row per body paragraph, with its ``threads``, the partner countries
      (``participants``) and one ``evidence`` sentence per thread.
    - ``assignments``: one row per (paragraph, thread) with the rule that fired.
    - ``sentences``, ``mentions``, ``topics``, ``cues``, ``dates``, ``tokens``: one row per
      sentence, entity mention, topic match, cooperation cue, date expression, content token.

    Attributes:
        codebook: The codebook used. focus: ISO3 code of the focus country.
        pipeline: Name of the spaCy pipeline used. cache: ``{"annotated": n, "cached": m}``.
    """

    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    assignments: pd.DataFrame
    sentences: pd.DataFrame
    mentions: pd.DataFrame
    topics: pd.DataFrame
    cues: pd.DataFrame
    dates: pd.DataFrame
    tokens: pd.DataFrame
    codebook: Codebook = field(repr=False)
    focus: str = "THA"
    pipeline: str = ""
    cache: dict[str, int] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``{name: DataFrame}`` for every table."""
        return {name: getattr(self, name) for name in TABLES}

    @property
    def threads(self) -> list[str]:
        """Thread ids found in the corpus, most paragraphs first (ties by id)."""
        counts = self.assignments.groupby("thread")["paragraph"].size()
        return sorted(counts.index, key=lambda t: (-counts[t], t))

    def to_dir(self, out: str | Path, *, parquet: bool | None = None) -> list[Path]:
        """Write every table as ``out/<name>.csv`` (and ``.parquet`` where pyarrow is installed).

        List-valued cells are ``;``-joined in CSV; Parquet keeps them as lists. Files are written
        atomically. Returns the paths written.
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        if parquet is None:
            parquet = _has_pyarrow()
        written = []
        for name, table in self.tables().items():
            flat = table.copy()
            for col in _LIST_COLUMNS:
                if col in flat:
                    flat[col] = flat[col].map(lambda v: ";".join(map(str, v)))
            written.append(atomic_write(out / f"{name}.csv",
                                         flat.to_csv(index=False).encode("utf-8")))
            if parquet:
                written.append(atomic_write(out / f"{name}.parquet",
                                            table.to_parquet(index=False)))
        return written

    @classmethod
    def from_dir(
        cls, folder: str | Path, *, codebook: Codebook | None = None, focus: str = "THA",
        pipeline: str = "",
    ) -> "Annotations":
        """Read tables written by :meth:`to_dir` (Parquet where present, else CSV).

        A table stored as a folder of Parquet files (one per partition, as
        :func:`kit.scale.annotate_dask` writes them) is read as one table.
        """
        folder = Path(folder)
        tables: dict[str, pd.DataFrame] = {}
        for name, columns in TABLES.items():
            parquet = folder / f"{name}.parquet"
            csv = folder / f"{name}.csv"
            if parquet.exists():
                table = pd.read_parquet(parquet)
                for col in _LIST_COLUMNS:
                    if col in table:
                        table[col] = table[col].map(list)
            elif csv.exists():
                table = pd.read_csv(csv, keep_default_na=False, na_values=[""])
                for col in _LIST_COLUMNS:
                    if col in table:
                        table[col] = table[col].map(
                            lambda v: [] if pd.isna(v) or v == "" else str(v).split(";"))
            else:
                raise FileNotFoundError(
                    f"{folder}: no {name}.parquet or {name}.csv; write the tables with "
                    f"Annotations.to_dir or `kit annotate ... --out {folder}`"
                )
            for col in ("date", "start_date", "end_date"):
                if col in table:
                    table[col] = pd.to_datetime(table[col])
            tables[name] = table[columns].reset_index(drop=True)
        return cls(codebook=codebook if codebook is not None else load_codebook(), focus=focus,
                   pipeline=pipeline, **tables)


def default_cache_dir() -> Path:
    """The annotation cache folder: ``KIT_CACHE_DIR``, else the user's cache folder."""
    if os.environ.get("KIT_CACHE_DIR"):
        return Path(os.environ["KIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kit" / "annotations"


def annotate(
    corpus: Corpus,
    *,
    codebook: Codebook | str | Path | Sequence[str | Path] | None = None,
    model: str | Path | None = None,
    focus: str = "THA",
    nlp: Language | None = None,
    cache: bool | str | Path = True,
    n_process: int = 1,
    batch_size: int = 64,
    progress: bool | None = None,
) -> Annotations:
    """Annotate *corpus* and assign its paragraphs to cooperation threads.

    Args:
        corpus: Articles from :func:`kit.corpus.load_corpus`.
        codebook: A loaded :class:`~kit.codebook.Codebook`, or paths of codebook files that
            extend the bundled one (also ``KIT_CODEBOOK``).
        model: spaCy pipeline name or path (see :func:`kit.pipeline.load_pipeline`).
        focus: ISO3 code of the focus country; threads are named ``FOCUS-XXX``.
        nlp: A pipeline from :func:`~kit.pipeline.load_pipeline` to reuse (skips loading).
        cache: ``True`` for the default cache folder (:func:`default_cache_dir`), a folder, or
            ``False`` to annotate everything afresh and write nothing.
        n_process: Processes for ``nlp.pipe``.
        batch_size: Paragraphs per ``nlp.pipe`` batch.
        progress: Show a progress bar; by default when there are 20 articles or more.

    Returns:
        The :class:`Annotations`.
    """
    cb = codebook if isinstance(codebook, Codebook) else _load_codebook(codebook)
    focus = focus.upper()
    if focus not in cb.countries:
        raise ValueError(
            f"focus country {focus!r} is not an ISO 3166-1 alpha-3 code in the codebook "
            f"(e.g. 'THA' for Thailand, 'VNM' for Vietnam)"
        )
    nlp = nlp if nlp is not None else _pipeline(model, cb)
    name = pipeline_name(nlp)
    store = _Cache(_cache_dir(cache), salt=f"{name}|{cb.fingerprint}|{kit.__version__}")

    articles = corpus.articles
    paragraphs = corpus.paragraphs
    texts: dict[str, list[str]] = {
        str(a): g.sort_values("paragraph")["text"].tolist()
        for a, g in paragraphs.groupby("article_id", sort=False)
    }
    dates = {str(r.article_id): pd.Timestamp(r.date).date() for r in articles.itertuples()}
    results: dict[str, dict[str, list[tuple]]] = {}
    todo: list[str] = []
    for article_id in articles["article_id"].astype(str):
        key = store.key(dates[article_id], texts.get(article_id, []))
        hit = store.get(key)
        if hit is None:
            todo.append(article_id)
        else:
            results[article_id] = hit
    for article_id, rows in _annotate_articles(
        nlp, todo, texts, dates, cb, n_process=n_process, batch_size=batch_size,
        progress=progress if progress is not None else len(todo) >= _PROGRESS_FROM,
    ):
        results[article_id] = rows
        store.put(store.key(dates[article_id], texts[article_id]), rows)
    store.report()

    ordered = [results[a] for a in articles["article_id"].astype(str)]
    tables = {name_: _frame(name_, (row for r in ordered for row in r[name_]))
              for name_ in _PER_ARTICLE}
    assignments = assign_threads(paragraphs, tables["sentences"], tables["mentions"],
                                 tables["cues"], focus=focus)
    return Annotations(
        articles=articles.reset_index(drop=True),
        paragraphs=_paragraph_table(paragraphs, assignments),
        assignments=assignments,
        codebook=cb,
        focus=focus,
        pipeline=name,
        cache={"annotated": len(todo), "cached": len(articles) - len(todo)},
        **tables,
    )


# --------------------------------------------------------------------------- annotation


def _annotate_articles(
    nlp: Language,
    article_ids: Sequence[str],
    texts: dict[str, list[str]],
    dates: dict[str, date],
    cb: Codebook,
    *,
    n_process: int,
    batch_size: int,
    progress: bool,
) -> Iterator[tuple[str, dict[str, list[tuple]]]]:
    """Yield ``(article_id, rows per table)`` for each article, in order."""
    if not article_ids:
        return
    lookup = _Lookup.of(cb)
    stream = ((text, (a, i)) for a in article_ids for i, text in enumerate(texts[a]))
    docs = nlp.pipe(stream, as_tuples=True, n_process=n_process, batch_size=batch_size)
    bar = _progress_bar(len(article_ids)) if progress else None
    current: str | None = None
    rows: dict[str, list[tuple]] = {}
    for doc, (article_id, paragraph) in docs:
        if article_id != current:
            if current is not None:
                yield current, _link_people(rows, lookup)
                if bar is not None:
                    bar.update(1)
            current, rows = article_id, {t: [] for t in _PER_ARTICLE}
        _flatten(doc, article_id, paragraph, dates[article_id], lookup, rows)
    if current is not None:
        yield current, _link_people(rows, lookup)
        if bar is not None:
            bar.update(1)
            bar.close()
    # Articles without body paragraphs never reach nlp.pipe.
    for article_id in article_ids:
        if not texts[article_id]:
            yield article_id, {t: [] for t in _PER_ARTICLE}


def _flatten(doc: Doc, article_id: str, paragraph: int, published: date, lookup: "_Lookup",
             rows: dict[str, list[tuple]]) -> None:
    """Append one paragraph's rows to *rows* (tuples in :data:`TABLES` column order)."""
    base = (article_id, paragraph)
    text = doc.text
    # Token attributes as one array: creating a Token or sentence Span object per item cost
    # more than the whole codebook-only pipeline.
    attrs = doc.to_array([SENT_START, IDX, LENGTH, IS_ALPHA, IS_STOP, LOWER, LEMMA])
    if not len(attrs):
        return
    first = np.flatnonzero(attrs[:, 0] == 1)
    if not len(first) or first[0] != 0:
        first = np.concatenate([[0], first])
    last = np.append(first[1:], len(attrs)) - 1
    starts = attrs[first, 1].tolist()
    ends = (attrs[last, 1] + attrs[last, 2]).tolist()
    for i, (start, end) in enumerate(zip(starts, ends)):
        rows["sentences"].append((*base, i, start, end, text[start:end]))

    def sentence_of(char: int) -> int:
        return max(0, bisect_right(starts, char) - 1)

    topic_spans = _longest_per_label(doc.spans.get(TOPICS_KEY, []))
    # A model entity covering exactly a codebook topic term ("AI", "CCTV") is a topic, not an actor.
    topic_offsets = {(s.start_char, s.end_char) for s in topic_spans}
    for ent in doc.ents:
        if not ent.ent_id_ and (ent.start_char, ent.end_char) in topic_offsets:
            continue
        linked = lookup.entity(ent.ent_id_, ent.label_, ent.text)
        if linked is None:
            continue
        rows["mentions"].append((*base, sentence_of(ent.start_char), ent.start_char,
                                 ent.end_char, ent.text, ent.label_, *linked))
    for span in topic_spans:
        topic = lookup.topics.get(span.label_)
        if topic is not None:
            rows["topics"].append((*base, sentence_of(span.start_char), span.start_char,
                                   span.end_char, span.text, span.label_, *topic))
    for span in doc.spans.get(CUES_KEY, []):
        rows["cues"].append((*base, sentence_of(span.start_char), span.start_char,
                             span.end_char, span.text, span.label_))
    for d in find_dates(doc.text, published):
        rows["dates"].append((*base, sentence_of(d.start), d.start, d.end, d.text,
                              d.start_date, d.end_date, d.precision))
    keep = attrs[(attrs[:, 3] == 1) & (attrs[:, 4] == 0) & (attrs[:, 2] > 1)]
    strings = doc.vocab.strings
    sentence_ids = np.searchsorted(starts, keep[:, 1], side="right") - 1
    for (_, idx, length, _, _, lower, lemma), sid in zip(keep.tolist(), sentence_ids.tolist()):
        lower_text = strings[lower]
        rows["tokens"].append((*base, max(0, sid), idx, idx + length, text[idx:idx + length],
                               lower_text, strings[lemma].lower() if lemma else lower_text))


def _longest_per_label(spans: Iterable[Span]) -> list[Span]:
    """Drop spans that overlap a longer span with the same label, so that "diplomatic
    relations" and "relations between" count one mention of a topic, not two. Spans of
    different labels may overlap ("AI" inside "AI-equipped CCTV")."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(k.label == span.label and k.start < span.end and span.start < k.end
                   for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end, s.label_))


def _link_people(rows: dict[str, list[tuple]], lookup: "_Lookup") -> dict[str, list[tuple]]:
    """Resolve a later short mention of a person ("Jirabhop") to the full name used earlier.

    Codebook aliases already cover curated people; this links people the statistical model
    found, and short forms the codebook lacks, within one article.
    """
    known: list[tuple[set[str], tuple]] = []  # (name words, linked columns)
    linked_rows = []
    for row in rows["mentions"]:
        text, label = row[5], row[6]
        link = row[7:]
        if label == "PERSON":
            words = set(text.replace("’s", "").replace("'s", "").split())
            earlier = next((cols for w, cols in known if words < w), None)
            if earlier is not None and row[10] == "model":
                link = (earlier[0], earlier[1], earlier[2], row[10], row[11])
            if len(words) > 1:
                known.append((words, link))
        linked_rows.append((*row[:7], *link))
    rows["mentions"] = linked_rows
    return rows


@dataclass(frozen=True)
class _Lookup:
    """What the codebook says of a pattern id or an entity text, compiled once per codebook."""

    actors: dict[str, tuple[str, str | None]]   # actor id -> (name, country)
    places: dict[str, tuple[str, str]]          # name/demonym/city text -> (kind, ISO3)
    topics: dict[str, tuple[str, str]]          # topic id -> (label, category label)

    @classmethod
    def of(cls, cb: Codebook) -> "_Lookup":
        places: dict[str, tuple[str, str]] = {}
        for c in cb.countries.values():
            for city in c.cities:
                places.setdefault(city, ("city", c.id))
            for demonym in c.demonyms:
                places.setdefault(demonym, ("demonym", c.id))
            for name in (c.name, *c.names):
                places[name] = ("country", c.id)
        return cls(
            actors={a.id: (a.name, a.country) for a in cb.actors.values()},
            places=places,
            topics={t.id: (t.label, cb.categories[t.category].label) for t in cb.topics.values()},
        )

    def entity(self, pattern_id: str, label: str, text: str) -> tuple | None:
        """Return ``(actor_id, actor, country, origin, kind)`` for an entity, or None to drop."""
        if pattern_id:
            kind, _, key = pattern_id.partition(":")
            if kind == "actor" and key in self.actors:
                name, country = self.actors[key]
                return key, name, country, "codebook", "actor"
            if kind in {"country", "city", "demonym"}:
                return None, None, key.split(":")[0], "codebook", kind
        if label not in _MODEL_LABELS:
            return None
        place = self.places.get(text.removeprefix("the ").strip())
        if place is not None:
            return None, None, place[1], "model", place[0]
        actor = text if label in {"PERSON", "ORG", "EVENT", "FAC"} else None
        return None, actor, None, "model", "model"


# --------------------------------------------------------------------------- tables


def _frame(name: str, rows: Iterable[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=TABLES[name])
    for col in ("paragraph", "sentence", "start", "end"):
        if col in frame:
            frame[col] = frame[col].astype("int64")
    for col in ("start_date", "end_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    return frame


def _paragraph_table(paragraphs: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    per: dict[tuple[str, int], list] = {}
    for r in assignments.itertuples(index=False):
        per.setdefault((r.article_id, int(r.paragraph)), []).append(r)
    out = paragraphs[["article_id", "paragraph", "story", "text"]].copy().reset_index(drop=True)
    keys = list(zip(out["article_id"], out["paragraph"].astype(int)))
    out["threads"] = [[r.thread for r in per.get(k, [])] for k in keys]
    out["participants"] = [
        list(dict.fromkeys(c for r in per.get(k, []) for c in r.participants)) for k in keys
    ]
    out["evidence"] = [[r.evidence for r in per.get(k, [])] for k in keys]
    return out


# --------------------------------------------------------------------------- cache


class _Cache:
    """Per-article annotation cache: one pickle per article, written atomically."""

    def __init__(self, folder: Path | None, *, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.discarded = 0

    def key(self, published: date, paragraphs: Sequence[str]) -> str:
        payload = json.dumps([self.salt, published.isoformat(), list(paragraphs)])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> dict[str, list[tuple]] | None:
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            with path.open("rb") as fh:
                value = pickle.load(fh)
            if not isinstance(value, dict) or set(value) != set(_PER_ARTICLE):
                raise ValueError("unexpected content")
            return value
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - any unreadable entry is recomputed, never fatal
            self.discarded += 1
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, value: dict[str, list[tuple]]) -> None:
        if self.folder is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def report(self) -> None:
        if self.discarded:
            warnings.warn(
                f"kit: discarded {self.discarded} unreadable annotation cache "
                f"entr{'y' if self.discarded == 1 else 'ies'} in {self.folder}; "
                "they were annotated again.",
                RuntimeWarning,
                stacklevel=3,
            )


def _cache_dir(cache: bool | str | Path) -> Path | None:
    if cache is False:
        return None
    return default_cache_dir() if cache is True else Path(cache)


# --------------------------------------------------------------------------- helpers


def _load_codebook(codebook: str | Path | Sequence[str | Path] | None) -> Codebook:
    if codebook is None:
        return load_codebook()
    if isinstance(codebook, (str, Path)):
        return load_codebook(codebook)
    return load_codebook(*codebook)


_PIPELINES: dict[tuple[str, str], Language] = {}


def _pipeline(model: str | Path | None, cb: Codebook) -> Language:
    """Load a pipeline once per (model, codebook) in a process: notebooks rerun cells often."""
    key = (str(model if model is not None else os.environ.get("KIT_SPACY_MODEL", "")),
           cb.fingerprint)
    if key not in _PIPELINES:
        _PIPELINES[key] = load_pipeline(model, codebook=cb)
    return _PIPELINES[key]


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Annotating", unit="article")


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True
