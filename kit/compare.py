"""Compare cooperation threads: :class:`~kit.annotate.Annotations` in, tidy DataFrames out.

Every function works for any set of threads and states the grain and columns of what it
returns. A row belongs to a thread through its paragraph: the thread of a sentence, mention,
topic match, date or token is every thread of its paragraph (``assignments``), so a paragraph in
two threads counts for both. Tables are ordered by thread (most paragraphs first, ties by id, as
:attr:`Annotations.threads`), then as each docstring says; topics follow the codebook's order.

All computations are vectorised pandas (joins and group-bys on the annotation tables), so they
stay fast on tens of thousands of articles. :func:`evidence` returns the sentences behind any
number these tables report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

from kit.annotate import Annotations
from kit.codebook import Codebook

__all__ = [
    "DEFAULT_PRIOR",
    "Feature",
    "Unit",
    "Window",
    "actor_table",
    "co_mention_graph",
    "co_mentions",
    "distinctive_terms",
    "evidence",
    "filter_annotations",
    "summary",
    "timeline",
    "topic_profile",
]

Unit = Literal["paragraph", "sentence", "article"]
Window = Literal["sentence", "paragraph", "article"]
Feature = Literal["lemma", "entity", "topic"]

#: Default prior size alpha0 of :func:`distinctive_terms`: 500 pseudo-counts spread over the
#: vocabulary in proportion to its corpus frequency.
DEFAULT_PRIOR = 500.0

_KEYS: dict[str, list[str]] = {
    "article": ["article_id"],
    "paragraph": ["article_id", "paragraph"],
    "sentence": ["article_id", "paragraph", "sentence"],
}
_PARA = _KEYS["paragraph"]
_SENT = _KEYS["sentence"]
_TOP_TOPICS = 3


# --------------------------------------------------------------------------- helpers


def _check_choice(name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported: use one of "
                         + ", ".join(repr(a) for a in allowed))


def _check_thread(ann: Annotations, thread: str, *, name: str = "thread") -> None:
    if thread not in set(ann.assignments["thread"].unique()):
        known = ", ".join(ann.threads) or "none: no paragraph was assigned to a thread"
        raise ValueError(f"{name}={thread!r} is not a thread of these annotations "
                         f"(threads found: {known})")


def _thread_paragraphs(ann: Annotations) -> pd.DataFrame:
    """DataFrame, one row per (paragraph, thread). Columns: ``article_id, paragraph, thread``."""
    tp = ann.assignments[["article_id", "paragraph", "thread"]].drop_duplicates()
    return tp.astype({"article_id": str, "paragraph": "int64", "thread": str})


def _with_threads(table: pd.DataFrame, ann: Annotations,
                  tp: pd.DataFrame | None = None) -> pd.DataFrame:
    """Join *table* to its paragraphs' threads: a row per (row, thread); unthreaded rows drop."""
    tp = _thread_paragraphs(ann) if tp is None else tp
    keyed = table.astype({"article_id": str, "paragraph": "int64"})
    return keyed.merge(tp, on=_PARA, how="inner")


def _thread_rank(ann: Annotations) -> dict[str, int]:
    return {t: i for i, t in enumerate(ann.threads)}


def _thread_label(codebook: Codebook, thread: str) -> str:
    try:
        return codebook.thread_label(thread)
    except ValueError:  # a country missing from a user's codebook: show the id, don't fail
        return thread


def _country_name(codebook: Codebook, iso3: object) -> str | None:
    if not isinstance(iso3, str) or not iso3:
        return None
    country = codebook.countries.get(iso3)
    return country.name if country is not None else iso3


def _sentence_text(ann: Annotations, rows: pd.DataFrame) -> pd.Series:
    """Text of the sentence of each row of *rows* (columns ``article_id, paragraph, sentence``)."""
    sents = ann.sentences[[*_SENT, "text"]].astype({"article_id": str, "paragraph": "int64",
                                                    "sentence": "int64"})
    keyed = rows[_SENT].astype({"article_id": str, "paragraph": "int64", "sentence": "int64"})
    return keyed.merge(sents, on=_SENT, how="left")["text"].set_axis(rows.index)


def _first_example(ann: Annotations, rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The sentence of the first row (in table order: corpus order) of each group *by*.

    Returns a DataFrame with the columns *by* + ``example``.
    """
    # The tables are in corpus order (and joins keep the left order), so the first row of a
    # group is its first sentence: no sort of the big table needed.
    first = rows.drop_duplicates(by)[[*by, *_SENT]]
    first["example"] = _sentence_text(ann, first).fillna("")
    return first[[*by, "example"]]


def _topic_meta(codebook: Codebook, topics: pd.DataFrame) -> pd.DataFrame:
    """DataFrame, one row per topic id seen in *topics* or the codebook.

    Columns: ``topic_id, topic, category_id, category, order`` (``order``: by category, then
    topic, both in codebook order).
    """
    # Topics grouped by category (in the codebook's category order), then in codebook order.
    cat_rank = {c: i for i, c in enumerate(codebook.categories)}
    ordered = sorted(enumerate(codebook.topics.values()),
                     key=lambda it: (cat_rank.get(it[1].category, len(cat_rank)), it[0]))
    rows = [(t.id, t.label, t.category,
             codebook.categories[t.category].label if t.category in codebook.categories
             else t.category, i)
            for i, (_, t) in enumerate(ordered)]
    meta = pd.DataFrame(rows, columns=["topic_id", "topic", "category_id", "category", "order"])
    unknown = topics.loc[~topics["topic_id"].isin(meta["topic_id"]),
                         ["topic_id", "topic", "category"]].drop_duplicates("topic_id")
    if len(unknown):
        # Tables annotated with another codebook: keep their labels, after the known topics.
        extra = unknown.assign(category_id=unknown["category"],
                               order=len(meta) + np.arange(len(unknown)))
        meta = pd.concat([meta, extra[meta.columns]], ignore_index=True)
    return meta


def _mention_types(ann: Annotations, mentions: pd.DataFrame) -> pd.Series:
    """Actor type of each mention: the codebook type where linked, else the entity label."""
    types = {a.id: a.type for a in ann.codebook.actors.values()}
    linked = mentions["actor_id"].map(types)
    return linked.fillna(mentions["label"]).astype(object)


def _actor_key(mentions: pd.DataFrame) -> pd.Series:
    """One key per actor: the codebook id, else the entity text's canonical name."""
    return mentions["actor_id"].fillna("~" + mentions["actor"].astype(str))


def _by_thread(threads: list[str], values: pd.Series) -> np.ndarray:
    """*values* (indexed by thread) in the order of *threads*; missing threads give NA."""
    return values.reindex(threads).to_numpy()


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _tag(frame: pd.DataFrame, ann: Annotations) -> pd.DataFrame:
    """Record every thread of *ann* and its label in ``frame.attrs["kit"]``.

    :mod:`kit.charts` reads it, so a chart of a table about two threads still gives each
    thread the colour it has in a chart of all of them, and shows codebook labels.
    """
    threads = sorted(str(t) for t in ann.assignments["thread"].unique())
    frame.attrs["kit"] = {"threads": threads,
                          "labels": {t: _thread_label(ann.codebook, t) for t in threads}}
    return frame


# --------------------------------------------------------------------------- summary


_SUMMARY_COLUMNS = ["thread", "label", "partners", "articles", "paragraphs", "sentences",
                    "actors", "countries", "top_topics", "first_date", "last_date",
                    "event_start", "event_end"]


def summary(ann: Annotations) -> pd.DataFrame:
    """Summarise every thread.

    Args:
        ann: The annotations.

    Returns:
        DataFrame, one row per thread (most paragraphs first). Columns: ``thread`` (id),
        ``label`` (codebook label, "Thailand–Japan"), ``partners`` (list of ISO3 partner
        countries), ``articles``, ``paragraphs``, ``sentences`` (counts of units in the thread),
        ``actors`` (distinct actors mentioned), ``countries`` (distinct countries mentioned in
        any way, incidental ones included), ``top_topics`` (list of up to three topic labels,
        most paragraphs first), ``first_date``, ``last_date`` (publication dates of its first
        and last article), ``event_start``, ``event_end`` (earliest start and latest end of the
        date expressions in its paragraphs; NaT when there are none).
    """
    threads = ann.threads
    if not threads:
        return _tag(_empty(_SUMMARY_COLUMNS), ann)
    tp = _thread_paragraphs(ann)
    out = pd.DataFrame({"thread": threads})
    out["label"] = [_thread_label(ann.codebook, t) for t in threads]
    partners = (ann.assignments.explode("participants").dropna(subset=["participants"])
                .groupby("thread")["participants"].agg(lambda s: sorted(set(s))))
    out["partners"] = [partners.get(t, []) for t in threads]
    by = tp.groupby("thread")
    out["articles"] = _by_thread(threads, by["article_id"].nunique())
    out["paragraphs"] = _by_thread(threads, by.size())
    sentences = _with_threads(ann.sentences[_SENT], ann, tp).groupby("thread").size()
    out["sentences"] = _by_thread(threads, sentences)
    mentions = _with_threads(ann.mentions, ann, tp)
    actors = mentions[mentions["actor"].notna()]
    out["actors"] = _by_thread(
        threads, actors.assign(key=_actor_key(actors)).groupby("thread")["key"].nunique())
    out["countries"] = _by_thread(
        threads, mentions.dropna(subset=["country"]).groupby("thread")["country"].nunique())
    profile = topic_profile(ann, unit="paragraph")
    top = (profile[profile["count"] > 0]
           .sort_values(["count"], ascending=False, kind="stable")
           .groupby("thread", sort=False)["topic"].agg(lambda s: list(s)[:_TOP_TOPICS]))
    out["top_topics"] = [top.get(t, []) for t in threads]
    dated = tp.merge(ann.articles[["article_id", "date"]].astype({"article_id": str}),
                     on="article_id").groupby("thread")["date"]
    out["first_date"] = _by_thread(threads, dated.min())
    out["last_date"] = _by_thread(threads, dated.max())
    events = _with_threads(ann.dates, ann, tp).groupby("thread")
    out["event_start"] = _by_thread(threads, events["start_date"].min())
    out["event_end"] = _by_thread(threads, events["end_date"].max())
    for col in ("articles", "paragraphs", "sentences", "actors", "countries"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("first_date", "last_date", "event_start", "event_end"):
        out[col] = pd.to_datetime(out[col])
    return _tag(out[_SUMMARY_COLUMNS], ann)


# --------------------------------------------------------------------------- topics


_PROFILE_COLUMNS = ["thread", "category_id", "category", "topic_id", "topic", "unit", "count",
                    "units", "share", "example"]


def _units_per_thread(ann: Annotations, unit: str, tp: pd.DataFrame) -> pd.Series:
    if unit == "paragraph":
        return tp.groupby("thread").size()
    if unit == "article":
        return tp.groupby("thread")["article_id"].nunique()
    return _with_threads(ann.sentences[_SENT], ann, tp).groupby("thread").size()


def topic_profile(ann: Annotations, *, unit: Unit = "paragraph") -> pd.DataFrame:
    """Count, per thread, the units that mention each topic.

    Args:
        ann: The annotations.
        unit: What is counted: ``"paragraph"``, ``"sentence"`` or ``"article"``. An article
            counts for a thread's topic when one of its paragraphs *in that thread* mentions it.

    Returns:
        DataFrame, one row per (thread, topic) for every thread and every topic found anywhere
        in the corpus (zero counts included, so absent topics show as 0). Columns: ``thread,
        category_id, category, topic_id, topic`` (labels from the codebook), ``unit``,
        ``count`` (units of the thread mentioning the topic), ``units`` (units in the thread),
        ``share`` (count / units), ``example`` (the first sentence of the thread with the topic,
        "" when the count is 0). Ordered by thread, then by the codebook's topic order.
    """
    _check_choice("unit", unit, _KEYS)
    threads = ann.threads
    if not threads or ann.topics.empty:
        return _tag(_empty(_PROFILE_COLUMNS), ann)
    tp = _thread_paragraphs(ann)
    keys = _KEYS[unit]
    hits = _with_threads(ann.topics, ann, tp)
    counts = hits.drop_duplicates([*keys, "thread", "topic_id"]).groupby(
        ["thread", "topic_id"]).size().rename("count")
    meta = _topic_meta(ann.codebook, ann.topics)
    meta = meta[meta["topic_id"].isin(set(ann.topics["topic_id"].unique()))]
    grid = pd.MultiIndex.from_product([threads, meta["topic_id"]], names=["thread", "topic_id"])
    out = counts.reindex(grid, fill_value=0).reset_index()
    out = out.merge(meta, on="topic_id", how="left")
    out["unit"] = unit
    out["units"] = out["thread"].map(_units_per_thread(ann, unit, tp)).fillna(0).astype("int64")
    out["count"] = out["count"].astype("int64")
    out["share"] = np.where(out["units"] > 0, out["count"] / out["units"].clip(lower=1), 0.0)
    out = out.merge(_first_example(ann, hits, ["thread", "topic_id"]),
                    on=["thread", "topic_id"], how="left")
    out["example"] = out["example"].fillna("")
    rank = _thread_rank(ann)
    out = out.assign(_t=out["thread"].map(rank)).sort_values(["_t", "order"], kind="stable")
    return _tag(out[_PROFILE_COLUMNS].reset_index(drop=True), ann)


# --------------------------------------------------------------------------- actors


_ACTOR_COLUMNS = ["thread", "actor_id", "actor", "type", "country", "country_name", "role",
                  "mentions", "paragraphs", "example"]


def actor_table(ann: Annotations) -> pd.DataFrame:
    """List the actors of every thread.

    Actors are the entity mentions with an ``actor`` value: codebook actors (linked by id) and,
    with a statistical pipeline, people and organisations the model found.

    Args:
        ann: The annotations.

    Returns:
        DataFrame, one row per (thread, actor). Columns: ``thread``, ``actor_id`` (codebook
        id, None for a model-found actor), ``actor`` (canonical name), ``type`` (codebook type
        PERSON/ORG/EVENT where linked, else the entity label), ``country`` (ISO3 or None),
        ``country_name``, ``role`` (codebook role or None), ``mentions`` (mentions in the
        thread's paragraphs), ``paragraphs`` (paragraphs of the thread mentioning it),
        ``example`` (the first sentence mentioning it). Ordered by thread, then most mentions
        first, then name.
    """
    mentions = ann.mentions[ann.mentions["actor"].notna()]
    if mentions.empty or not ann.threads:
        return _tag(_empty(_ACTOR_COLUMNS), ann)
    m = _with_threads(mentions, ann)
    m = m.assign(key=_actor_key(m), type=_mention_types(ann, m))
    by = m.groupby(["thread", "key"], sort=False)
    out = by.agg(actor_id=("actor_id", "first"), actor=("actor", "first"),
                 type=("type", "first"), country=("country", "first"),
                 mentions=("actor", "size")).reset_index()
    paragraphs = m.drop_duplicates(["thread", "key", *_PARA]).groupby(["thread", "key"]).size()
    out["paragraphs"] = pd.MultiIndex.from_frame(out[["thread", "key"]]).map(
        paragraphs.to_dict()).astype("int64")
    cb = ann.codebook
    linked = out["actor_id"].map(lambda i: cb.actors.get(i) if isinstance(i, str) else None)
    out["actor"] = [a.name if a is not None else n for a, n in zip(linked, out["actor"])]
    out["country"] = [a.country if a is not None else c for a, c in zip(linked, out["country"])]
    out["role"] = [a.role if a is not None else None for a in linked]
    out["country_name"] = [_country_name(cb, c) for c in out["country"]]
    out = out.merge(_first_example(ann, m, ["thread", "key"]), on=["thread", "key"], how="left")
    out["_t"] = out["thread"].map(_thread_rank(ann))
    out = out.sort_values(["_t", "mentions", "actor"], ascending=[True, False, True],
                          kind="stable")
    out["mentions"] = out["mentions"].astype("int64")
    for col in ("actor_id", "country", "country_name", "role"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return _tag(out[_ACTOR_COLUMNS].reset_index(drop=True), ann)


# --------------------------------------------------------------------------- distinctive terms


def _features(ann: Annotations, feature: str) -> pd.DataFrame:
    """DataFrame, one row per feature occurrence. Columns: ``article_id, paragraph, sentence,
    term, text`` (``text``: the words in the sentence)."""
    _check_choice("feature", feature, ("lemma", "entity", "topic"))
    if feature == "lemma":
        table = ann.tokens
        terms = table["lemma"].fillna(table["lower"]).astype(str)
    elif feature == "topic":
        table = ann.topics
        terms = table["topic"].astype(str)
    else:
        table = ann.mentions
        names = table["country"].map({c.id: c.name for c in ann.codebook.countries.values()})
        place = table["kind"].isin(["country", "demonym"])
        # Actors by canonical name; countries and nationalities by country name ("Thai" ->
        # Thailand); cities and unlinked entities by their text.
        terms = (table["actor"].where(table["actor"].notna(),
                                      names.where(place, table["text"]))
                 .fillna(table["text"]).astype(str))
    out = table[_SENT].astype({"article_id": str, "paragraph": "int64", "sentence": "int64"})
    out["term"] = terms.to_numpy()
    out["text"] = table["text"].astype(str).to_numpy()
    return out


_TERM_COLUMNS = ["thread_a", "thread_b", "feature", "term", "count_a", "count_b", "corpus_count",
                 "alpha", "delta", "sigma", "z", "favours", "insufficient", "example"]


def distinctive_terms(
    ann: Annotations,
    a: str,
    b: str,
    *,
    feature: Feature = "lemma",
    prior: float | None = DEFAULT_PRIOR,
    min_count: int = 3,
    z_threshold: float = 1.96,
) -> pd.DataFrame:
    """Find the terms that distinguish thread *a* from thread *b*, with the evidence behind them.

    The statistic is the log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
    Quinn 2008, "Fightin' Words", eq. 16-22). With ``y_wa`` the count of term w in thread a,
    ``n_a`` all terms of a, ``alpha_w`` the prior count of w and ``alpha0`` their sum::

        delta_w = log((y_wa + alpha_w) / (n_a + alpha0 - y_wa - alpha_w))
                - log((y_wb + alpha_w) / (n_b + alpha0 - y_wb - alpha_w))
        sigma2_w ~= 1 / (y_wa + alpha_w) + 1 / (y_wb + alpha_w)
        z_w = delta_w / sqrt(sigma2_w)

    The prior is the whole corpus's term frequencies scaled to ``alpha0 = prior``:
    ``alpha_w = prior * corpus_count_w / corpus_total``. The default (``DEFAULT_PRIOR`` = 500
    pseudo-counts) smooths rare terms yet stays weak next to large threads; ``prior=None``
    uses the raw corpus counts (``alpha0`` = corpus total), which shrinks much harder.

    Args:
        ann: The annotations.
        a: First thread id (positive ``delta`` and ``z`` favour it).
        b: Second thread id.
        feature: ``"lemma"`` (content tokens), ``"entity"`` (actors by canonical name,
            countries and nationalities by country name, other entities by text) or
            ``"topic"`` (topic labels, one per match).
        prior: ``alpha0``, the prior's total pseudo-count, or None for the raw corpus counts.
        min_count: Terms seen fewer times than this in *a* and *b* together are flagged.
        z_threshold: Terms with ``|z|`` below this are flagged (1.96: two-sided 5 %).

    Returns:
        DataFrame, one row per term seen in *a* or *b*. Columns: ``thread_a, thread_b,
        feature, term``, ``count_a``, ``count_b`` (raw counts in each thread), ``corpus_count``
        (in the whole corpus), ``alpha`` (prior count), ``delta`` (log-odds ratio), ``sigma``
        (its standard error), ``z``, ``favours`` (the thread the sign points to),
        ``insufficient`` (True when ``|z| < z_threshold`` or ``count_a + count_b <
        min_count``), ``example`` (the first sentence of *a* or *b* with the term). Ordered by
        ``z``, most distinctive of *a* first.

    Raises:
        ValueError: *a* or *b* is not a thread of *ann*, they are equal, or *prior* <= 0.
    """
    _check_thread(ann, a, name="a")
    _check_thread(ann, b, name="b")
    if a == b:
        raise ValueError(f"a and b are both {a!r}: compare two different threads")
    if prior is not None and not prior > 0:
        raise ValueError(f"prior={prior!r}: the prior size alpha0 must be a positive number "
                         "(or None for the raw corpus counts)")
    feats = _features(ann, feature)
    background = feats["term"].value_counts()
    total = float(background.sum())
    tp = _thread_paragraphs(ann)
    tp = tp[tp["thread"].isin([a, b])]
    in_ab = feats.merge(tp, on=_PARA, how="inner")
    counts = in_ab.groupby(["term", "thread"]).size().unstack("thread", fill_value=0)
    counts = counts.reindex(columns=[a, b], fill_value=0)
    if counts.empty:
        return _tag(_empty(_TERM_COLUMNS), ann)
    y_a = counts[a].to_numpy(dtype=float)
    y_b = counts[b].to_numpy(dtype=float)
    n_a, n_b = y_a.sum(), y_b.sum()
    alpha0 = total if prior is None else float(prior)
    corpus = background.reindex(counts.index).to_numpy(dtype=float)
    alpha = alpha0 * corpus / total
    delta = (np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha))
             - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    sigma = np.sqrt(1.0 / (y_a + alpha) + 1.0 / (y_b + alpha))
    z = delta / sigma
    out = pd.DataFrame({
        "thread_a": a, "thread_b": b, "feature": feature, "term": counts.index.astype(str),
        "count_a": y_a.astype("int64"), "count_b": y_b.astype("int64"),
        "corpus_count": corpus.astype("int64"), "alpha": alpha, "delta": delta,
        "sigma": sigma, "z": z,
    })
    out["favours"] = np.where(z > 0, a, np.where(z < 0, b, None))
    out["insufficient"] = (np.abs(z) < z_threshold) | ((y_a + y_b) < min_count)
    out = out.merge(_first_example(ann, in_ab, ["term"]), on="term", how="left")
    out = out.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    return _tag(out[_TERM_COLUMNS].reset_index(drop=True), ann)


# --------------------------------------------------------------------------- co-mentions


_EDGE_COLUMNS = ["actor_a", "actor_b", "weight", "window", "thread", "example"]


def _scoped_actor_mentions(ann: Annotations, thread: str | None) -> pd.DataFrame:
    mentions = ann.mentions[ann.mentions["actor"].notna()]
    mentions = mentions.astype({"article_id": str, "paragraph": "int64", "sentence": "int64"})
    if thread is None:
        return mentions
    _check_thread(ann, thread)
    tp = _thread_paragraphs(ann)
    return mentions.merge(tp.loc[tp["thread"] == thread, _PARA], on=_PARA, how="inner")


def co_mentions(
    ann: Annotations,
    *,
    window: Window = "sentence",
    thread: str | None = None,
) -> pd.DataFrame:
    """Count the actor pairs mentioned together.

    Args:
        ann: The annotations.
        window: The unit two actors must share: ``"sentence"``, ``"paragraph"`` or
            ``"article"``.
        thread: Only the paragraphs of this thread (for ``"article"``: the thread's paragraphs
            of each article); None for the whole corpus, threaded or not.

    Returns:
        DataFrame, one row per unordered actor pair. Columns: ``actor_a, actor_b`` (canonical
        names, ``actor_a < actor_b``), ``weight`` (number of windows mentioning both),
        ``window``, ``thread`` (the *thread* argument), ``example`` (a sentence of the first
        shared window that names one of the two; for ``"sentence"`` the shared sentence).
        Ordered by weight (heaviest first), then names.
    """
    _check_choice("window", window, _KEYS)
    keys = _KEYS[window]
    mentions = _scoped_actor_mentions(ann, thread)
    once = mentions[[*keys, "actor"]].drop_duplicates()
    pairs = once.merge(once, on=keys, suffixes=("_a", "_b"))
    pairs = pairs[pairs["actor_a"] < pairs["actor_b"]]
    if pairs.empty:
        return _tag(_empty(_EDGE_COLUMNS), ann)
    out = pairs.groupby(["actor_a", "actor_b"]).size().rename("weight").reset_index()
    first = pairs.sort_values([*keys, "actor_a", "actor_b"], kind="stable").drop_duplicates(
        ["actor_a", "actor_b"])
    # The example: the first sentence of that window naming either actor of the pair.
    named = mentions[[*_SENT, "actor"]].drop_duplicates()
    cand = pd.concat([
        first.merge(named.rename(columns={"actor": side}), on=[*keys, side])
        for side in ("actor_a", "actor_b")
    ])
    cand = cand.sort_values(["actor_a", "actor_b", *_SENT], kind="stable").drop_duplicates(
        ["actor_a", "actor_b"])
    cand["example"] = _sentence_text(ann, cand).fillna("")
    out = out.merge(cand[["actor_a", "actor_b", "example"]], on=["actor_a", "actor_b"],
                    how="left")
    out["weight"] = out["weight"].astype("int64")
    out["window"] = window
    out["thread"] = thread
    out = out.sort_values(["weight", "actor_a", "actor_b"], ascending=[False, True, True],
                          kind="stable")
    return _tag(out[_EDGE_COLUMNS].reset_index(drop=True), ann)


def co_mention_graph(
    ann: Annotations,
    *,
    window: Window = "sentence",
    thread: str | None = None,
) -> nx.Graph:
    """Return the co-mention network as a networkx graph.

    Nodes are the actors mentioned in scope (isolated ones included), keyed by canonical name,
    with the attributes ``type``, ``country`` and ``mentions``. Edges carry ``weight`` (shared
    windows) and ``example``, as in :func:`co_mentions`. ``graph.graph`` holds ``window`` and
    ``thread``.

    Args:
        ann: The annotations.
        window: ``"sentence"``, ``"paragraph"`` or ``"article"``.
        thread: Only this thread's paragraphs; None for the whole corpus.
    """
    edges = co_mentions(ann, window=window, thread=thread)
    mentions = _scoped_actor_mentions(ann, thread)
    mentions = mentions.assign(type=_mention_types(ann, mentions))
    nodes = mentions.groupby("actor", sort=True).agg(
        type=("type", "first"), country=("country", "first"), mentions=("actor", "size"))
    graph = nx.Graph(window=window, thread=thread)
    for name, row in nodes.iterrows():
        graph.add_node(name, type=row["type"],
                       country=row["country"] if isinstance(row["country"], str) else None,
                       mentions=int(row["mentions"]))
    for row in edges.itertuples(index=False):
        graph.add_edge(row.actor_a, row.actor_b, weight=int(row.weight), example=row.example)
    return graph


# --------------------------------------------------------------------------- timeline


_TIMELINE_COLUMNS = ["thread", "article_id", "paragraph", "sentence", "text", "start_date",
                     "end_date", "precision", "published", "sentence_text"]


def timeline(ann: Annotations) -> pd.DataFrame:
    """List the dated events of every thread.

    Args:
        ann: The annotations.

    Returns:
        DataFrame, one row per (date expression, thread). Columns: ``thread, article_id,
        paragraph, sentence``, ``text`` (the date expression), ``start_date, end_date``
        (datetime64, the range it denotes), ``precision`` ("day", "week", "month", "quarter",
        "year"), ``published`` (the article's date), ``sentence_text``. Ordered by thread,
        then start date.
    """
    if ann.dates.empty or not ann.threads:
        return _tag(_empty(_TIMELINE_COLUMNS), ann)
    d = _with_threads(ann.dates, ann)
    d["sentence_text"] = _sentence_text(ann, d).fillna("")
    d = d.merge(ann.articles[["article_id", "date"]].astype({"article_id": str})
                .rename(columns={"date": "published"}), on="article_id", how="left")
    d["_t"] = d["thread"].map(_thread_rank(ann))
    d = d.sort_values(["_t", "start_date", "end_date", *_SENT], kind="stable")
    return _tag(d[_TIMELINE_COLUMNS].reset_index(drop=True), ann)


# --------------------------------------------------------------------------- evidence


_EVIDENCE_COLUMNS = ["article_id", "date", "paragraph", "sentence", "threads", "text", "matched"]


def _matches(frame: pd.DataFrame, label: pd.Series) -> pd.DataFrame:
    """Per sentence, the "; "-joined descriptions of what matched."""
    keyed = frame[_SENT].astype({"article_id": str, "paragraph": "int64", "sentence": "int64"})
    keyed["what"] = label.astype(str).to_numpy()
    return _join_per_sentence(keyed.drop_duplicates())


def _join_per_sentence(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence key, its ``what`` values "; "-joined (kept in row order)."""
    # Most sentences match once: only the repeated keys need the (slow, per-group) join.
    repeated = frame.duplicated(_SENT, keep=False)
    joined = frame[repeated].groupby(_SENT, sort=False)["what"].agg("; ".join).reset_index()
    return pd.concat([frame.loc[~repeated, [*_SENT, "what"]], joined], ignore_index=True)


def evidence(
    ann: Annotations,
    *,
    thread: str | None = None,
    topic: str | None = None,
    actor: str | None = None,
    term: str | None = None,
) -> pd.DataFrame:
    """Return the sentences behind a number: those matching every criterion given.

    Args:
        ann: The annotations.
        thread: A thread id: sentences of its paragraphs.
        topic: A topic id or label (case-insensitive): sentences with a match of it.
        actor: An actor id or canonical name (case-insensitive): sentences mentioning it.
        term: A term as :func:`distinctive_terms` reports it (case-insensitive): sentences
            with a token of that lemma or form, or an entity or topic of that name.

    Returns:
        DataFrame, one row per sentence. Columns: ``article_id``, ``date`` (publication),
        ``paragraph``, ``sentence`` (0-based, within the paragraph), ``threads`` (list of the
        paragraph's threads), ``text``, ``matched`` (what matched, e.g. ``topic Call-centre and
        phone scams: "call centre scams"``). In corpus order. With no criterion: every
        sentence.
    """
    sents = ann.sentences[[*_SENT, "text"]].astype(
        {"article_id": str, "paragraph": "int64", "sentence": "int64"})
    parts: list[pd.DataFrame] = []
    if thread is not None:
        _check_thread(ann, thread)
        tp = _thread_paragraphs(ann)
        hit = sents[_SENT].merge(tp.loc[tp["thread"] == thread, _PARA], on=_PARA)
        parts.append(_matches(hit, pd.Series(f"thread {thread}", index=hit.index)))
    if topic is not None:
        wanted = topic.lower()
        topics = ann.topics
        hit = topics[(topics["topic_id"].str.lower() == wanted)
                     | (topics["topic"].str.lower() == wanted)]
        parts.append(_matches(hit, "topic " + hit["topic"] + ': "' + hit["text"] + '"'))
    if actor is not None:
        wanted = actor.lower()
        m = ann.mentions[ann.mentions["actor"].notna()]
        ids = m["actor_id"].fillna("").astype(str).str.lower()
        hit = m[(ids == wanted) | (m["actor"].astype(str).str.lower() == wanted)]
        parts.append(_matches(hit, "actor " + hit["actor"].astype(str) + ': "' + hit["text"]
                              + '"'))
    if term is not None:
        wanted = term.lower()
        found = []
        tokens = ann.tokens
        tok = tokens[(tokens["lemma"].astype(str).str.lower() == wanted)
                     | (tokens["lower"].astype(str).str.lower() == wanted)]
        found.append(_matches(tok, 'term "' + tok["text"] + '"'))
        for feature in ("entity", "topic"):
            feats = _features(ann, feature)
            f = feats[feats["term"].str.lower() == wanted]
            found.append(_matches(f, f"{feature} " + f["term"] + ': "' + f["text"] + '"'))
        parts.append(_join_per_sentence(pd.concat(found, ignore_index=True)))
    out = sents
    for i, part in enumerate(parts):
        out = out.merge(part.rename(columns={"what": f"_m{i}"}), on=_SENT, how="inner")
    match_cols = [f"_m{i}" for i in range(len(parts))]
    if match_cols:
        out["matched"] = out[match_cols[0]].astype(str).str.cat(
            [out[c].astype(str) for c in match_cols[1:]], sep="; ")
    else:
        out["matched"] = ""
    threads = ann.paragraphs[[*_PARA, "threads"]].astype({"article_id": str,
                                                          "paragraph": "int64"})
    out = out.merge(threads, on=_PARA, how="left")
    out["threads"] = [t if isinstance(t, list) else list(t) if t is not None else []
                      for t in out["threads"]]
    articles = ann.articles[["article_id", "date"]].astype({"article_id": str})
    order = pd.Series(np.arange(len(articles)), index=articles["article_id"])
    out = out.merge(articles, on="article_id", how="left")
    out["_o"] = out["article_id"].map(order)
    out = out.sort_values(["_o", "paragraph", "sentence"], kind="stable")
    return _tag(out[_EVIDENCE_COLUMNS].reset_index(drop=True), ann)


# --------------------------------------------------------------------------- filtering


def _restrict(table: pd.DataFrame, keep: pd.MultiIndex) -> pd.DataFrame:
    if table.empty:
        return table.copy()
    index = pd.MultiIndex.from_arrays([table["article_id"].astype(str),
                                       table["paragraph"].astype("int64")])
    return table[index.isin(keep)].reset_index(drop=True)


def _para_index(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([frame["article_id"].astype(str),
                                      frame["paragraph"].astype("int64")]).unique()


def _keep_threads(paragraphs: pd.DataFrame, assignments: pd.DataFrame,
                  wanted: set[str]) -> pd.DataFrame:
    """Restrict the list columns of *paragraphs* to the *wanted* threads."""
    out = paragraphs.copy()
    rows = [[(t, e) for t, e in zip(ts, ev) if t in wanted]
            for ts, ev in zip(out["threads"].tolist(), out["evidence"].tolist())]
    out["threads"] = [[t for t, _ in r] for r in rows]
    out["evidence"] = [[e for _, e in r] for r in rows]
    per: dict[tuple[str, int], dict[str, None]] = {}
    for key_a, key_p, parts in zip(assignments["article_id"].astype(str).tolist(),
                                   assignments["paragraph"].astype("int64").tolist(),
                                   assignments["participants"].tolist()):
        per.setdefault((key_a, key_p), {}).update(dict.fromkeys(parts))
    out["participants"] = [
        list(per.get((a, p), {}))
        for a, p in zip(out["article_id"].astype(str).tolist(),
                        out["paragraph"].astype("int64").tolist())]
    return out


def filter_annotations(
    ann: Annotations,
    *,
    threads: Iterable[str] | None = None,
    actor_types: Iterable[str] | None = None,
    countries: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    date_range: tuple[date | None, date | None] | None = None,
    text: str | None = None,
) -> Annotations:
    """Return a copy of *ann* restricted to the paragraphs that pass every filter given.

    Each filter keeps the paragraphs that have a match and, in the table it is about, only the
    matching rows; every table is then restricted to the kept paragraphs (``articles`` to the
    articles with a kept paragraph). None means "no filter"; an empty collection keeps nothing.

    Args:
        ann: The annotations.
        threads: Thread ids: paragraphs in one of them; ``assignments`` and the paragraphs'
            ``threads``/``participants``/``evidence`` keep only these threads.
        actor_types: Actor types (PERSON, ORG, EVENT, or a model label): paragraphs mentioning
            such an actor; other actors' mentions are dropped (place mentions stay).
        countries: ISO3 codes: paragraphs mentioning one of them in any way; actors of other
            countries are dropped from ``mentions`` (place mentions stay).
        categories: Topic category ids or labels: paragraphs with such a topic; ``topics``
            keeps only these categories.
        date_range: ``(first, last)`` publication dates, inclusive; either may be None.
        text: Paragraphs containing this text (case-insensitive, literal).

    Returns:
        A new :class:`Annotations` (``dataclasses.replace``) with every table restricted.
    """
    keep = _para_index(ann.paragraphs)
    tables: dict[str, pd.DataFrame] = {}
    assignments = ann.assignments
    mentions = ann.mentions
    topics = ann.topics
    wanted_threads: set[str] | None = None
    if threads is not None:
        wanted_threads = {str(t) for t in threads}
        assignments = assignments[assignments["thread"].isin(wanted_threads)]
        keep = keep.intersection(_para_index(assignments))
    if date_range is not None:
        first, last = date_range
        dates = pd.to_datetime(ann.articles["date"])
        ok = pd.Series(True, index=ann.articles.index)
        if first is not None:
            ok &= dates >= pd.Timestamp(first)
        if last is not None:
            ok &= dates <= pd.Timestamp(last)
        ids = set(ann.articles.loc[ok, "article_id"].astype(str))
        keep = keep[keep.get_level_values(0).isin(ids)]
    if text is not None:
        has = ann.paragraphs["text"].str.contains(text, case=False, regex=False, na=False)
        keep = keep.intersection(_para_index(ann.paragraphs[has]))
    if categories is not None:
        wanted = {str(c).casefold() for c in categories}
        cats = {cid for cid, c in ann.codebook.categories.items()
                if cid.casefold() in wanted or c.label.casefold() in wanted}
        labels = {ann.codebook.categories[c].label for c in cats} | {
            c for c in topics["category"].dropna().unique() if str(c).casefold() in wanted}
        topics = topics[topics["category"].isin(labels)]
        keep = keep.intersection(_para_index(topics))
    is_actor = mentions["actor"].notna()
    if actor_types is not None:
        wanted = {str(t).upper() for t in actor_types}
        typed = _mention_types(ann, mentions).str.upper().isin(wanted)
        keep = keep.intersection(_para_index(mentions[is_actor & typed]))
        mentions = mentions[~is_actor | typed]
        is_actor = mentions["actor"].notna()
    if countries is not None:
        wanted = {str(c).upper() for c in countries}
        in_country = mentions["country"].isin(wanted)
        keep = keep.intersection(_para_index(ann.mentions[ann.mentions["country"].isin(wanted)]))
        mentions = mentions[~is_actor | in_country]
    tables["assignments"] = _restrict(assignments, keep)
    tables["paragraphs"] = _restrict(ann.paragraphs, keep)
    if wanted_threads is not None:
        tables["paragraphs"] = _keep_threads(tables["paragraphs"], tables["assignments"],
                                             wanted_threads)
    tables["mentions"] = _restrict(mentions, keep)
    tables["topics"] = _restrict(topics, keep)
    for name in ("sentences", "cues", "dates", "tokens"):
        tables[name] = _restrict(getattr(ann, name), keep)
    kept_articles = set(keep.get_level_values(0))
    tables["articles"] = ann.articles[
        ann.articles["article_id"].astype(str).isin(kept_articles)].reset_index(drop=True)
    return dataclasses.replace(ann, **tables)
