"""The `kit` command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kit
import kit.codebook
from kit.cli import main
from kit.codebook import load_codebook
from kit.corpus import load_corpus

from conftest import SEEDS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kit.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_version_and_help():
    assert run("--version").stdout.strip() == f"kit {kit.__version__}"
    out = run("--help").stdout
    for command in ("annotate", "compare", "report", "import", "codebook", "fetch"):
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


def test_cli_export_writes_csv_tables_and_a_workbook(tmp_path, capsys):
    base = ["export", str(SEEDS), "--model", "blank", "--no-cache"]
    assert main([*base, "--out", str(tmp_path / "csv")]) == 0
    assert "summary.csv" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "csv" / "summary.csv")
    assert summary.set_index("thread")["paragraphs"].to_dict() == {"THA-JPN": 6, "THA-CHN": 3}
    sentences = pd.read_csv(tmp_path / "csv" / "sentences.csv")
    # Every sentence of the seed, with the threads of its paragraph (";"-joined).
    assert sentences.groupby("paragraph")["threads"].first().to_dict() == {
        **{p: "THA-JPN" for p in range(6)}, **{p: "THA-CHN" for p in range(6, 9)}}

    assert main([*base, "--out", str(tmp_path / "xlsx"), "--format", "xlsx",
                 "--a", "THA-CHN", "--b", "THA-JPN"]) == 0
    book = pd.read_excel(tmp_path / "xlsx" / "threads.xlsx", sheet_name=None)
    assert list(book) == ["summary", "topic_profile", "actors", "co_mentions", "timeline",
                          "distinctive_terms", "sentences"]
    assert book["summary"][["thread", "paragraphs"]].equals(summary[["thread", "paragraphs"]])
    assert len(book["sentences"]) == len(sentences)
    assert set(book["distinctive_terms"].columns) >= {"term", "z"}


def test_cli_codebook_lists_counts(capsys):
    assert main(["codebook"]) == 0
    out = capsys.readouterr().out
    assert "Codebook OK" in out and "countries" in out
    cb = load_codebook()
    assert f"{len(cb.actors)} actors" in out and f"{len(cb.regions)} regions" in out


# --------------------------------------------------------------------------- kit codebook add-*


def _help(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_cli_codebook_help_documents_the_actions(capsys):
    out = _help(capsys, "codebook")
    for word in ("add-actor", "add-topic", "--check", "read-only", "--codebook"):
        assert word in out
    out = _help(capsys, "codebook", "add-actor")
    for option in ("--id", "--name", "--type", "--country", "--role", "--alias", "--replace"):
        assert option in out
    out = _help(capsys, "import")
    for option in ("--out", "--overwrite", "--text-col", "--date-col", "--id-col"):
        assert option in out


def test_cli_codebook_add_actor_and_topic_write_the_users_file(tmp_path, capsys):
    path = tmp_path / "mine.yml"
    assert main(["codebook", "add-actor", str(path), "--id", "osaka_test_desk", "--name",
                 "Osaka Test Desk", "--type", "org", "--country", "jpn", "--role", "Liaison",
                 "--alias", "OTD", "--alias", "O.T.D."]) == 0
    out = capsys.readouterr().out
    assert "Added actor 'osaka_test_desk' (Osaka Test Desk, ORG, Japan)" in out
    assert f"--codebook {path}" in out
    assert main(["codebook", "add-topic", str(path), "--id", "romance_fraud", "--category",
                 "crime", "--label", "Romance fraud", "--pattern", "romance scams?",
                 "--pattern", "love scams?"]) == 0
    assert "Added topic 'romance_fraud' (Romance fraud, category Crime, 2 patterns)" in \
        capsys.readouterr().out
    cb = load_codebook(path)
    assert cb.actors["osaka_test_desk"].aliases == ("OTD", "O.T.D.")
    assert cb.actors["osaka_test_desk"].country == "JPN"
    assert cb.topics["romance_fraud"].patterns == ("romance scams?", "love scams?")
    assert main(["codebook", "--check", str(path)]) == 0
    assert f"from {path}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--id", "royal_thai_police", "--name", "RTP Test", "--type", "ORG"],
         "exists already"),
        (["--id", "x_desk", "--name", "X Test Desk", "--type", "ORG", "--country", "ZZZ"],
         "'country' refers to unknown country 'ZZZ'"),
        (["--id", "x_desk", "--name", "Japan", "--type", "ORG"], "'Japan' is claimed"),
        (["--id", "x_desk", "--name", "X Test Desk", "--type", "ORG", "--valid-from",
          "01/02/2025"], "'valid_from' must be a date"),
    ],
    ids=["existing-id", "country", "collision", "date"],
)
def test_cli_codebook_add_actor_bad_entry_exits_2_and_writes_nothing(tmp_path, capsys, extra,
                                                                      message):
    path = tmp_path / "mine.yml"
    assert main(["codebook", "add-actor", str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kit codebook: error: ") and message in err and str(path) in err
    assert not path.exists()


def test_cli_codebook_add_refuses_the_bundled_codebook(capsys):
    bundled = Path(kit.codebook.__file__).parent / "codebook" / "actors.yml"
    before = bundled.read_bytes()
    assert main(["codebook", "add-topic", str(bundled), "--id", "x_topic", "--category",
                 "crime", "--label", "X", "--pattern", "x"]) == 2
    assert "the bundled codebook is read-only; write your own file" in capsys.readouterr().err
    assert bundled.read_bytes() == before


# --------------------------------------------------------------------------- tables


ROWS = [
    {"ref": "bkk-1", "published": "2025-09-29", "headline": "Thai and Japanese police meet",
     "outlet": "Test Wire", "body": "Thai police met Japanese officers in Osaka.\n\n"
     "They discussed call centre scams."},
    {"ref": "bkk-2", "published": "2025-10-02T08:30:00", "headline": "Second",
     "outlet": "Test Wire", "body": "Thailand and China signed an agreement."},
]
COLUMNS = ["--text-col", "body", "--date-col", "published", "--title-col", "headline",
           "--source-col", "outlet", "--id-col", "ref"]


def _table(folder: Path, suffix: str, rows: list[dict]) -> Path:
    path = folder / f"articles{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elif suffix == ".csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        pd.DataFrame(rows).to_excel(path, index=False, engine="openpyxl")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_cli_import_writes_one_article_file_per_row(tmp_path, capsys, suffix):
    table = _table(tmp_path, suffix, ROWS)
    out = tmp_path / "corpus"
    assert main(["import", str(table), "--out", str(out), *COLUMNS]) == 0
    printed = capsys.readouterr().out
    assert "Read 2 articles (3 paragraphs)" in printed and "2025-09-29 to 2025-10-02" in printed
    assert f"Wrote 2 article files to {out}" in printed
    corpus = load_corpus(out)
    articles = corpus.articles.set_index("article_id")
    assert list(articles.index) == ["bkk-1", "bkk-2"]
    assert articles.loc["bkk-1", "title"] == "Thai and Japanese police meet"
    assert articles.loc["bkk-2", "source"] == "Test Wire"
    assert str(articles.loc["bkk-2", "date"].date()) == "2025-10-02"
    assert corpus.paragraphs["text"].tolist() == [
        "Thai police met Japanese officers in Osaka.", "They discussed call centre scams.",
        "Thailand and China signed an agreement."]


def test_cli_import_never_overwrites_without_the_flag(tmp_path, capsys):
    table = _table(tmp_path, ".csv", ROWS)
    out = tmp_path / "corpus"
    assert main(["import", str(table), "--out", str(out), *COLUMNS]) == 0
    (out / "bkk-1.txt").write_text("date 2020-01-01\n\nEdited by hand.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(table), "--out", str(out), *COLUMNS]) == 2
    err = capsys.readouterr().err
    assert "bkk-1.txt exists already (and 1 more)" in err and "--overwrite" in err
    assert "Edited by hand." in (out / "bkk-1.txt").read_text(encoding="utf-8")
    assert main(["import", str(table), "--out", str(out), *COLUMNS, "--overwrite"]) == 0
    assert "(2 replaced)" in capsys.readouterr().out
    assert "Edited by hand." not in (out / "bkk-1.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_cli_import_bad_rows_exit_2_with_file_row_and_column(tmp_path, capsys, suffix):
    rows = [ROWS[0], {**ROWS[1], "published": "02/10/2025"},
            {**ROWS[1], "ref": "bkk-3", "published": "2025-02-30"},
            {**ROWS[1], "ref": "bkk-4", "body": ""}]
    table = _table(tmp_path, suffix, rows)
    out = tmp_path / "corpus"
    assert main(["import", str(table), "--out", str(out), *COLUMNS]) == 2
    err = capsys.readouterr().err
    assert f"{table}, line" in err
    assert "data row 2" in err and "'02/10/2025' is not in YYYY-MM-DD form" in err
    assert "data row 3" in err and "'2025-02-30' does not exist in the calendar" in err
    assert "data row 4" in err and "has no body" in err
    assert "date='published'" in err  # the column the dates were read from
    assert f"nothing was written to {out}" in err
    assert not out.exists()


def test_cli_import_missing_column_names_it_and_the_option(tmp_path, capsys):
    table = _table(tmp_path, ".csv", ROWS)
    assert main(["import", str(table), "--out", str(tmp_path / "o"), "--text-col",
                 "content", "--date-col", "published"]) == 2
    err = capsys.readouterr().err
    assert "missing required column 'content'" in err and "body" in err
    assert "pass --text-col NAME" in err


def test_cli_import_gives_unsafe_ids_safe_unique_file_names(tmp_path, capsys):
    ids = ["a/b", "../up", ".hidden", "Case", "case", "ok-id"]
    rows = [{**ROWS[1], "ref": i} for i in ids]
    table = _table(tmp_path, ".jsonl", rows)
    out = tmp_path / "corpus"
    assert main(["import", str(table), "--out", str(out), *COLUMNS]) == 0
    assert "'a/b' -> a-b.txt" in capsys.readouterr().out
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(ids) and "ok-id.txt" in files
    assert len({f.casefold() for f in files}) == len(ids)
    assert not any(f.startswith(".") for f in files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl", "corpus"]
    assert len(load_corpus(out).articles) == len(ids)


def test_cli_annotate_reads_table_columns(tmp_path, capsys):
    table = _table(tmp_path, ".csv", ROWS)
    out = tmp_path / "tables"
    assert main(["annotate", str(table), "--model", "blank", "--no-cache", "--out", str(out),
                 *COLUMNS]) == 0
    assert "Articles: 2" in capsys.readouterr().out
    articles = pd.read_csv(out / "articles.csv")
    assert articles["article_id"].tolist() == ["bkk-1", "bkk-2"]
    assert articles["title"].tolist() == ["Thai and Japanese police meet", "Second"]
    threads = pd.read_csv(out / "assignments.csv").groupby("thread").size().to_dict()
    assert threads == {"THA-CHN": 1, "THA-JPN": 2}


def test_cli_compare_combines_tables_and_article_folders(tmp_path, capsys):
    table = _table(tmp_path, ".jsonl", ROWS)
    assert main(["compare", str(table), str(SEEDS), "--model", "blank", "--no-cache",
                 *COLUMNS]) == 0
    out = capsys.readouterr().out
    assert "THA-JPN" in out and "THA-CHN" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annotate", str(SEEDS), "--text-col", "body"], "--text-col applies to .csv, .jsonl"),
        (["annotate", "TABLE", "--text-col", "body", "--date-col", "when"],
         "missing required column 'when'"),
        (["report", "TABLE", "TABLE", "--text-col", "body", "--date-col", "published"],
         "article id 'articles-1' is used twice"),
    ],
    ids=["no-table", "missing-column", "duplicate-ids"],
)
def test_cli_table_columns_bad_input_exits_2(tmp_path, capsys, args, message):
    table = _table(tmp_path, ".csv", ROWS)
    args = [str(table) if a == "TABLE" else a for a in args]
    out = ["--out", str(tmp_path / "out")] if args[0] != "compare" else []
    assert main([*args, "--model", "blank", "--no-cache", *out]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kit {args[0]}: error: ") and message in err
