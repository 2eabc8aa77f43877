"""Tests for kit.compare: numbers a reader can check by hand on the seed and on a small
three-thread corpus (tests/data/threads/)."""

from __future__ import annotations

import dataclasses
import math
import time
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kit import compare
from kit.annotate import TABLES, Annotations

THREADS_DIR = Path(__file__).parent / "data" / "threads"


# Fixtures (to move to tests/conftest.py)
def _row(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column] == value).to_numpy()
    rows = frame[mask]
    assert len(rows) == 1, f"expected one row for {where}, got {len(rows)}"
    return rows.iloc[0]


# --------------------------------------------------------------------------- summary


def test_compare_summary_seed_counts(seed: Annotations) -> None:
    table = compare.summary(seed)
    assert table["thread"].tolist() == ["THA-JPN", "THA-CHN"]
    jpn = _row(table, thread="THA-JPN")
    chn = _row(table, thread="THA-CHN")
    assert jpn["label"] == "Thailand–Japan" and chn["label"] == "Thailand–China"
    # Paragraphs 0-5 and 6-8 of the seed (DESIGN.md).
    assert (jpn["paragraphs"], chn["paragraphs"]) == (6, 3)
    assert (jpn["articles"], chn["articles"]) == (1, 1)
    # Sentences: 2+1+2+2+1+2 in paragraphs 0-5, 1+1+2 in paragraphs 6-8.
    assert (jpn["sentences"], chn["sentences"]) == (10, 4)
    assert jpn["partners"] == ["JPN"] and chn["partners"] == ["CHN"]
    # Jirabhop, CIB, Iwashita, Osaka Prefectural Police, National Police Agency, Expo 2025;
    # Tej Bunnag, Thai Red Cross Society, Sun Weidong.
    assert (jpn["actors"], chn["actors"]) == (6, 3)
    # THA, JPN and the incidental USA, DEU, SAU; THA and CHN.
    assert (jpn["countries"], chn["countries"]) == (5, 2)
    assert jpn["first_date"] == pd.Timestamp("2025-09-29") == chn["last_date"]
    # "September 16 to 21" and "last week"; "June 2025".
    assert jpn["event_start"] == pd.Timestamp("2025-09-16")
    assert (chn["event_start"], chn["event_end"]) == (pd.Timestamp("2025-06-01"),
                                                       pd.Timestamp("2025-06-30"))
    assert "Call-centre and phone scams" in jpn["top_topics"]
    assert len(jpn["top_topics"]) == 3


def test_compare_summary_three_threads(three: Annotations) -> None:
    table = compare.summary(three).set_index("thread")
    # Most paragraphs first, ties by id.
    assert table.index.tolist() == ["THA-KHM", "THA-MYS", "THA-JPN"]
    assert table["paragraphs"].to_dict() == {"THA-KHM": 4, "THA-MYS": 4, "THA-JPN": 3}
    assert table["articles"].to_dict() == {"THA-KHM": 2, "THA-MYS": 2, "THA-JPN": 2}
    assert table.loc["THA-MYS", "label"] == "Thailand–Malaysia"
    assert table.loc["THA-KHM", "first_date"] == pd.Timestamp("2025-03-14")
    assert table.loc["THA-KHM", "last_date"] == pd.Timestamp("2025-09-02")


def test_compare_summary_without_threads_is_empty(seed: Annotations) -> None:
    none = compare.filter_annotations(seed, threads=[])
    table = compare.summary(none)
    assert table.empty and "paragraphs" in table.columns


# --------------------------------------------------------------------------- topics


@pytest.mark.parametrize(
    ("unit", "jpn", "chn"),
    [
        # Paragraphs 0 and 2 of 6; none of 3.
        ("paragraph", (2, 6), (0, 3)),
        # Sentence 0 of paragraph 0 and sentence 1 of paragraph 2, of 10; none of 4.
        ("sentence", (2, 10), (0, 4)),
        # The one article, in its THA-JPN paragraphs only.
        ("article", (1, 1), (0, 1)),
    ],
)
def test_compare_topic_profile_call_centre_scams(seed: Annotations, unit: str,
                                                 jpn: tuple[int, int],
                                                 chn: tuple[int, int]) -> None:
    profile = compare.topic_profile(seed, unit=unit)
    a = _row(profile, thread="THA-JPN", topic_id="call_centre_scams")
    b = _row(profile, thread="THA-CHN", topic_id="call_centre_scams")
    assert (a["count"], a["units"]) == jpn
    assert (b["count"], b["units"]) == chn
    assert a["share"] == pytest.approx(jpn[0] / jpn[1])
    assert b["share"] == 0.0 and b["example"] == ""
    assert a["category"] == "Crime" and a["unit"] == unit
    assert "call centre scams" in a["example"]


def test_compare_topic_profile_is_a_full_grid_in_codebook_order(seed: Annotations) -> None:
    profile = compare.topic_profile(seed)
    topics = seed.topics["topic_id"].nunique()
    assert len(profile) == 2 * topics
    for _, rows in profile.groupby("thread"):
        # Grouped by category in the codebook's category order.
        order = list(seed.codebook.categories)
        ranks = [order.index(c) for c in rows["category_id"]]
        assert ranks == sorted(ranks)


def test_compare_topic_profile_three_threads(three: Annotations) -> None:
    profile = compare.topic_profile(three).set_index(["thread", "topic_id"])["count"]
    assert profile[("THA-MYS", "online_gambling")] == 1
    assert profile[("THA-KHM", "online_gambling")] == 0
    assert profile[("THA-MYS", "drug_trafficking")] == 1
    assert profile[("THA-JPN", "call_centre_scams")] == 1
    assert profile[("THA-KHM", "call_centre_scams")] == 0


def test_compare_topic_profile_rejects_unknown_unit(seed: Annotations) -> None:
    with pytest.raises(ValueError, match="unit='word'.*'paragraph'"):
        compare.topic_profile(seed, unit="word")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- actors


def test_compare_actor_table_seed(seed: Annotations) -> None:
    actors = compare.actor_table(seed)
    cib = _row(actors, thread="THA-JPN", actor="Central Investigation Bureau")
    # "Central Investigation Bureau (CIB)" in paragraph 1, "The CIB will ..." in paragraph 3.
    assert (cib["mentions"], cib["paragraphs"]) == (3, 2)
    assert (cib["type"], cib["country"], cib["country_name"]) == ("ORG", "THA", "Thailand")
    sun = _row(actors, thread="THA-CHN", actor="Sun Weidong")
    assert (sun["type"], sun["country"], sun["role"]) == ("PERSON", "CHN",
                                                          "Vice Foreign Minister")
    assert "Sun Weidong" in sun["example"]
    assert set(actors.loc[actors["thread"] == "THA-CHN", "actor"]) == {
        "Sun Weidong", "Tej Bunnag", "Thai Red Cross Society"}
    # Most mentioned first within a thread.
    jpn = actors[actors["thread"] == "THA-JPN"]["mentions"].tolist()
    assert jpn == sorted(jpn, reverse=True)


def test_compare_actor_table_three_threads(three: Annotations) -> None:
    actors = compare.actor_table(three)
    rmp = _row(actors, actor="Royal Malaysia Police")
    assert (rmp["thread"], rmp["country"], rmp["type"]) == ("THA-MYS", "MYS", "ORG")
    assert set(actors["thread"]) == {"THA-KHM", "THA-MYS", "THA-JPN"}


# --------------------------------------------------------------------------- distinctive terms


def _toy(seed: Annotations) -> Annotations:
    """Three paragraphs of one article: THA-KHM (0), THA-LAO (1), no thread (2).

    Tokens: paragraph 0 "scam" x3, "police" x1; paragraph 1 "scam" x1, "trade" x3;
    paragraph 2 "police" x2 (corpus background only).
    """
    words = {0: ["scam"] * 3 + ["police"], 1: ["scam"] + ["trade"] * 3, 2: ["police"] * 2}
    tokens = pd.DataFrame(
        [("toy", p, 0, i, i + 1, w, w, w) for p, ws in words.items() for i, w in enumerate(ws)],
        columns=TABLES["tokens"])
    sentences = pd.DataFrame([("toy", p, 0, 0, 10, " ".join(ws)) for p, ws in words.items()],
                             columns=TABLES["sentences"])
    assignments = pd.DataFrame(
        [("toy", 0, 0, "THA-KHM", ["KHM"], "partner", 0, "x"),
         ("toy", 1, 0, "THA-LAO", ["LAO"], "partner", 0, "y")],
        columns=TABLES["assignments"])
    paragraphs = pd.DataFrame(
        [("toy", p, 0, " ".join(ws), t, [], []) for (p, ws), t in
         zip(words.items(), (["THA-KHM"], ["THA-LAO"], []))], columns=TABLES["paragraphs"])
    empty = {name: pd.DataFrame(columns=TABLES[name])
             for name in ("mentions", "topics", "cues", "dates")}
    articles = seed.articles.assign(article_id="toy")
    return dataclasses.replace(seed, articles=articles, paragraphs=paragraphs,
                               assignments=assignments, sentences=sentences, tokens=tokens,
                               **empty)


# Hand computation (MCQ 2008, eq. 16-22) for the toy corpus with prior alpha0 = 10:
# background counts scam 4, police 3, trade 3 (total 10), so alpha_w = 10 * count / 10 = count;
# n_a = n_b = 4.
#   scam:   y_a=3, y_b=1, alpha=4: delta = log(7/(4+10-3-4)) - log(5/(4+10-1-4))
#           = log(7/7) - log(5/9) = 0.587787; sigma^2 = 1/7 + 1/5 = 0.342857, sigma = 0.585540;
#           z = 0.587787 / 0.585540 = 1.003837
#   police: y_a=1, y_b=0, alpha=3: delta = log(4/10) - log(3/11) = 0.382992;
#           sigma^2 = 1/4 + 1/3 = 0.583333, sigma = 0.763763; z = 0.501455
#   trade:  y_a=0, y_b=3, alpha=3: delta = log(3/11) - log(6/8) = -1.011601;
#           sigma^2 = 1/3 + 1/6 = 0.5, sigma = 0.707107; z = -1.430620
_HAND = {
    "scam": (3, 1, 4.0, 0.587787, 0.585540, 1.003837),
    "police": (1, 0, 3.0, 0.382992, 0.763763, 0.501455),
    "trade": (0, 3, 3.0, -1.011601, 0.707107, -1.430620),
}


@pytest.mark.parametrize("prior", [10.0, None])  # None: alpha0 = corpus total = 10 here
def test_compare_distinctive_terms_matches_hand_computation(seed: Annotations,
                                                            prior: float | None) -> None:
    terms = compare.distinctive_terms(_toy(seed), "THA-KHM", "THA-LAO", prior=prior)
    assert terms["term"].tolist() == ["scam", "police", "trade"]  # by z, highest first
    for term, (y_a, y_b, alpha, delta, sigma, z) in _HAND.items():
        row = _row(terms, term=term)
        assert (row["count_a"], row["count_b"]) == (y_a, y_b)
        assert row["alpha"] == pytest.approx(alpha)
        assert row["delta"] == pytest.approx(delta, abs=1e-6)
        assert row["sigma"] == pytest.approx(sigma, abs=1e-6)
        assert row["z"] == pytest.approx(z, abs=1e-6)
    assert _row(terms, term="trade")["favours"] == "THA-LAO"
    assert _row(terms, term="scam")["favours"] == "THA-KHM"


@pytest.mark.parametrize(
    ("z_threshold", "min_count", "insufficient"),
    [
        (1.96, 3, {"scam", "police", "trade"}),  # no |z| reaches 1.96
        (1.0, 3, {"police"}),                    # police: 1 + 0 occurrences < 3
        (1.0, 1, {"police"}),                    # police: |z| = 0.50 < 1.0
        (0.5, 1, set()),
    ],
)
def test_compare_distinctive_terms_flags_insufficient_evidence(
        seed: Annotations, z_threshold: float, min_count: int, insufficient: set[str]) -> None:
    terms = compare.distinctive_terms(_toy(seed), "THA-KHM", "THA-LAO", prior=10.0,
                                      z_threshold=z_threshold, min_count=min_count)
    assert set(terms.loc[terms["insufficient"], "term"]) == insufficient


def test_compare_distinctive_terms_seed_has_raw_counts(seed: Annotations) -> None:
    terms = compare.distinctive_terms(seed, "THA-JPN", "THA-CHN")
    police = _row(terms, term="police")
    # "Thai police", "Police Lieutenant General", "Osaka Prefectural Police",
    # "National Police Agency", "Thai police operations": all in THA-JPN paragraphs.
    assert (police["count_a"], police["count_b"]) == (5, 0)
    assert police["favours"] == "THA-JPN" and police["z"] > 0
    # One article is too little evidence for any term.
    assert terms["insufficient"].all()
    assert terms["z"].is_monotonic_decreasing


@pytest.mark.parametrize("feature", ["lemma", "entity", "topic"])
def test_compare_distinctive_terms_counts_add_up(three: Annotations, feature: str) -> None:
    terms = compare.distinctive_terms(three, "THA-KHM", "THA-MYS", feature=feature)
    assert len(terms) > 0
    assert (terms["count_a"] + terms["count_b"] <= terms["corpus_count"]).all()
    if feature == "topic":
        # Online gambling is a THA-MYS topic (paragraph 1 of the mixed article) only.
        label = three.codebook.topics["online_gambling"].label
        gambling = _row(terms, term=label)
        assert (gambling["count_a"], gambling["count_b"]) == (0, 1)


@pytest.mark.parametrize(
    ("a", "b", "prior", "message"),
    [
        ("THA-XXX", "THA-CHN", 500.0, "a='THA-XXX' is not a thread"),
        ("THA-JPN", "THA-JPN", 500.0, "both 'THA-JPN'"),
        ("THA-JPN", "THA-CHN", 0.0, "prior=0.0"),
    ],
)
def test_compare_distinctive_terms_rejects_bad_arguments(seed: Annotations, a: str, b: str,
                                                         prior: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare.distinctive_terms(seed, a, b, prior=prior)


# --------------------------------------------------------------------------- co-mentions


@pytest.mark.parametrize(("window", "joined"),
                         [("sentence", False), ("paragraph", False), ("article", True)])
def test_compare_co_mentions_tej_bunnag_and_sun_weidong(seed: Annotations, window: str,
                                                        joined: bool) -> None:
    edges = compare.co_mentions(seed, window=window)
    pair = edges[(edges["actor_a"] == "Sun Weidong") & (edges["actor_b"] == "Tej Bunnag")]
    assert len(pair) == int(joined)
    if joined:
        assert pair["weight"].iloc[0] == 1
    assert (edges["actor_a"] < edges["actor_b"]).all()


def test_compare_co_mentions_sentence_window_seed(seed: Annotations) -> None:
    edges = compare.co_mentions(seed, window="sentence")
    pairs = set(zip(edges["actor_a"], edges["actor_b"]))
    # Paragraph 1, sentence 0: Jirabhop and the CIB; paragraph 2, sentence 0: Osaka police,
    # Iwashita and the NPA; paragraph 7: Tej Bunnag and the Thai Red Cross Society.
    assert ("Central Investigation Bureau", "Jirabhop Bhuridej") in pairs
    assert ("Iwashita Tsuyoshi", "National Police Agency") in pairs
    assert ("Tej Bunnag", "Thai Red Cross Society") in pairs
    assert len(edges) == 5
    tej = _row(edges, actor_a="Tej Bunnag")
    assert "led by Tej Bunnag" in tej["example"]


def test_compare_co_mentions_thread_scope(seed: Annotations) -> None:
    edges = compare.co_mentions(seed, window="article", thread="THA-JPN")
    actors = set(edges["actor_a"]) | set(edges["actor_b"])
    assert "Sun Weidong" not in actors and "Jirabhop Bhuridej" in actors
    assert (edges["thread"] == "THA-JPN").all()


def test_compare_co_mention_graph(seed: Annotations) -> None:
    graph = compare.co_mention_graph(seed, window="article")
    assert isinstance(graph, nx.Graph)
    assert graph.number_of_nodes() == 9
    assert graph["Sun Weidong"]["Tej Bunnag"]["weight"] == 1
    assert graph.nodes["Sun Weidong"] == {"type": "PERSON", "country": "CHN", "mentions": 1}
    assert graph.graph == {"window": "article", "thread": None}
    sentence = compare.co_mention_graph(seed, window="sentence")
    assert not sentence.has_edge("Sun Weidong", "Tej Bunnag")


def test_compare_co_mentions_three_threads(three: Annotations) -> None:
    edges = compare.co_mentions(three, window="sentence")
    pair = _row(edges, actor_a="Cambodian National Police")
    assert (pair["actor_b"], pair["weight"]) == ("Royal Thai Police", 1)


# --------------------------------------------------------------------------- timeline


def test_compare_timeline_seed(seed: Annotations) -> None:
    events = compare.timeline(seed)
    assert events["thread"].tolist() == ["THA-JPN", "THA-JPN", "THA-CHN"]
    first = events.iloc[0]
    assert first["text"] == "September 16 to 21" and first["precision"] == "day"
    assert (first["start_date"], first["end_date"]) == (pd.Timestamp("2025-09-16"),
                                                        pd.Timestamp("2025-09-21"))
    assert first["sentence_text"].startswith("From September 16 to 21")
    june = events.iloc[2]
    assert (june["text"], june["precision"]) == ("June 2025", "month")
    assert june["published"] == pd.Timestamp("2025-09-29")


def test_compare_timeline_three_threads(three: Annotations) -> None:
    events = compare.timeline(three)
    may = _row(events, text="May 19, 2025")
    assert (may["thread"], may["precision"]) == ("THA-MYS", "day")
    assert set(events["thread"]) == {"THA-KHM", "THA-MYS", "THA-JPN"}


# --------------------------------------------------------------------------- evidence


def test_compare_evidence_for_a_topic_in_a_thread(seed: Annotations) -> None:
    rows = compare.evidence(seed, thread="THA-JPN", topic="call_centre_scams")
    assert list(zip(rows["paragraph"], rows["sentence"])) == [(0, 0), (2, 1)]
    assert rows["threads"].tolist() == [["THA-JPN"], ["THA-JPN"]]
    assert rows["text"].iloc[1].startswith("Discussions focused on international crime")
    assert rows["matched"].iloc[0] == ('thread THA-JPN; topic Call-centre and phone scams: '
                                       '"call centre scams"')
    assert list(rows.columns) == ["article_id", "date", "paragraph", "sentence", "threads",
                                  "text", "matched"]
    assert compare.evidence(seed, thread="THA-CHN", topic="call_centre_scams").empty


def test_compare_evidence_by_actor_label_and_term(seed: Annotations) -> None:
    sun = compare.evidence(seed, actor="sun weidong")
    assert list(zip(sun["paragraph"], sun["sentence"])) == [(8, 1)]
    by_id = compare.evidence(seed, actor="sun_weidong")
    assert by_id["text"].tolist() == sun["text"].tolist()
    # The 5 "police" tokens of distinctive_terms sit in 4 sentences.
    police = compare.evidence(seed, term="police")
    assert list(zip(police["paragraph"], police["sentence"])) == [(0, 0), (1, 0), (2, 0),
                                                                  (5, 1)]
    by_label = compare.evidence(seed, topic="Call-centre and phone scams")
    assert len(by_label) == 2


@pytest.mark.parametrize("corpus", ["seed", "three"])
def test_compare_evidence_backs_every_topic_count(corpus: str,
                                                  request: pytest.FixtureRequest) -> None:
    ann = request.getfixturevalue(corpus)
    profile = compare.topic_profile(ann, unit="sentence")
    for row in profile.itertuples(index=False):
        rows = compare.evidence(ann, thread=row.thread, topic=row.topic_id)
        assert len(rows) == row.count, (row.thread, row.topic_id)


def test_compare_evidence_rejects_unknown_thread(seed: Annotations) -> None:
    with pytest.raises(ValueError, match="THA-FRA.*THA-JPN, THA-CHN"):
        compare.evidence(seed, thread="THA-FRA")


# --------------------------------------------------------------------------- filtering


@pytest.mark.parametrize(
    ("options", "paragraphs"),
    [
        ({}, list(range(9))),
        ({"threads": ["THA-CHN"]}, [6, 7, 8]),
        # Crime topics: paragraph 0 (call centre scams, cybercrime) and 2 (human trafficking).
        ({"categories": ["Crime"]}, [0, 2]),
        ({"categories": ["crime"], "threads": ["THA-CHN"]}, []),
        # PERSON actors: Jirabhop (1, 3), Iwashita (2), Tej Bunnag (7), Sun Weidong (8).
        ({"actor_types": ["PERSON"]}, [1, 2, 3, 7, 8]),
        # China, Beijing (a Chinese city), Chinese + Sun Weidong.
        ({"countries": ["CHN"]}, [6, 7, 8]),
        ({"text": "osaka"}, [0, 2, 5]),
        ({"date_range": (date(2025, 9, 1), date(2025, 9, 30))}, list(range(9))),
        ({"date_range": (date(2025, 10, 1), None)}, []),
    ],
)
def test_compare_filter_annotations_keeps_matching_paragraphs(
        seed: Annotations, options: dict, paragraphs: list[int]) -> None:
    kept = compare.filter_annotations(seed, **options)
    assert kept.paragraphs["paragraph"].tolist() == paragraphs
    for name in ("sentences", "mentions", "topics", "tokens", "assignments", "dates"):
        assert set(getattr(kept, name)["paragraph"]) <= set(paragraphs), name
    assert len(kept.articles) == (1 if paragraphs else 0)
    assert len(seed.paragraphs) == 9  # the original is untouched


def test_compare_filter_annotations_restricts_its_own_table(seed: Annotations) -> None:
    kept = compare.filter_annotations(seed, categories=["crime"], actor_types=["PERSON"])
    assert set(kept.topics["category"]) == {"Crime"}
    assert kept.paragraphs["paragraph"].tolist() == [2]
    actors = kept.mentions["actor"].dropna()
    assert actors.tolist() == ["Iwashita Tsuyoshi"]
    # Actors of other countries go (Tej Bunnag, the Thai Red Cross); place mentions stay.
    chn = compare.filter_annotations(seed, countries=["CHN"])
    assert set(chn.mentions["actor"].dropna()) == {"Sun Weidong"}
    assert {"China", "Thailand", "Beijing"} <= set(chn.mentions["text"])


def test_compare_filter_annotations_by_thread_restricts_lists(three: Annotations) -> None:
    mixed = "tha_mixed_2025-09-02"
    kept = compare.filter_annotations(three, threads=["THA-MYS", "THA-JPN"])
    assert kept.threads == ["THA-MYS", "THA-JPN"]
    paras = kept.paragraphs[kept.paragraphs["article_id"] == mixed]
    assert paras["paragraph"].tolist() == [1, 2]
    assert paras["threads"].tolist() == [["THA-MYS"], ["THA-JPN"]]
    assert paras["participants"].tolist() == [["MYS"], ["JPN"]]
    assert compare.summary(kept)["thread"].tolist() == ["THA-MYS", "THA-JPN"]


# --------------------------------------------------------------------------- scale


def _replicate(ann: Annotations, n: int) -> Annotations:
    """*ann*'s tables repeated for *n* copies of its (single) article, renamed A00000..."""
    ids = np.array([f"A{i:05d}" for i in range(n)], dtype=object)
    tables = {}
    for name, table in ann.tables().items():
        big = table.loc[np.tile(table.index.to_numpy(), n)].reset_index(drop=True)
        big["article_id"] = np.repeat(ids, len(table))
        tables[name] = big
    return dataclasses.replace(ann, **tables)


@pytest.mark.slow
def test_compare_scales_to_ten_thousand_articles(seed: Annotations) -> None:
    big = _replicate(seed, 10_000)  # 90,000 paragraphs, about 2 million tokens
    started = time.perf_counter()
    summary = compare.summary(big)
    profile = compare.topic_profile(big)
    compare.actor_table(big)
    terms = compare.distinctive_terms(big, "THA-JPN", "THA-CHN")
    edges = compare.co_mentions(big, window="article")
    compare.timeline(big)
    rows = compare.evidence(big, thread="THA-JPN", topic="call_centre_scams")
    compare.filter_annotations(big, threads=["THA-CHN"], text="delegation")
    elapsed = time.perf_counter() - started
    assert summary.set_index("thread")["paragraphs"].to_dict() == {"THA-JPN": 60_000,
                                                                   "THA-CHN": 30_000}
    assert _row(profile, thread="THA-JPN", topic_id="call_centre_scams")["count"] == 20_000
    assert _row(terms, term="police")["count_a"] == 50_000
    # With this much evidence "police" is distinctive of THA-JPN.
    assert not _row(terms, term="police")["insufficient"]
    assert _row(edges, actor_a="Sun Weidong", actor_b="Tej Bunnag")["weight"] == 10_000
    assert len(rows) == 20_000
    # Vectorised: seconds, not minutes (generous for a loaded 2-core machine).
    assert elapsed < 90, f"compare took {elapsed:.1f} s on 10,000 articles"
    assert math.isfinite(terms["z"].abs().max())
