"""Annotate a corpus: spaCy ``Doc`` objects in, tidy tables out.

``Doc`` objects never leave this module: every paragraph is flattened to rows of sentences,
entity mentions (linked to codebook actors and countries), topics, cooperation cues, dates and
content tokens. Per-article results are cached on disk, keyed by the article's content, the
codebook, the pipeline and the kit's code, so a changed article is annotated alone; the finished
tables of the last few corpora are cached too, so a rerun on an unchanged corpus reads them in
one go. Thread assignment (:mod:`kit.threads`) runs on the tables afterwards, so changing the
focus country needs no re-annotation. With ``n_process`` > 1, worker processes run the pipeline
and flatten the docs, and only rows come back.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import tempfile
import warnings
from array import array
from bisect import bisect_right
from collections.abc import Generator, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from spacy.attrs import IDX, IS_ALPHA, IS_STOP, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

import kit
from kit._io import atomic_write
from kit.codebook import Codebook, load_codebook
from kit.corpus import Corpus
from kit.dates import find_dates
from kit.pipeline import CUES_KEY, TOPICS_KEY, load_pipeline, pipeline_name
from kit.threads import assign_threads

__all__ = ["TABLES", "Annotations", "annotate", "default_cache_dir"]

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
# List-valued columns: lists in Parquet, ";"-joined in CSV.
_LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "paragraphs": ("threads", "participants", "evidence"),
    "assignments": ("participants",),
}
_INTEGER_COLUMNS = frozenset({"paragraph", "sentence", "start", "end", "story", "n_paragraphs",
                              "n_words"})
# Units of the date columns as annotate returns them (articles' dates come from kit.corpus).
_DATETIME_UNITS = {"date": "ns", "start_date": "s", "end_date": "s"}
_PROGRESS_FROM = 20
# Finished tables of this many corpora are kept in the cache (the most recently used).
_CORPUS_ENTRIES = 4


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
            for col in _LIST_COLUMNS.get(name, ()):
                flat[col] = flat[col].map(lambda v: ";".join(map(str, v)))
            written.append(atomic_write(out / f"{name}.csv",
                                         flat.to_csv(index=False).encode("utf-8")))
            if parquet:
                written.append(atomic_write(out / f"{name}.parquet", _parquet_bytes(name, table)))
        return written

    @classmethod
    def from_dir(
        cls, folder: str | Path, *, codebook: Codebook | None = None, focus: str = "THA",
        pipeline: str = "",
    ) -> Annotations:
        """Read tables written by :meth:`to_dir` (Parquet where present, else CSV).

        A table stored as a folder of Parquet files (one per partition, as
        :func:`kit.scale.annotate_dask` writes them) is read as one table. Tables read from
        Parquet equal those written; CSV keeps no difference between a missing value and an
        empty text, and splits list cells on ``;``.
        """
        folder = Path(folder)
        tables: dict[str, pd.DataFrame] = {}
        for name, columns in TABLES.items():
            parquet = folder / f"{name}.parquet"
            csv = folder / f"{name}.csv"
            lists = _LIST_COLUMNS.get(name, ())
            if parquet.exists():
                table = pd.read_parquet(parquet)
                for col in lists:
                    table[col] = _lists(table[col])
            elif csv.exists():
                # Text columns stay text: an article id "0042" is no number.
                text = {c: str for c in columns
                        if c not in _INTEGER_COLUMNS and c not in _DATETIME_UNITS}
                table = pd.read_csv(csv, keep_default_na=False, na_values=[""], dtype=text)
                for col in lists:
                    table[col] = table[col].map(
                        lambda v: [] if pd.isna(v) or v == "" else str(v).split(";"))
            else:
                raise FileNotFoundError(
                    f"{folder}: no {name}.parquet or {name}.csv; write the tables with "
                    f"Annotations.to_dir or `kit annotate ... --out {folder}`"
                )
            tables[name] = _restore_types(table[columns].reset_index(drop=True), name)
        return cls(codebook=codebook if codebook is not None else load_codebook(), focus=focus,
                   pipeline=pipeline, **tables)


def _arrow_schema(name: str) -> Any:
    """The Arrow schema of table *name* in files (Parquet, the cache): the same for every
    partition of a table, so that a partition where a column is all missing is not written with
    a type the others lack."""
    import pyarrow as pa

    def kind(col: str) -> Any:
        if col in _INTEGER_COLUMNS:
            return pa.int64()
        if col in _DATETIME_UNITS:
            return pa.timestamp(_DATETIME_UNITS[col])
        if col in _LIST_COLUMNS.get(name, ()):
            return pa.list_(pa.large_string())
        # pandas keeps its text columns as large_string: the same type converts without a copy.
        return pa.large_string()

    return pa.schema([(col, kind(col)) for col in TABLES[name]])


def _arrow_table(name: str, table: pd.DataFrame) -> Any:
    """Table *name* as an Arrow table with its schema (see :func:`_arrow_schema`)."""
    import pyarrow as pa

    frame = table[TABLES[name]].reset_index(drop=True)
    for col, unit in _DATETIME_UNITS.items():
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).astype(f"datetime64[{unit}]")
    return pa.Table.from_pandas(frame, schema=_arrow_schema(name), preserve_index=False)


def _parquet_bytes(name: str, table: pd.DataFrame) -> bytes:
    """Table *name* as a Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = pa.BufferOutputStream()
    pq.write_table(_arrow_table(name, table), buffer)
    return buffer.getvalue().to_pybytes()


def _arrow_file_bytes(name: str, table: pd.DataFrame) -> bytes:
    """Table *name* as an Arrow IPC (Feather) file, zstd-compressed: for the cache, it reads
    back several times faster than Parquet at about twice the size."""
    import pyarrow as pa

    codec = "zstd" if pa.Codec.is_available("zstd") else None
    buffer = pa.BufferOutputStream()
    arrow = _arrow_table(name, table)
    with pa.ipc.new_file(buffer, arrow.schema,
                         options=pa.ipc.IpcWriteOptions(compression=codec)) as writer:
        writer.write_table(arrow)
    return buffer.getvalue().to_pybytes()


def _lists(column: pd.Series) -> list[list]:
    """A list-valued column read from Parquet (arrays) as lists."""
    return [v.tolist() if hasattr(v, "tolist") else list(v) for v in column.tolist()]


def _restore_types(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give a table read from a file the column types :func:`annotate` gives it."""
    lists = _LIST_COLUMNS.get(name, ())
    for col in table.columns:
        if col in _INTEGER_COLUMNS:
            table[col] = table[col].astype("int64")
        elif col in _DATETIME_UNITS:
            # Parquet has no seconds unit, CSV no unit at all.
            table[col] = pd.to_datetime(table[col]).astype(f"datetime64[{_DATETIME_UNITS[col]}]")
        elif col not in lists and table[col].isna().all():
            # A text column with no value at all (no article has a title) is a column of None,
            # as pandas makes it from the annotation's rows.
            table[col] = pd.Series([None] * len(table), index=table.index, dtype=object)
    return table


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
        n_process: Processes that annotate (``-1``: one per CPU); results are the same for any
            number.
        batch_size: Paragraphs per ``nlp.pipe`` batch.
        progress: Show a progress bar; by default when there are 20 articles or more.

    Returns:
        The :class:`Annotations`.

    Raises:
        ValueError: For an unknown focus country, an invalid ``n_process``, or a paragraph
            longer than the pipeline's ``max_length`` (naming the article and paragraph).
    """
    cb = codebook if isinstance(codebook, Codebook) else _load_codebook(codebook)
    focus = focus.upper()
    if focus not in cb.countries:
        raise ValueError(
            f"focus country {focus!r} is not an ISO 3166-1 alpha-3 code in the codebook "
            f"(e.g. 'THA' for Thailand, 'VNM' for Vietnam)"
        )
    if not isinstance(n_process, int) or not (n_process >= 1 or n_process == -1):
        raise ValueError(f"n_process must be a positive int or -1 (every CPU), not {n_process!r}")
    if n_process == -1:
        n_process = os.cpu_count() or 1
    nlp = nlp if nlp is not None else _pipeline(model, cb)
    name = pipeline_name(nlp)
    store = _Cache(_cache_dir(cache), salt=f"{name}|{cb.fingerprint}|{_code_fingerprint()}")

    articles = corpus.articles
    paragraphs = corpus.paragraphs
    ids = articles["article_id"].astype(str).tolist()
    texts: dict[str, list[str]] = {a: [] for a in ids}
    # A stable sort on the paragraph number keeps each article's paragraphs in order (one
    # sort, instead of one per article).
    ordered = paragraphs.sort_values("paragraph", kind="stable")
    for article_id, text in zip(ordered["article_id"].astype(str), ordered["text"]):
        texts.setdefault(article_id, []).append(text)
    dates = dict(zip(ids, (pd.Timestamp(d).date() for d in articles["date"])))
    keys = {a: store.key(dates[a], texts[a]) for a in ids} if store.folder is not None else {}

    # A rerun on the same corpus reads the finished tables in one go.
    corpus_key = store.corpus_key(focus, [(a, keys[a]) for a in ids]) if keys else ""
    with _gc_paused():
        tables = store.get_tables(corpus_key) if keys else None
    if tables is not None:
        assignments = tables.pop("assignments")
        counts = {"annotated": 0, "cached": len(ids)}
    else:
        todo = [(a, texts[a], dates[a]) for a in ids if not store.has(keys.get(a))]
        _check_lengths(nlp, todo, dict(zip(ids, articles["path"].astype(str))))
        lookup = _Lookup.of(cb)
        annotated = _annotate_articles(
            nlp, todo, lookup, n_process=n_process, batch_size=batch_size,
            progress=progress if progress is not None else len(todo) >= _PROGRESS_FROM)
        pending = {a for a, _, _ in todo}
        builder = _TableBuilder()
        fresh = len(todo)
        try:
            # Articles in corpus order: cached ones read as they come, the others from the
            # annotation stream, which yields them in the same order.
            for article_id in ids:
                rows = None if article_id in pending else store.get(keys[article_id])
                if article_id in pending:
                    done, rows = next(annotated)
                    assert done == article_id
                elif rows is None:  # an unreadable cache entry: annotate the article here
                    fresh += 1
                    _, rows = next(_annotate_stream(
                        nlp, [(article_id, texts[article_id], dates[article_id])], lookup,
                        batch_size=batch_size))
                else:
                    builder.add(article_id, rows)
                    continue
                store.put(keys.get(article_id), rows)
                builder.add(article_id, rows)
        finally:
            annotated.close()
        store.report()
        with _gc_paused():
            tables = builder.frames()
            assignments = _assign_threads(paragraphs, tables, builder.spans, focus=focus)
            store.put_tables(corpus_key, {**tables, "assignments": assignments})
        counts = {"annotated": fresh, "cached": len(ids) - fresh}
    with _gc_paused():
        paragraph_table = _paragraph_table(paragraphs, assignments)
    return Annotations(
        articles=articles.reset_index(drop=True),
        paragraphs=paragraph_table,
        assignments=assignments,
        codebook=cb,
        focus=focus,
        pipeline=name,
        cache=counts,
        **tables,
    )


# --------------------------------------------------------------------------- annotation

# One article's rows: per table, one column per name of TABLES except ``article_id`` (the key).
# Integer columns are machine integers (array "q"): on a large corpus a Python int per token
# offset would cost more memory than the text itself.
_Rows = dict[str, dict[str, Any]]
_INT_COLUMNS = frozenset({"paragraph", "sentence", "start", "end"})
# An article as the annotation step needs it: (article_id, paragraph texts, publication date).
_Item = tuple[str, list[str], date]


def _new_rows() -> _Rows:
    return {name: {col: array("q") if col in _INT_COLUMNS else [] for col in TABLES[name][1:]}
            for name in _PER_ARTICLE}


def _add(table: dict[str, Any], paragraph: int, *columns: Sequence[Any]) -> None:
    """Append rows of one paragraph to *table*, given as columns after ``paragraph``."""
    n = len(columns[0])
    if not n:
        return
    targets = iter(table.values())
    next(targets).extend(repeat(paragraph, n))
    for target, values in zip(targets, columns):
        target.extend(values)


def _add_rows(table: dict[str, Any], paragraph: int, rows: list[tuple]) -> None:
    if rows:
        _add(table, paragraph, *zip(*rows))


def _check_lengths(nlp: Language, items: Sequence[_Item], paths: dict[str, str]) -> None:
    """Refuse a paragraph longer than the pipeline accepts before any work starts.

    spaCy's own error (E088) names neither the article nor the paragraph, and suggests raising
    ``nlp.max_length``, which a user of ``kit annotate`` cannot do.
    """
    limit = nlp.max_length
    for article_id, texts, _ in items:
        for i, text in enumerate(texts):
            if len(text) > limit:
                raise ValueError(
                    f"{paths.get(article_id, article_id)}: article {article_id!r}, paragraph "
                    f"{i} has {len(text):,} characters, more than the spaCy pipeline accepts "
                    f"in one piece ({limit:,}, nlp.max_length). Split it into shorter "
                    f"paragraphs with blank lines in the article file."
                )


def _annotate_articles(
    nlp: Language,
    items: Sequence[_Item],
    lookup: _Lookup,
    *,
    n_process: int,
    batch_size: int,
    progress: bool,
) -> Generator[tuple[str, _Rows], None, None]:
    """Yield ``(article_id, rows)`` for each article, in order."""
    if not items:
        return
    bar = _progress_bar(len(items)) if progress else None
    results = (_annotate_stream(nlp, items, lookup, batch_size=batch_size) if n_process == 1
               else _annotate_in_processes(nlp, items, lookup, n_process=n_process,
                                           batch_size=batch_size))
    try:
        for result in results:
            yield result
            if bar is not None:
                bar.update(1)
    finally:
        results.close()  # stops worker processes now, not when garbage collected
        if bar is not None:
            bar.close()


def _annotate_stream(nlp: Language, items: Sequence[_Item], lookup: _Lookup, *,
                     batch_size: int) -> Generator[tuple[str, _Rows], None, None]:
    """Annotate *items* in this process; yield ``(article_id, rows)`` in order."""
    strings: dict[int, str] = {}  # token strings by hash, shared: one object per word
    stream = ((text, (k, i)) for k, (_, texts, _) in enumerate(items)
              for i, text in enumerate(texts))
    docs = nlp.pipe(stream, as_tuples=True, batch_size=batch_size)
    done = 0
    rows = _new_rows()
    for doc, (k, paragraph) in docs:
        # Articles without paragraphs never reach nlp.pipe: yield them in their place.
        while done < k:
            yield items[done][0], _link_people(rows)
            done, rows = done + 1, _new_rows()
        _, texts, published = items[k]
        _flatten(doc, texts[paragraph], paragraph, published, lookup, strings, rows)
    while done < len(items):
        yield items[done][0], _link_people(rows)
        done, rows = done + 1, _new_rows()


def _annotate_in_processes(nlp: Language, items: Sequence[_Item], lookup: _Lookup, *,
                           n_process: int,
                           batch_size: int) -> Generator[tuple[str, _Rows], None, None]:
    """Annotate *items* in *n_process* worker processes; yield ``(article_id, rows)`` in order.

    Each worker runs the pipeline *and* flattens its docs to rows: handing spaCy's
    ``n_process`` the pipeline alone would serialise every ``Doc`` back to this process and
    leave the flattening (dates, links, tokens) to one core.
    """
    chunks = _chunks(items, paragraphs=4 * batch_size, parts=4 * n_process)
    context = multiprocessing.get_context()
    with context.Pool(min(n_process, len(chunks)), initializer=_init_worker,
                      initargs=(nlp, lookup, batch_size)) as pool:
        for chunk in pool.imap(_annotate_chunk, chunks):
            yield from chunk


def _chunks(items: Sequence[_Item], *, paragraphs: int, parts: int) -> list[list[_Item]]:
    """Consecutive groups of whole articles of about *paragraphs* paragraphs, fewer if that
    leaves less than *parts* groups (so that every worker gets some)."""
    total = sum(len(texts) for _, texts, _ in items)
    size = max(1, min(paragraphs, total // parts))
    chunks: list[list[_Item]] = [[]]
    count = 0
    for item in items:
        if count >= size:
            chunks.append([])
            count = 0
        chunks[-1].append(item)
        count += len(item[1])
    return chunks


# The pipeline of a worker process of _annotate_in_processes, set once by _init_worker.
_WORKER: dict[str, Any] = {}


def _init_worker(nlp: Language, lookup: _Lookup, batch_size: int) -> None:
    _WORKER.update(nlp=nlp, lookup=lookup, batch_size=batch_size)


def _annotate_chunk(items: list[_Item]) -> list[tuple[str, _Rows]]:
    return list(_annotate_stream(_WORKER["nlp"], items, _WORKER["lookup"],
                                 batch_size=_WORKER["batch_size"]))


def _flatten(doc: Doc, text: str, paragraph: int, published: date, lookup: _Lookup,
             strings: dict[int, str], rows: _Rows) -> None:
    """Append one paragraph's rows to *rows*. *text* is the paragraph (``doc.text`` would
    rebuild it token by token)."""
    # Token attributes as one array: creating a Token or sentence Span object per item cost
    # more than the whole codebook-only pipeline.
    attrs = doc.to_array([SENT_START, IDX, LENGTH, IS_ALPHA, IS_STOP, LOWER, LEMMA, ORTH])
    if not len(attrs):
        return
    first = np.flatnonzero(attrs[:, 0] == 1)
    if not len(first) or first[0] != 0:
        first = np.concatenate([[0], first])
    last = np.append(first[1:], len(attrs)) - 1
    sentence_starts = attrs[first, 1]
    starts = sentence_starts.tolist()
    ends = (attrs[last, 1] + attrs[last, 2]).tolist()
    _add(rows["sentences"], paragraph, range(len(starts)), starts, ends,
         [text[s:e] for s, e in zip(starts, ends)])

    def sentence_of(char: int) -> int:
        return max(0, bisect_right(starts, char) - 1)

    topic_spans = _longest_per_label(doc.spans.get(TOPICS_KEY, []))
    # A model entity covering exactly a codebook topic term ("AI", "CCTV") is a topic, not an actor.
    topic_offsets = {(s.start_char, s.end_char) for s in topic_spans}
    found = []
    for ent in doc.ents:
        start, end = ent.start_char, ent.end_char
        if not ent.ent_id_ and (start, end) in topic_offsets:
            continue
        linked = lookup.entity(ent.ent_id_, ent.label_, text[start:end])
        if linked is not None:
            found.append((sentence_of(start), start, end, text[start:end], ent.label_, *linked))
    _add_rows(rows["mentions"], paragraph, found)
    found = []
    for span in topic_spans:
        topic = lookup.topics.get(span.label_)
        if topic is not None:
            start, end = span.start_char, span.end_char
            found.append((sentence_of(start), start, end, text[start:end], span.label_, *topic))
    _add_rows(rows["topics"], paragraph, found)
    found = []
    for span in doc.spans.get(CUES_KEY, []):
        start, end = span.start_char, span.end_char
        found.append((sentence_of(start), start, end, text[start:end], span.label_))
    _add_rows(rows["cues"], paragraph, found)
    _add_rows(rows["dates"], paragraph, [
        (sentence_of(d.start), d.start, d.end, d.text, d.start_date, d.end_date, d.precision)
        for d in find_dates(text, published)])

    keep = attrs[(attrs[:, 3] == 1) & (attrs[:, 4] == 0) & (attrs[:, 2] > 1)]
    if not len(keep):
        return
    token_starts = keep[:, 1].tolist()
    token_ends = (keep[:, 1] + keep[:, 2]).tolist()
    sentence_ids = np.maximum(np.searchsorted(sentence_starts, keep[:, 1], side="right") - 1, 0)
    known, store = strings.get, doc.vocab.strings

    def string(key: int) -> str:
        value = strings[key] = store[key]
        return value

    # Token strings from the vocabulary, one object per distinct word: slicing the text would
    # make a new string per token, the larger part of the memory of a large corpus.
    words = [known(key) or string(key) for key in keep[:, 7].tolist()]
    lowers = [known(key) or string(key) for key in keep[:, 5].tolist()]
    lemma_keys = keep[:, 6]
    # Without a lemmatizer every lemma is 0 and the lower-case form stands in.
    lemmas = lowers if not lemma_keys.any() else [
        (known(key) or string(key)).lower() if key else lower
        for key, lower in zip(lemma_keys.tolist(), lowers)]
    _add(rows["tokens"], paragraph, sentence_ids.tolist(), token_starts, token_ends, words,
         lowers, lemmas)


def _longest_per_label(spans: Iterable[Span]) -> list[Span]:
    """Drop spans that overlap a longer span with the same label, so that "diplomatic
    relations" and "relations between" count one mention of a topic, not two. Spans of
    different labels may overlap ("AI" inside "AI-equipped CCTV").

    Longest first (then leftmost), a span is kept unless it overlaps one kept before; the kept
    spans of a label never overlap, so only the two kept neighbours of a span's start can.
    """
    kept: dict[int, list[Span]] = {}
    starts: dict[int, list[int]] = {}
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        label_kept = kept.setdefault(span.label, [])
        label_starts = starts.setdefault(span.label, [])
        i = bisect_right(label_starts, span.start)
        if i and label_kept[i - 1].end > span.start:
            continue
        if i < len(label_kept) and label_kept[i].start < span.end:
            continue
        label_kept.insert(i, span)
        label_starts.insert(i, span.start)
    return sorted((s for group in kept.values() for s in group),
                  key=lambda s: (s.start, s.end, s.label_))


def _link_people(rows: _Rows) -> _Rows:
    """Resolve a later short mention of a person ("Jirabhop") to the full name used earlier.

    Codebook aliases already cover curated people; this links people the statistical model
    found, and short forms the codebook lacks, within one article.
    """
    m = rows["mentions"]
    # Name words of multi-word people -> (actor_id, actor, country) of their first mention.
    known: dict[frozenset[str], tuple] = {}
    for i, (text, label) in enumerate(zip(m["text"], m["label"])):
        if label != "PERSON":
            continue
        words = frozenset(text.replace("’s", "").replace("'s", "").split())
        if m["origin"][i] == "model":
            earlier = next((link for w, link in known.items() if words < w), None)
            if earlier is not None:
                m["actor_id"][i], m["actor"][i], m["country"][i] = earlier
        if len(words) > 1 and words not in known:
            known[words] = (m["actor_id"][i], m["actor"][i], m["country"][i])
    return rows


@dataclass(frozen=True)
class _Lookup:
    """What the codebook says of a pattern id or an entity text, compiled once per codebook."""

    actors: dict[str, tuple[str, str | None]]   # actor id -> (name, country)
    places: dict[str, tuple[str, str]]          # name/demonym/city text -> (kind, ISO3)
    topics: dict[str, tuple[str, str]]          # topic id -> (label, category label)

    @classmethod
    def of(cls, cb: Codebook) -> _Lookup:
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
            if kind == "region":  # a place that is no country: Latin America, the Mekong
                return None, None, None, "codebook", "region"
        if label not in _MODEL_LABELS:
            return None
        place = self.places.get(text.removeprefix("the ").strip())
        if place is not None:
            return None, None, place[1], "model", place[0]
        actor = text if label in {"PERSON", "ORG", "EVENT", "FAC"} else None
        return None, actor, None, "model", "model"


# --------------------------------------------------------------------------- tables


class _TableBuilder:
    """Collects articles' rows, in order, into the per-article tables.

    Rows are turned into Arrow columns every few thousand articles, so that a large corpus never
    holds a Python object per token for all of its articles at once; the tables come out with
    the column types a DataFrame built from the rows would have (see :func:`_restore_types`).
    """

    def __init__(self, *, rows_per_chunk: int = 500_000) -> None:
        self.rows_per_chunk = rows_per_chunk
        self.chunks: dict[str, list[Any]] = {name: [] for name in _PER_ARTICLE}
        #: Per chunk: its article ids and, per table, its rows' (start, stop) in the tables.
        self.spans: list[tuple[list[str], dict[str, tuple[int, int]]]] = []
        self.ids: list[str] = []
        self.parts: list[_Rows] = []
        self.rows = 0
        self.total = dict.fromkeys(_PER_ARTICLE, 0)

    def add(self, article_id: str, rows: _Rows) -> None:
        self.ids.append(article_id)
        self.parts.append(rows)
        self.rows += len(rows["tokens"]["paragraph"])
        if self.rows >= self.rows_per_chunk:
            self._flush()

    def frames(self) -> dict[str, pd.DataFrame]:
        import pyarrow as pa

        self._flush()
        tables = {}
        for name in _PER_ARTICLE:
            chunks, self.chunks[name] = self.chunks[name], []
            schema = _arrow_schema(name)
            table = pa.concat_tables(chunks) if chunks else schema.empty_table()
            tables[name] = _restore_types(table.to_pandas(), name)
        return tables

    def _flush(self) -> None:
        if not self.parts:
            return
        import pyarrow as pa

        span = {}
        for name in _PER_ARTICLE:
            schema = _arrow_schema(name)
            columns = [part[name] for part in self.parts]
            counts = [len(c["paragraph"]) for c in columns]
            span[name] = (self.total[name], self.total[name] + sum(counts))
            self.total[name] += sum(counts)
            arrays = [pa.array(chain.from_iterable(map(repeat, self.ids, counts)),
                               type=pa.large_string(), size=sum(counts))]
            for col in TABLES[name][1:]:
                kind = schema.field(col).type
                if col in _INT_COLUMNS:
                    values = np.concatenate([np.frombuffer(c[col], dtype=np.int64)
                                             for c in columns])
                    arrays.append(pa.array(values, type=kind))
                elif col in _DATETIME_UNITS:
                    days = pa.array(list(chain.from_iterable(c[col] for c in columns)),
                                    type=pa.date32())
                    arrays.append(days.cast(kind))
                else:
                    arrays.append(pa.array(list(chain.from_iterable(c[col] for c in columns)),
                                           type=kind))
            self.chunks[name].append(pa.Table.from_arrays(arrays, schema=schema))
        self.spans.append((self.ids, span))
        self.ids, self.parts, self.rows = [], [], 0


def _assign_threads(paragraphs: pd.DataFrame, tables: dict[str, pd.DataFrame],
                    spans: Sequence[tuple[list[str], dict[str, tuple[int, int]]]], *,
                    focus: str) -> pd.DataFrame:
    """:func:`kit.threads.assign_threads`, one chunk of articles at a time.

    Threads are assigned within an article, so chunks give the same rows; the rule's indexes
    of sentences and mentions then take one chunk's memory, not the corpus's.
    """
    if len(spans) <= 1:
        return assign_threads(paragraphs, tables["sentences"], tables["mentions"],
                              tables["cues"], focus=focus)
    article_ids = paragraphs["article_id"].astype(str)
    found = []
    for ids, span in spans:
        part = {name: tables[name].iloc[start:stop] for name, (start, stop) in span.items()}
        found.append(assign_threads(paragraphs[article_ids.isin(set(ids))], part["sentences"],
                                    part["mentions"], part["cues"], focus=focus))
    non_empty = [frame for frame in found if len(frame)] or found[:1]
    # One call orders its rows by article id and paragraph; so do the chunks, put together.
    return (pd.concat(non_empty, ignore_index=True)
            .sort_values(["article_id", "paragraph"], kind="stable").reset_index(drop=True))


@contextmanager
def _gc_paused() -> Generator[None, None, None]:
    """Pause the cyclic garbage collector while many acyclic objects (rows, lists, index
    dicts) are built: each of its full passes scans every live object, so on a large corpus
    (or in a long notebook session) they took longer than the work itself. Not used around
    spaCy, whose objects may hold cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _paragraph_table(paragraphs: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    # Columns as Python lists, one pass: iterating pandas' Arrow-backed columns value by value
    # took most of a cached rerun.
    threads: dict[tuple[str, int], list[str]] = {}
    partners: dict[tuple[str, int], dict[str, None]] = {}
    evidence: dict[tuple[str, int], list[str]] = {}
    for key, thread, participants, sentence in zip(
        zip(assignments["article_id"].tolist(), assignments["paragraph"].tolist()),
        assignments["thread"].tolist(), assignments["participants"].tolist(),
        assignments["evidence"].tolist(),
    ):
        threads.setdefault(key, []).append(thread)
        partners.setdefault(key, {}).update(dict.fromkeys(participants))
        evidence.setdefault(key, []).append(sentence)
    out = paragraphs[["article_id", "paragraph", "story", "text"]].copy().reset_index(drop=True)
    keys = list(zip(out["article_id"].tolist(), out["paragraph"].astype(int).tolist()))
    out["threads"] = [list(threads.get(k, ())) for k in keys]
    out["participants"] = [list(partners.get(k, ())) for k in keys]
    out["evidence"] = [list(evidence.get(k, ())) for k in keys]
    return out


# --------------------------------------------------------------------------- cache


class _Cache:
    """The annotation cache: one pickle of its rows per article, and the finished tables of the
    last few corpora (one Arrow file per table), all written atomically."""

    def __init__(self, folder: Path | None, *, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.discarded = 0

    def key(self, published: date, paragraphs: Sequence[str]) -> str:
        payload = json.dumps([self.salt, published.isoformat(), list(paragraphs)])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def corpus_key(self, focus: str, keys: Sequence[tuple[str, str]]) -> str:
        """Key of a corpus's tables: its articles' ids and keys, in order, and the focus."""
        payload = json.dumps([self.salt, focus, keys])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.pkl"

    def has(self, key: str | None) -> bool:
        return key is not None and self.folder is not None and self._path(key).exists()

    def get(self, key: str) -> _Rows | None:
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

    def put(self, key: str | None, value: _Rows) -> None:
        if self.folder is None or key is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def get_tables(self, key: str) -> dict[str, pd.DataFrame] | None:
        if self.folder is None:
            return None
        entry = self.folder / "corpus" / key
        if not entry.is_dir():
            return None
        import pyarrow as pa

        try:
            tables = {}
            for name in (*_PER_ARTICLE, "assignments"):
                with pa.memory_map(str(entry / f"{name}.arrow")) as source:
                    table = pa.ipc.open_file(source).read_all().to_pandas()
                for col in _LIST_COLUMNS.get(name, ()):
                    table[col] = _lists(table[col])
                tables[name] = _restore_types(table[TABLES[name]], name)
        except Exception:  # noqa: BLE001 - an unreadable entry is rebuilt, never fatal
            self.discarded += 1
            shutil.rmtree(entry, ignore_errors=True)
            return None
        os.utime(entry)  # most recently used: kept longest
        return tables

    def put_tables(self, key: str, tables: dict[str, pd.DataFrame]) -> None:
        if self.folder is None:
            return
        home = self.folder / "corpus"
        home.mkdir(parents=True, exist_ok=True)
        # Written in a folder of its own, renamed into place when complete: a reader sees a
        # whole entry or none.
        tmp = Path(tempfile.mkdtemp(dir=home, prefix=f".{key}.", suffix=".tmp"))
        try:
            for name, table in tables.items():
                atomic_write(tmp / f"{name}.arrow", _arrow_file_bytes(name, table))
            os.rename(tmp, home / key)
        except OSError:
            # Another process wrote the same entry first (or the disk is full): the cache is
            # an optimisation, never a reason to fail.
            pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        entries = sorted((p for p in home.iterdir() if not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_CORPUS_ENTRIES:]:
            shutil.rmtree(old, ignore_errors=True)

    def report(self) -> None:
        if self.discarded:
            warnings.warn(
                f"kit: discarded {self.discarded} unreadable annotation cache "
                f"entr{'y' if self.discarded == 1 else 'ies'} in {self.folder}; "
                "they were annotated again.",
                RuntimeWarning,
                stacklevel=3,
            )
            self.discarded = 0


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Hash of the kit's modules that shape the tables: a cache entry written by other code is
    never read (not only on a version change)."""
    digest = hashlib.sha256(kit.__version__.encode())
    for module in ("annotate", "corpus", "codebook", "pipeline", "dates", "threads"):
        try:
            digest.update(Path(__file__).with_name(f"{module}.py").read_bytes())
        except OSError:  # installed without sources: the version alone
            pass
    return digest.hexdigest()[:16]


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


def _pipeline(model: str | Path | None, cb: Codebook, *, quiet: bool = False) -> Language:
    """Load a pipeline once per (model, codebook) in a process: notebooks rerun cells often, and
    a Dask worker annotates many partitions."""
    key = (str(model if model is not None else os.environ.get("KIT_SPACY_MODEL", "")),
           cb.fingerprint)
    if key not in _PIPELINES:
        _PIPELINES[key] = load_pipeline(model, codebook=cb, quiet=quiet)
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
