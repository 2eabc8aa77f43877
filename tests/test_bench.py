"""Tests for the benchmark scripts: bench/generate.py (the synthetic corpus) and a smoke test of
bench/run.py on 20 articles.

No assertion here is about speed: timings on a shared machine prove nothing in a unit test.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from kit.annotate import annotate
from kit.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]


def _load(name: str):
    # bench/ is not a package: load its scripts by path, under names that cannot clash.
    spec = importlib.util.spec_from_file_location(f"kit_bench_{name}",
                                                  REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")


# --------------------------------------------------------------------------- bench/generate.py


def test_bench_generate_same_seed_same_bytes(tmp_path, codebook):
    a = generate.generate(5, tmp_path / "a", seed=3, codebook=codebook)
    b = generate.generate(5, tmp_path / "b", seed=3, codebook=codebook)
    assert [p.name for p in a] == [p.name for p in b]
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_bench_generate_different_seed_different_articles(codebook):
    assert generate.texts(3, seed=1, codebook=codebook) != generate.texts(3, seed=2,
                                                                            codebook=codebook)


def test_bench_generate_prefix_is_stable(codebook):
    # Article i depends on (seed, i) only: a small corpus is the start of a large one.
    assert generate.texts(4, seed=0, codebook=codebook) == \
        generate.texts(9, seed=0, codebook=codebook)[:4]


def test_bench_generate_reads_as_articles(tmp_path, codebook):
    corpus = load_corpus(generate.generate(12, tmp_path, seed=7, codebook=codebook))
    assert len(corpus.articles) == 12
    assert corpus.articles["n_words"].between(300, 900).all()
    assert corpus.articles["date"].notna().all()
    names = {c.name for c in codebook.countries.values()}
    texts = " ".join(corpus.paragraphs["text"])
    assert "Thai" in texts
    assert sum(name in texts for name in names) >= 5
    assert not corpus.paragraphs["text"].str.contains(r"\{|\}|,\.", regex=True).any()


def test_bench_generate_articles_have_a_focus_thread(tmp_path, blank_nlp, codebook):
    # The lead of every article is a bilateral event with the focus country: the thread rules
    # must find it, as they would in a real report.
    paths = generate.generate(12, tmp_path, seed=11, codebook=codebook)
    ann = annotate(load_corpus(paths), nlp=blank_nlp, codebook=codebook, cache=False)
    leads = ann.paragraphs[ann.paragraphs["paragraph"] == 0]
    assert leads["threads"].map(lambda t: any(x.startswith("THA-") for x in t)).all()


def test_bench_generate_cli(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "3", str(tmp_path / "out"),
         "--seed", "4"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "wrote 3 articles" in proc.stdout
    assert len(list((tmp_path / "out").glob("*.txt"))) == 3


@pytest.mark.parametrize("n", [-1, 1_000_001])
def test_bench_generate_rejects_bad_n(n, codebook):
    with pytest.raises(ValueError, match="n must be between 0 and 1,000,000"):
        list(generate.articles(n, codebook=codebook))


# --------------------------------------------------------------------------- bench/run.py


# Rows --quick measures (it skips the statistical pipeline's n_process=2 run).
ROWS_MEASURED = ("throughput/codebook/1", "throughput/codebook/2", "throughput/statistical/1",
                 "cache/rerun", "cache/changed", "dashboard/median", "dashboard/p95",
                 "memory/peak", "memory/per-article", "dask/throughput", "dask/identical")


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--articles", "20", "--quick",
         "--silent", "--json", str(out), "--workdir", str(folder)],
        capture_output=True, text=True, timeout=600, cwd=folder, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout, json.loads(out.read_text(encoding="utf-8"))


def _printed_rows(stdout: str) -> list[list[str]]:
    lines = [line for line in stdout.splitlines() if line.startswith("| ")]
    header, *body = lines
    assert [c.strip() for c in header.split("|")[1:-1]] == [
        "Benchmark", "N", "Kit", "Baseline", "Ratio", "Target", "Result"]
    return [[cell.strip() for cell in line.split("|")[1:-1]] for line in body]


@pytest.mark.slow
def test_bench_prints_every_row(bench_run):
    stdout, results = bench_run
    run = _load("run")
    assert [r["key"] for r in results["rows"]] == list(run.ROW_KEYS)
    printed = _printed_rows(stdout)
    assert len(printed) == len(run.ROW_KEYS)
    for row, cells in zip(results["rows"], printed):
        assert cells[0] == row["benchmark"]
        assert cells[6].startswith(row["result"])
        if row["ratio"] is not None:
            assert float(cells[4]) == pytest.approx(row["ratio"], rel=1e-2)


@pytest.mark.slow
def test_bench_measures_every_row_it_does_not_skip(bench_run):
    _, results = bench_run
    rows = {r["key"]: r for r in results["rows"]}
    assert rows["throughput/statistical/2"]["result"].startswith("skipped")
    for key in ROWS_MEASURED:
        if key == "throughput/statistical/1" and rows[key]["result"].startswith("skipped"):
            continue  # no statistical pipeline installed: the row says so
        assert math.isfinite(rows[key]["ratio"]) and rows[key]["ratio"] > 0, key



@pytest.mark.slow
def test_bench_correctness_rows_hold(bench_run):
    # Correctness, not speed: these hold at any size on any machine.
    _, results = bench_run
    rows = {r["key"]: r for r in results["rows"]}
    assert rows["dask/identical"]["kit"] == "identical"
    assert rows["dask/identical"]["result"] == "met"
    assert rows["cache/rerun"]["data"] == {"cache": {"annotated": 0, "cached": 20},
                                           "identical": True}
    assert rows["cache/changed"]["data"] == {"cache": {"annotated": 1, "cached": 19},
                                             "identical": True}
    assert rows["cache/changed"]["result"] == "met"


@pytest.mark.slow
def test_bench_says_why_a_target_is_missed(bench_run):
    stdout, results = bench_run
    for row in results["rows"]:
        if row["result"].startswith("MISSED"):
            assert row["why"], row["key"]
            assert row["why"] in stdout


@pytest.mark.slow
def test_bench_reports_the_machine(bench_run):
    stdout, results = bench_run
    assert {"python", "cpus", "spacy", "pandas"} <= set(results["machine"])
    assert "Machine: python" in stdout
    assert "Sizes: throughput 20, statistical 20, cache 20, large 20" in stdout
