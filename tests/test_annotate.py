"""Annotation of the seed (both pipelines), linking, dates, the cache, worker processes and the
CSV/Parquet tables."""

from __future__ import annotations

import datetime as dt
import pickle
import random
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from spacy.tokens import Span

from kit.annotate import (
    _CORPUS_ENTRIES,
    TABLES,
    Annotations,
    _longest_per_label,
    _TableBuilder,
    annotate,
)
from kit.corpus import load_corpus
from kit.pipeline import load_pipeline

REPO = Path(__file__).resolve().parents[1]

SEED = "000_046c6d8a20023494"


def test_annotate_tables_have_their_columns(seed_ann):
    for name, columns in TABLES.items():
        table = getattr(seed_ann, name)
        assert list(table.columns) == columns, name


def test_annotate_offsets_point_into_the_paragraph(seed_ann):
    texts = seed_ann.paragraphs.set_index(["article_id", "paragraph"])["text"]
    for name in ("sentences", "mentions", "topics", "cues", "dates", "tokens"):
        for row in getattr(seed_ann, name).itertuples():
            assert texts[(row.article_id, row.paragraph)][row.start:row.end] == row.text, name


@pytest.mark.parametrize(
    ("actor", "country"),
    [
        ("Jirabhop Bhuridej", "THA"),
        ("Iwashita Tsuyoshi", "JPN"),
        ("Tej Bunnag", "THA"),
        ("Sun Weidong", "CHN"),
        ("Central Investigation Bureau", "THA"),
        ("Osaka Prefectural Police", "JPN"),
        ("National Police Agency", "JPN"),
        ("Thai Red Cross Society", "THA"),
        ("Osaka World Expo 2025", "JPN"),
    ],
)
def test_annotate_seed_actors_linked_with_country(seed_ann, actor, country):
    found = seed_ann.mentions[seed_ann.mentions["actor"] == actor]
    assert len(found) >= 1, f"{actor} not found"
    assert set(found["country"]) == {country}
    assert set(found["origin"]) == {"codebook"}


def test_annotate_seed_short_name_resolves_to_full_name(seed_ann):
    # Paragraph 3 opens "Jirabhop announced ...": the short form links to the person.
    short = seed_ann.mentions.query("paragraph == 3 and text == 'Jirabhop'")
    assert short["actor"].tolist() == ["Jirabhop Bhuridej"]
    assert short["actor_id"].notna().all()


def test_annotate_seed_roles_from_codebook(seed_ann):
    actors = seed_ann.codebook.actors
    by_name = {a.name: a for a in actors.values()}
    assert "Central Investigation Bureau" in by_name["Jirabhop Bhuridej"].role
    assert "Osaka Prefectural Police" in by_name["Iwashita Tsuyoshi"].role
    assert "Vice Foreign Minister" in by_name["Sun Weidong"].role


def _topics_in(ann, thread: str) -> set[str]:
    paras = ann.assignments.loc[ann.assignments["thread"] == thread, ["article_id", "paragraph"]]
    return set(ann.topics.merge(paras)["topic_id"])


def _topic_ids(ann, words: tuple[str, ...]) -> set[str]:
    """Topic ids whose label contains any of *words* (ids are the codebook's choice)."""
    topics = ann.codebook.topics.values()
    return {t.id for t in topics if any(w in t.label.lower() for w in words)}


@pytest.mark.parametrize(
    "words",
    [("call", "phone scam"), ("cybercrime", "cyber"), ("human trafficking",),
     ("information sharing", "intelligence", "data exchange"), ("cctv",),
     ("forensic",), ("hotline",)],
)
def test_annotate_seed_japan_thread_topics(seed_ann, words):
    assert _topics_in(seed_ann, "THA-JPN") & _topic_ids(seed_ann, words), words


@pytest.mark.parametrize(
    "words",
    [("artificial intelligence", "ai"), ("digital economy",), ("sustainable development",),
     ("railway", "infrastructure"), ("anniversar",)],
)
def test_annotate_seed_china_thread_topics(seed_ann, words):
    assert _topics_in(seed_ann, "THA-CHN") & _topic_ids(seed_ann, words), words


def test_annotate_seed_china_thread_has_no_crime_topic(seed_ann):
    crime = {t.id for t in seed_ann.codebook.topics.values() if t.category == "crime"}
    assert crime, "the codebook has a crime category"
    assert not (_topics_in(seed_ann, "THA-CHN") & crime)


def test_annotate_seed_dates(seed_ann):
    got = {
        (r.text, r.start_date.date(), r.end_date.date(), r.precision)
        for r in seed_ann.dates.itertuples()
    }
    assert ("last week", dt.date(2025, 9, 22), dt.date(2025, 9, 28), "week") in got
    assert any(t.endswith("September 16 to 21") and s == dt.date(2025, 9, 16)
               and e == dt.date(2025, 9, 21) and p == "day" for t, s, e, p in got)
    assert any("June 2025" in t and s == dt.date(2025, 6, 1) and e == dt.date(2025, 6, 30)
               and p == "month" for t, s, e, p in got)
    assert not any("anniversary" in t or t == "50th" for t, *_ in got)


def test_annotate_cache_serves_a_rerun_and_reannotates_a_changed_article(
    tmp_path, blank_nlp, codebook
):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(
            f"date 2025-01-0{i + 1}\n\nThai police met Japanese officials in Osaka, visit {i}.\n",
            encoding="utf-8",
        )
    cache = tmp_path / "cache"
    first = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=cache)
    assert first.cache == {"annotated": 3, "cached": 0}
    second = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=cache)
    assert second.cache == {"annotated": 0, "cached": 3}
    pd.testing.assert_frame_equal(first.mentions, second.mentions)
    pd.testing.assert_frame_equal(first.paragraphs, second.paragraphs)

    (folder / "a1.txt").write_text(
        "date 2025-01-02\n\nThai police met Chinese officials in Beijing.\n", encoding="utf-8"
    )
    third = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=cache)
    assert third.cache == {"annotated": 1, "cached": 2}
    assert third.paragraphs.set_index("article_id").loc["a1", "threads"] == ["THA-CHN"]


def _cache_warnings(run):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, [str(w.message) for w in caught if "cache" in str(w.message)]


def test_annotate_corrupt_cache_entry_is_recomputed_with_one_warning(
    tmp_path, blank_nlp, codebook, seed_corpus
):
    cache = tmp_path / "cache"
    first = annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    entries = list(cache.rglob("*.pkl"))
    assert len(entries) == 1
    entries[0].write_bytes(b"not a pickle")
    # Without the corpus's finished tables, the rerun reads the article's entry.
    shutil.rmtree(cache / "corpus")
    again, messages = _cache_warnings(
        lambda: annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache))
    assert len(messages) == 1 and "discarded 1" in messages[0]
    assert again.cache == {"annotated": 1, "cached": 0}
    assert isinstance(pickle.loads(entries[0].read_bytes()), dict)
    pd.testing.assert_frame_equal(again.mentions, first.mentions)


def test_annotate_corrupt_corpus_tables_are_rebuilt_from_the_articles(
    tmp_path, blank_nlp, codebook, seed_corpus
):
    cache = tmp_path / "cache"
    first = annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    (tables,) = (cache / "corpus").iterdir()
    (tables / "tokens.arrow").write_bytes(b"not an Arrow file")
    again, messages = _cache_warnings(
        lambda: annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache))
    assert len(messages) == 1 and "discarded 1" in messages[0]
    assert again.cache == {"annotated": 0, "cached": 1}  # the article's own entry was fine
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name), obj=name)
    third = annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    pd.testing.assert_frame_equal(third.tokens, first.tokens)


def test_annotate_cache_rerun_equals_a_fresh_run(tmp_path, blank_nlp, codebook):
    corpus = load_corpus(REPO / "tests" / "data" / "threads")
    fresh = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    cache = tmp_path / "cache"
    cold = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    warm = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    other_focus = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=cache, focus="MYS")
    assert (cold.cache, warm.cache) == ({"annotated": 4, "cached": 0},
                                        {"annotated": 0, "cached": 4})
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(cold, name), getattr(fresh, name), obj=name)
        pd.testing.assert_frame_equal(getattr(warm, name), getattr(fresh, name), obj=name)
    # Threads depend on the focus: another focus is not served the first one's tables.
    assert other_focus.cache == {"annotated": 0, "cached": 4}
    assert not set(other_focus.assignments["thread"]) & set(fresh.assignments["thread"])


def test_annotate_cache_keeps_the_tables_of_a_few_corpora(tmp_path, blank_nlp, codebook,
                                                         write_articles):
    cache = tmp_path / "cache"
    for i in range(_CORPUS_ENTRIES + 2):
        folder = write_articles({f"a{i}": f"date 2025-01-01\n\nThai police met Japanese "
                                          f"officials, visit {i}.\n"})
        annotate(load_corpus(folder / f"a{i}.txt"), nlp=blank_nlp, codebook=codebook,
                 cache=cache)
    assert len(list((cache / "corpus").iterdir())) == _CORPUS_ENTRIES


def test_annotate_cache_writes_no_temporary_files(tmp_path, blank_nlp, codebook, seed_corpus):
    cache = tmp_path / "cache"
    annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=cache)
    files = [p.relative_to(cache) for p in cache.rglob("*") if p.is_file()]
    assert sorted(p.suffix for p in files) == [".arrow"] * 7 + [".pkl"]
    assert not [p for p in cache.rglob("*") if p.name.startswith(".")]


@pytest.mark.parametrize("corpus", ["seed", "threads", "examples"])
def test_annotate_two_processes_give_the_same_tables(blank_nlp, codebook, corpus):
    folder = {"seed": REPO / "seeds", "threads": REPO / "tests" / "data" / "threads",
              "examples": REPO / "kit" / "data" / "examples" / "articles"}[corpus]
    articles = load_corpus(folder)
    one = annotate(articles, nlp=blank_nlp, codebook=codebook, cache=False)
    two = annotate(articles, nlp=blank_nlp, codebook=codebook, cache=False, n_process=2,
                   batch_size=2)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name), obj=name)


def test_annotate_in_chunks_gives_the_same_tables(monkeypatch, blank_nlp, codebook):
    # Folders read in an order that is not the order of the article ids, as thread assignment
    # orders its rows.
    corpus = load_corpus([REPO / "tests" / "data" / "threads",
                          REPO / "kit" / "data" / "examples" / "articles", REPO / "seeds"])
    whole = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    # A chunk every 40 content tokens: about one per article.
    monkeypatch.setitem(_TableBuilder.__init__.__kwdefaults__, "rows_per_chunk", 40)
    chunked = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(chunked, name), getattr(whole, name), obj=name)


@pytest.mark.parametrize("n_process", [0, -2, 1.5])
def test_annotate_rejects_bad_n_process(seed_corpus, blank_nlp, codebook, n_process):
    with pytest.raises(ValueError, match="n_process must be a positive int or -1"):
        annotate(seed_corpus, nlp=blank_nlp, codebook=codebook, cache=False,
                 n_process=n_process)


def test_annotate_paragraph_over_the_pipeline_limit_names_article_and_paragraph(
    write_articles, codebook
):
    nlp = load_pipeline("blank", codebook=codebook)
    nlp.max_length = 200
    folder = write_articles({"long": "date 2025-09-29\n\nShort first paragraph.\n\n"
                                     + "Thai police met Japanese officers. " * 10 + "\n"})
    with pytest.raises(ValueError, match=r"long\.txt: article 'long', paragraph 1 has 349 "
                                         r"characters.*nlp\.max_length.*blank lines"):
        annotate(load_corpus(folder), nlp=nlp, codebook=codebook, cache=False)


def _longest_reference(spans):
    """The rule, stated directly: longest first, then leftmost, drop what overlaps a kept span
    of the same label (quadratic; fine for a test)."""
    kept = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if not any(k.label == span.label and k.start < span.end and span.start < k.end
                   for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end, s.label_))


@pytest.mark.parametrize("seed", range(20))
def test_annotate_longest_per_label_keeps_the_longest_spans(blank_nlp, seed):
    rng = random.Random(seed)
    doc = blank_nlp.make_doc(" ".join(f"w{i}" for i in range(60)))
    spans = []
    for _ in range(rng.randint(0, 40)):
        start = rng.randrange(59)
        spans.append(Span(doc, start, rng.randint(start + 1, min(60, start + 6)),
                          label=rng.choice(["a", "b", "c"])))
    got = _longest_per_label(spans)
    assert [(s.start, s.end, s.label_) for s in got] == \
        [(s.start, s.end, s.label_) for s in _longest_reference(spans)]


def test_annotate_to_dir_writes_csv_with_joined_lists(tmp_path, seed):
    written = seed.to_dir(tmp_path / "out")
    names = {p.name for p in written}
    assert {f"{t}.csv" for t in ("articles", "paragraphs", "mentions", "topics", "dates")} <= names
    paragraphs = pd.read_csv(tmp_path / "out" / "paragraphs.csv")
    assert paragraphs["threads"].tolist() == ["THA-JPN"] * 6 + ["THA-CHN"] * 3
    mentions = pd.read_csv(tmp_path / "out" / "mentions.csv")
    assert len(mentions) == len(seed.mentions)


def test_annotate_threads_property_orders_by_size(seed):
    assert seed.threads == ["THA-JPN", "THA-CHN"]


@pytest.mark.parametrize("parquet", [True, False], ids=["parquet", "csv"])
@pytest.mark.parametrize("corpus", ["seed", "examples"])
def test_annotate_tables_read_back_equal(tmp_path, blank_nlp, codebook, parquet, corpus):
    folder = {"seed": REPO / "seeds",
              "examples": REPO / "kit" / "data" / "examples" / "articles"}[corpus]
    ann = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=False)
    ann.to_dir(tmp_path, parquet=parquet)
    back = Annotations.from_dir(tmp_path, codebook=codebook)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(ann, name), obj=name)
    # An evidence sentence is one text in assignments, a list of them in paragraphs.
    assert back.assignments["evidence"].map(type).eq(str).all()
    assert back.paragraphs["evidence"].map(type).eq(list).all()


def test_annotate_regions_are_codebook_places_of_no_country(write_articles, blank_nlp, codebook):
    folder = write_articles({"regions": (
        "date 2025-05-01\n\nThai police met officials from Latin America and patrolled the "
        "South China Sea with Japanese officers.\n")})
    ann = annotate(load_corpus(folder), nlp=blank_nlp, codebook=codebook, cache=False)
    rows = ann.mentions.set_index("text")
    for region in ("Latin America", "South China Sea"):
        assert rows.loc[region, "kind"] == "region"
        assert rows.loc[region, "origin"] == "codebook"
        assert pd.isna(rows.loc[region, "country"])
    assert rows.loc["Japanese", "country"] == "JPN"
