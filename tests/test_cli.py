"""The `kit` command line, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import kit
from kit.cli import main

from conftest import SEEDS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_version_and_help():
    assert run("--version").stdout.strip() == f"kit {kit.__version__}"
    out = run("--help").stdout
    for command in ("annotate", "compare", "report", "codebook", "fetch"):
        assert command in out


def test_cli_annotate_writes_the_tables_and_a_summary(tmp_path, capsys):
    code = main(["annotate", str(SEEDS), "--model", "blank", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("articles", "paragraphs", "mentions", "topics", "dates"):
        assert (tmp_path / "out" / f"{name}.csv").exists()
    assert "THA-JPN" in out and "Thailand–Japan" in out and "codebook-only" in out
    paragraphs = pd.read_csv(tmp_path / "out" / "paragraphs.csv")
    assert paragraphs.groupby("threads").size().to_dict() == {"THA-CHN": 3, "THA-JPN": 6}


def test_cli_second_annotate_run_is_served_from_the_cache(tmp_path, capsys):
    args = ["annotate", str(SEEDS), "--model", "blank", "--out", str(tmp_path / "out")]
    main(args)
    capsys.readouterr()
    main(args)
    assert "(1 from the cache)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annotate", "no/such/folder", "--out", "x"], "no/such/folder"),
        (["annotate", str(SEEDS), "--model", "no_such_model", "--out", "x"], "no_such_model"),
        (["annotate", str(SEEDS), "--focus", "ZZZ", "--model", "blank", "--out", "x"], "ZZZ"),
        (["codebook", "--check", "missing.yml"], "missing.yml"),
    ],
)
def test_cli_bad_input_exits_2_with_the_problem_on_stderr(tmp_path, monkeypatch, capsys,
                                                           args, message):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "error" in captured.err


def test_cli_codebook_lists_counts(capsys):
    assert main(["codebook"]) == 0
    out = capsys.readouterr().out
    assert "Codebook OK" in out and "countries" in out
