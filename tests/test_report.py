"""Tests for kit.report: a self-contained, deterministic, offline HTML report."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from kit import compare, report
from kit.annotate import Annotations, annotate
from kit.corpus import load_corpus

THREADS_DIR = Path(__file__).parent / "data" / "threads"
DIV = re.compile(r'<div id="([^"]+)" class="plotly-graph-div"')


# Fixtures (to move to tests/conftest.py)
@pytest.fixture(scope="module")
def seed_report(seed: Annotations, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = report.write_report(seed, tmp_path_factory.mktemp("report") / "out" / "report.html")
    return path.read_text(encoding="utf-8")


def test_report_has_one_plotly_div_per_chart(seed_report: str) -> None:
    ids = DIV.findall(seed_report)
    assert ids == [f"kit-fig-{name}" for name in report.FIGURES]
    assert len(ids) == 7
    for name in report.FIGURES:
        assert seed_report.count(f'id="kit-section-{name}"') == 1
    assert '<section id="kit-summary"><h2>Summary</h2><table class="kit-table">' in seed_report
    assert "<td>Thailand–Japan</td>" in seed_report and "<td>Thailand–China</td>" in seed_report


def test_report_embeds_plotly_once_and_no_outside_url(seed_report: str) -> None:
    bundle = get_plotlyjs()
    # plotly.js is inlined exactly once, in the only <script> that has no figure in it.
    assert seed_report.count(bundle) == 1
    assert seed_report.count("<script") == 1 + len(report.FIGURES)
    # The bundle itself holds URLs (its licence header and the map/topojson endpoints that only
    # geo and map traces fetch; the report draws neither). Everything else, the kit's markup and
    # every figure, must hold none: no CDN, no web font, no MathJax.
    kit_markup = seed_report.replace(bundle, "")
    assert not re.search(r"https?:|//cdn|mathjax|@import|@font-face|\bsrc=", kit_markup,
                         re.IGNORECASE)


def test_report_draws_no_trace_that_fetches(seed: Annotations) -> None:
    # Map and geo traces would make plotly.js fetch tiles or topojson from the network.
    types = {t.type for fig in report.report_figures(seed).values() for t in fig.data}
    assert types <= {"bar", "heatmap", "sunburst", "scatter"}


def test_report_is_deterministic(seed: Annotations, tmp_path: Path) -> None:
    first = report.write_report(seed, tmp_path / "a.html").read_bytes()
    second = report.write_report(seed, tmp_path / "b.html").read_bytes()
    assert first == second


def test_report_is_written_atomically(seed: Annotations, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(report.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        report.write_report(seed, path)
    # The old file is intact and no temporary file is left behind.
    assert path.read_text(encoding="utf-8") == "previous report"
    assert os.listdir(tmp_path) == ["report.html"]
    monkeypatch.undo()
    report.write_report(seed, path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert os.listdir(tmp_path) == ["report.html"]


def test_report_three_threads(three: Annotations, tmp_path: Path) -> None:
    text = report.write_report(three, tmp_path / "r.html", a="THA-MYS", b="THA-JPN").read_text(
        encoding="utf-8")
    assert len(DIV.findall(text)) == 7
    assert "Distinctive terms: Thailand–Malaysia vs Thailand–Japan" in text
    for label in ("Thailand–Cambodia", "Thailand–Malaysia", "Thailand–Japan"):
        assert f"<td>{label}</td>" in text


def test_report_with_one_thread_skips_distinctive_terms(seed: Annotations,
                                                        tmp_path: Path) -> None:
    one = compare.filter_annotations(seed, threads=["THA-CHN"])
    text = report.write_report(one, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "kit-fig-distinctive_terms" not in text
    assert len(DIV.findall(text)) == 6
    assert "Distinctive terms need two threads" in text


def test_report_escapes_article_text(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "x.txt").write_text(
        "date 2025-09-01\n\nThai and Japanese police held talks on call centre scams "
        "<script>alert(1)</script> in Osaka.\n", encoding="utf-8")
    ann = annotate(load_corpus(folder), model="blank", cache=False)
    text = report.write_report(ann, tmp_path / "r.html").read_text(encoding="utf-8")
    kit_markup = text.replace(get_plotlyjs(), "")
    assert "<script>alert(1)" not in kit_markup
    # In hovers, escaped for plotly; plotly's JSON further writes "/" as \u002f.
    assert "&lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in kit_markup


@pytest.mark.parametrize(
    ("a", "b", "pair"),
    [
        (None, None, ("THA-JPN", "THA-CHN")),
        ("THA-CHN", None, ("THA-CHN", "THA-JPN")),
        (None, "THA-JPN", ("THA-CHN", "THA-JPN")),
    ],
)
def test_report_resolve_pair_defaults_to_the_largest_threads(seed: Annotations, a, b,
                                                             pair) -> None:
    assert report.resolve_pair(seed, a, b) == pair


@pytest.mark.parametrize(("a", "b", "message"), [("THA-FRA", None, "a='THA-FRA'"),
                                                 ("THA-JPN", "THA-JPN", "both 'THA-JPN'")])
def test_report_resolve_pair_rejects_bad_threads(seed: Annotations, a, b, message) -> None:
    with pytest.raises(ValueError, match=message):
        report.resolve_pair(seed, a, b)


def test_report_write_tables(seed: Annotations, tmp_path: Path) -> None:
    paths = report.write_tables(seed, tmp_path / "tables")
    assert sorted(p.name for p in paths) == sorted(
        ["summary.csv", "topic_profile.csv", "actors.csv", "co_mentions.csv", "timeline.csv",
         "distinctive_terms.csv", "sentences.csv"])
    summary = pd.read_csv(tmp_path / "tables" / "summary.csv")
    assert summary.set_index("thread")["paragraphs"].to_dict() == {"THA-JPN": 6, "THA-CHN": 3}
    # List cells are ";"-joined.
    assert summary.loc[0, "top_topics"].count(";") == 2
    text = report.tables_text(report.report_tables(seed), max_rows=3)
    assert text.startswith("Summary\n")
    assert "Distinctive terms" in text and "more rows" in text
