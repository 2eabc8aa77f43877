"""Tests for kit.corpus: the article format, tables, errors and the bundled sample."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.corpus import (
    STORY_OPENERS,
    Corpus,
    CorpusError,
    format_article,
    load_corpus,
    read_table,
    sample,
    write_article,
)

SEEDS = Path(__file__).parents[1] / "seeds"
SEED = SEEDS / "000_046c6d8a20023494.txt"
BUNDLED = Path(__file__).parents[1] / "kit" / "data" / "sample" / SEED.name


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()} | {str(p.relative_to(folder)) + "/": b"" for p in folder.rglob("*")
                               if p.is_dir()}


# --- the seed and the sample -------------------------------------------------------------

def test_corpus_seed_loads_as_one_article_in_two_stories(seed_corpus: Corpus) -> None:
    corpus = seed_corpus
    assert len(corpus.articles) == 1
    article = corpus.articles.iloc[0]
    assert article.article_id == "000_046c6d8a20023494"
    assert article.date == pd.Timestamp("2025-09-29")
    assert article.n_paragraphs == 9
    paras = corpus.paragraphs
    assert paras.paragraph.tolist() == list(range(9))
    assert paras.text[0].startswith("Thai police are stepping up")
    assert paras.text[6].startswith("In a related story, China reaffirmed")
    assert paras.story.tolist() == [0] * 6 + [1] * 3
    assert corpus.problems.empty


def test_corpus_seed_columns_and_dtypes() -> None:
    corpus = load_corpus(SEED)
    assert list(corpus.articles.columns) == [
        "article_id", "path", "date", "title", "source", "url", "language",
        "n_paragraphs", "n_words",
    ]
    assert list(corpus.paragraphs.columns) == ["article_id", "paragraph", "story", "text"]
    assert str(corpus.articles.date.dtype).startswith("datetime64")
    assert corpus.articles.n_words.dtype.kind == "i"
    assert corpus.paragraphs.story.dtype.kind == "i"
    assert corpus.articles.n_words[0] == len(SEED.read_text("utf-8").split()) - 2  # date header
    assert pd.isna(corpus.articles.title[0])


def test_corpus_sample_equals_loading_the_seeds(seed_corpus: Corpus) -> None:
    bundled, seeds = sample(), seed_corpus
    pd.testing.assert_frame_equal(bundled.paragraphs, seeds.paragraphs)
    pd.testing.assert_frame_equal(bundled.articles.drop(columns="path"),
                                  seeds.articles.drop(columns="path"))
    assert Path(bundled.articles.path[0]).read_bytes() == SEED.read_bytes()


def test_corpus_sample_works_from_another_directory(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sample().paragraphs.story.tolist() == [0] * 6 + [1] * 3


def test_corpus_bundled_copy_is_byte_identical_to_seed() -> None:
    assert BUNDLED.read_bytes() == SEED.read_bytes()


def test_corpus_repr_is_short() -> None:
    assert repr(load_corpus(SEED)) == "Corpus(1 articles, 9 paragraphs, 0 problems)"


# --- the article format -------------------------------------------------------------------

def test_corpus_headers_on_their_own_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "a1.txt", "date 2024-02-29\ntitle Police talks in Hanoi\n"
                  "source Bangkok Post\nurl https://example.org/a1\nlanguage en\n\n"
                  "First paragraph.\n\nSecond paragraph.\n")
    article = load_corpus(path).articles.iloc[0]
    assert (article.article_id, article.title, article.source, article.url, article.language) == (
        "a1", "Police talks in Hanoi", "Bangkok Post", "https://example.org/a1", "en")
    assert article.date == pd.Timestamp("2024-02-29")
    assert article.n_paragraphs == 2
    assert article.n_words == 4


def test_corpus_colon_headers_any_case_and_any_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.md", "Title: Navy drills\nDATE: 2023-01-05\nsource : Nation\n\n"
                  "Body text here.")
    article = load_corpus(path).articles.iloc[0]
    assert (article.title, article.source) == ("Navy drills", "Nation")
    assert article.date == pd.Timestamp("2023-01-05")


def test_corpus_crlf_bom_and_trailing_whitespace(tmp_path: Path) -> None:
    raw = "\ufeff \r\n  date 2025-01-02   \r\ntitle  Spaced title  \t\r\n\r\n" \
          "Line one  \r\nline two\t\r\n   \r\n\r\nNext.  \r\n"
    corpus = load_corpus(_write(tmp_path, "c.txt", raw))
    assert corpus.articles.title[0] == "Spaced title"
    assert corpus.paragraphs.text.tolist() == ["Line one line two", "Next."]


def test_corpus_multi_line_paragraphs_are_joined(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.txt", "date 2025-03-04 First line\ncontinues here\n\n\n\n"
                  "Second\n  indented line\n")
    assert load_corpus(path).paragraphs.text.tolist() == [
        "First line continues here", "Second indented line"]


def test_corpus_unknown_key_starts_the_body(tmp_path: Path) -> None:
    path = _write(tmp_path, "e.txt", "date 2025-03-04\nauthor Somchai\n\nText.\n")
    corpus = load_corpus(path)
    assert corpus.paragraphs.text.tolist() == ["author Somchai", "Text."]


def test_corpus_capitalised_space_form_is_body_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.txt", "date 2025-03-04\nSource said the deal was close.\n")
    corpus = load_corpus(path)
    assert pd.isna(corpus.articles.source[0])
    assert corpus.paragraphs.text.tolist() == ["Source said the deal was close."]


@pytest.mark.parametrize("opener", STORY_OPENERS)
def test_corpus_story_openers_start_new_stories(tmp_path: Path, opener: str) -> None:
    body = f"Vietnam and Thailand met.\n\nMore on that.\n\n{opener.upper()} Laos signed.\n\n" \
           f"{opener.lower()} Cambodia too.\n"
    corpus = load_corpus(_write(tmp_path, "g.txt", "date 2025-01-01\n\n" + body))
    assert corpus.paragraphs.story.tolist() == [0, 0, 1, 2]


def test_corpus_opener_needs_a_word_boundary_and_a_previous_paragraph(tmp_path: Path) -> None:
    body = "In other news, a first paragraph.\n\nIn other newsrooms, staff left.\n\n" \
           "Separately, Malaysia joined.\n"
    corpus = load_corpus(_write(tmp_path, "h.txt", "date 2025-01-01\n\n" + body))
    assert corpus.paragraphs.story.tolist() == [0, 0, 1]


# --- bad input ----------------------------------------------------------------------------

BAD_FILES = [
    ("no_date.txt", b"title Only a title\n\nSome text.\n", "no date header", 1),
    ("bad_month.txt", b"date 2025-13-45 Text.\n", "does not exist in the calendar", 1),
    ("slashes.txt", b"\n\ndate 29/09/2025 Text.\n", "not in YYYY-MM-DD form", 3),
    ("empty_body.txt", b"date 2025-09-29\ntitle T\n\n  \n", "no body text", None),
    ("empty.txt", b"  \n\n", "file is empty", None),
    ("latin1.txt", b"date 2025-09-29\n\nCaf\xe9 au lait.\n", "byte offset 20", 3),
    ("binary.txt", b"date 2025-09-29 \x00\x01\x02", "looks binary", None),
    ("twice.txt", b"date 2025-09-29\ndate 2025-09-30\n\nText.\n", "appears twice", 2),
    ("old.txt", b"date 1500-01-01 Text.\n", "outside the supported years", 1),
    ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'", None),
]


@pytest.mark.parametrize(("name", "content", "problem", "line"), BAD_FILES,
                         ids=[case[0] for case in BAD_FILES])
def test_corpus_bad_file_error_names_file_problem_and_line(
    tmp_path: Path, name: str, content: bytes, problem: str, line: int | None
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    message = str(info.value)
    assert name in message and problem in message
    assert info.value.path == str(path)
    assert info.value.line == line
    if line is not None:
        assert f"line {line}" in message


def test_corpus_unsupported_extension_lists_supported_types(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"\.txt, \.md, \.csv, \.jsonl or \.xlsx"):
        load_corpus(_write(tmp_path, "a.docx", b"x"))


def test_corpus_size_limit_is_checked_before_reading(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "big.txt", "date 2025-01-01 " + "word " * 100)

    def _no_reading(self: Path) -> bytes:
        raise AssertionError("read a file over the limit")

    monkeypatch.setattr(Path, "read_bytes", _no_reading)
    with pytest.raises(CorpusError, match=r"big\.txt: file is 516 bytes, over the limit of 100"):
        load_corpus(path, max_bytes=100)


def test_corpus_missing_path_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nowhere\.txt: path does not exist"):
        load_corpus(tmp_path / "nowhere.txt")
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "empty", ".hidden.txt", "date 2025-01-01 Hidden.")
    _write(tmp_path / "empty", "notes.csv", "a,b\n1,2\n")
    with pytest.raises(CorpusError, match=r"empty: folder has no \.txt or \.md article files"):
        load_corpus(tmp_path / "empty")


def test_corpus_duplicate_ids_name_both_paths(tmp_path: Path) -> None:
    one = _write(tmp_path, "x/same.txt", "date 2025-01-01 One.")
    two = _write(tmp_path, "y/same.md", "date 2025-01-02 Two.")
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)
    assert str(one) in str(info.value) and str(two) in str(info.value)
    assert "'same' is used twice" in str(info.value)


@pytest.mark.parametrize("errors", ["ignore", "warn", ""])
def test_corpus_invalid_errors_option_is_value_error(errors: str) -> None:
    with pytest.raises(ValueError, match="errors must be"):
        load_corpus(SEED, errors=errors)  # type: ignore[arg-type]


def test_corpus_errors_is_not_a_corpus_error_for_bad_options() -> None:
    with pytest.raises(ValueError) as info:
        load_corpus(SEED, max_bytes=0)
    assert not isinstance(info.value, CorpusError)


def test_corpus_collect_returns_valid_articles_and_problems(tmp_path: Path) -> None:
    _write(tmp_path, "a_good.txt", "date 2025-01-01 Good one.")
    _write(tmp_path, "b_bad.txt", "date 2025-02-30 Bad day.")
    _write(tmp_path, "c_good.md", "date 2025-01-03\n\nAlso good.")
    _write(tmp_path, "sub/d_nodate.txt", "Just text.")
    corpus = load_corpus([tmp_path, tmp_path / "missing"], errors="collect")
    assert corpus.articles.article_id.tolist() == ["a_good", "c_good"]
    problems = corpus.problems
    assert list(problems.columns)[:3] == ["path", "line", "problem"]
    assert [Path(p).name for p in problems.path] == ["b_bad.txt", "d_nodate.txt", "missing"]
    assert problems.line.tolist()[:2] == [1, 1] and pd.isna(problems.line[2])
    assert problems.problem[2] == "path does not exist"
    assert "2025-02-30" in problems.problem[0]


def test_corpus_collect_with_nothing_valid_keeps_columns(tmp_path: Path) -> None:
    corpus = load_corpus(_write(tmp_path, "bad.txt", "no date"), errors="collect")
    assert corpus.articles.empty and corpus.paragraphs.empty
    assert list(corpus.paragraphs.columns) == ["article_id", "paragraph", "story", "text"]
    assert str(corpus.articles.date.dtype).startswith("datetime64")
    assert corpus.problems.problem.tolist() == ["no date header"]


def test_corpus_error_survives_pickling(tmp_path: Path) -> None:
    import pickle

    with pytest.raises(CorpusError) as info:
        load_corpus(_write(tmp_path, "p.txt", "date 2025-99-01 x"))
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.path, copy.line, copy.problem, str(copy)) == (
        info.value.path, 1, info.value.problem, str(info.value))


# --- folders and tables -------------------------------------------------------------------

def test_corpus_folder_recursion_is_sorted_and_skips_hidden(tmp_path: Path) -> None:
    _write(tmp_path, "b/2.txt", "date 2025-01-02 Two.")
    _write(tmp_path, "a/z.md", "date 2025-01-01 One.")
    _write(tmp_path, "b/1.TXT", "date 2025-01-03 Three.")
    _write(tmp_path, ".git/hidden.txt", "not an article")
    _write(tmp_path, "a/.draft.txt", "not an article")
    _write(tmp_path, "a/readme.rst", "not an article")
    corpus = load_corpus(tmp_path)
    assert corpus.articles.article_id.tolist() == ["z", "1", "2"]


def test_corpus_csv_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "news.csv",
                  'date,title,source,text,url\n'
                  '2025-01-01,Talks,Nation,"First para.\n\nSecond\npara.",https://x.org/1\n'
                  '\n'
                  '2025-01-02T08:30:00,,,Only one.,\n')
    corpus = load_corpus(path)
    assert corpus.articles.article_id.tolist() == ["news-1", "news-2"]
    assert corpus.articles.date.tolist() == [pd.Timestamp("2025-01-01"),
                                            pd.Timestamp("2025-01-02")]
    assert corpus.articles.url[0] == "https://x.org/1" and pd.isna(corpus.articles.title[1])
    assert corpus.paragraphs.text.tolist() == ["First para.", "Second para.", "Only one."]
    assert corpus.articles.path.tolist() == [str(path)] * 2


@pytest.mark.parametrize(("content", "problem", "line"), [
    ("date,text\n2025-01-01,Fine.\n2025-01-01,\n", "data row 2 (line 3) has no text", 3),
    ('date,text\n2025-01-01,"multi\n\nline"\n,No date.\n', "data row 2 (line 5) has no date", 5),
    ("date,text\n2025-01-01,Fine.\n01/02/2025,Bad.\n",
     "data row 2 (line 3): date '01/02/2025' is not in YYYY-MM-DD form", 3),
    ("date,text\n2025-02-31,Bad.\n", "data row 1 (line 2): date '2025-02-31' does not exist", 2),
    ("when,body\n2025-01-01,x\n", "missing required column 'text' (columns found: when, body)",
     None),
    ("date,text\n", "table has no data rows", None),
])
def test_corpus_bad_csv_rows(tmp_path: Path, content: str, problem: str,
                             line: int | None) -> None:
    path = _write(tmp_path, "t.csv", content)
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert "t.csv" in str(info.value) and problem in str(info.value)
    assert info.value.line == line


def test_corpus_jsonl_table_with_ids(tmp_path: Path) -> None:
    rows = [{"id": "bp-1", "date": "2025-05-01", "text": "Alpha.", "title": "A"},
            {"date": "2025-05-02", "text": "Beta.\n\nIn other news, Gamma.", "source": "VnE"}]
    path = _write(tmp_path, "feed.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    corpus = load_corpus(path)
    assert corpus.articles.article_id.tolist() == ["bp-1", "feed-2"]
    assert corpus.paragraphs.story.tolist() == [0, 0, 1]
    assert corpus.articles.source[1] == "VnE"


@pytest.mark.parametrize(("content", "problem", "line"), [
    ('{"date": "2025-01-01", "text": "ok"}\n{"date": "2025-01-01", "text": oops}\n',
     "line 2 is not valid JSON", 2),
    ('{"date": "2025-01-01", "text": "ok"}\n\n["a", "b"]\n', "line 3 is a JSON array", 3),
    ('{"date": "2025-01-01", "text": "ok"}\n{"date": "2025-01-01"}\n',
     "data row 2 (line 2) has no text", 2),
    ('{"date": "2025-01-01", "text": "ok"}\n{"text": "no date"}\n',
     "data row 2 (line 2) has no date", 2),
    ('{"date": "2025-01-01", "text": "  "}\n', "data row 1 (line 1) has no text", 1),
])
def test_corpus_bad_jsonl_rows(tmp_path: Path, content: str, problem: str, line: int) -> None:
    with pytest.raises(CorpusError) as info:
        load_corpus(_write(tmp_path, "f.jsonl", content))
    assert "f.jsonl" in str(info.value) and problem in str(info.value)
    assert info.value.line == line


def test_corpus_jsonl_collect_keeps_good_rows(tmp_path: Path) -> None:
    content = ('{"date": "2025-01-01", "text": "ok"}\nnot json\n'
               '{"date": "2025-01-01", "text": ""}\n')
    corpus = load_corpus(_write(tmp_path, "f.jsonl", content), errors="collect")
    # Lines are independent: a line that is no JSON costs its own row, not the file.
    assert corpus.articles.article_id.tolist() == ["f-1"]
    assert corpus.problems.line.tolist() == [2, 3]
    assert "line 2 is not valid JSON" in corpus.problems.message[0]
    corpus = load_corpus(_write(tmp_path, "g.jsonl", content.replace("not json\n", "")),
                         errors="collect")
    assert corpus.articles.article_id.tolist() == ["g-1"]
    assert corpus.problems.problem.tolist() == ["data row 2 (line 2) has no text"]


def test_corpus_xlsx_table(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    pd.DataFrame({
        "Date": [dt.datetime(2025, 6, 1), "2025-06-02"],
        "Title": ["One", None],
        "Text": ["Para one.\n\nPara two.", "Single."],
    }).to_excel(path, index=False)
    corpus = load_corpus(path)
    assert corpus.articles.article_id.tolist() == ["sheet-1", "sheet-2"]
    assert corpus.articles.date.tolist() == [pd.Timestamp("2025-06-01"),
                                            pd.Timestamp("2025-06-02")]
    assert corpus.articles.n_paragraphs.tolist() == [2, 1]


def test_corpus_xlsx_bad_date_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    pd.DataFrame({"date": ["2025-06-01", "June 2"], "text": ["a", "b"]}).to_excel(path,
                                                                                 index=False)
    with pytest.raises(CorpusError, match=r"sheet\.xlsx: data row 2 \(sheet row 3\): date"):
        load_corpus(path)
    _write(tmp_path, "broken.xlsx", b"not a zip file")
    with pytest.raises(CorpusError, match=r"broken\.xlsx: cannot be read as an Excel workbook"):
        load_corpus(tmp_path / "broken.xlsx")


def test_corpus_read_table_maps_column_names(tmp_path: Path) -> None:
    path = _write(tmp_path, "mine.csv", "published,headline,outlet,body,key,link\n"
                  "2025-07-07,Joint patrol,Khmer Times,Police met.,kt-9,https://kt.example\n")
    corpus = read_table(path, text_col="body", date_col="published", title_col="headline",
                        source_col="outlet", id_col="key", url_col="link")
    article = corpus.articles.iloc[0]
    assert (article.article_id, article.title, article.source, article.url) == (
        "kt-9", "Joint patrol", "Khmer Times", "https://kt.example")
    with pytest.raises(CorpusError, match=r"mine\.csv: missing required column 'heading'.*"
                                          r"columns found: published, headline, outlet"):
        read_table(path, text_col="body", date_col="published", title_col="heading")


# --- writing ------------------------------------------------------------------------------

def test_corpus_format_article_layout() -> None:
    text = format_article(["First\nparagraph.", "", "Second."], date=dt.date(2025, 9, 29),
                          title="A title", source="Nation")
    assert text == ("date: 2025-09-29\ntitle: A title\nsource: Nation\n\n"
                    "First paragraph.\n\nSecond.\n")


def test_corpus_jsonl_lone_surrogate_is_a_row_problem(tmp_path: Path) -> None:
    # JSON may escape half a UTF-16 pair ("\ud800"); it is no character, and pandas/pyarrow
    # cannot store it. A pair of escapes is one character and loads.
    lines = ['{"date": "2025-03-01", "text": "Vietnamese police met \\ud800 officers."}',
             '{"date": "2025-03-02", "text": "Talks in Hanoi \\ud83e\\udd1d went well."}',
             '{"id": "x\\udfff", "date": "2025-03-03", "text": "Lao officials visited."}',
             '{"date": "2025-03-04", "text": "Ties grew.", "note \\udc00": "a \\udc01 b"}',
             '{"date": "2025-03-05", "text": "Patrols.", "source": "\\udbff"}']
    path = _write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus(path, errors="collect")
    # Unused columns may hold anything; the rows whose used cells hold one are reported.
    assert corpus.articles.article_id.tolist() == ["feed-2", "feed-4"]
    assert corpus.paragraphs.text.tolist() == ["Talks in Hanoi \U0001F91D went well.",
                                               "Ties grew."]
    assert corpus.problems.line.tolist() == [1, 3, 5]
    messages = corpus.problems.message.tolist()
    for message, column, escape in zip(messages, ["text", "id", "source"],
                                       ["\\ud800", "\\udfff", "\\udbff"]):
        assert "data row" in message and f"column {column!r}" in message and escape in message
        message.encode("utf-8")  # the message itself can be printed and stored
    with pytest.raises(CorpusError, match=r"feed\.jsonl, line 1: data row 1 \(line 1\)"):
        load_corpus(path)


def test_corpus_jsonl_bad_lines_are_row_problems_in_file_order(tmp_path: Path) -> None:
    lines = ['{"date": "2025-03-01", "text": "Thai and Lao police met."}',
             '["not", "an", "object"]',
             '{"date": "2025-03-02", "text": "Patrols began.", "extra": ' + "[" * 50_000
             + "]" * 50_000 + "}",
             '{"date": "2025-03-03"}',
             '{"date": "2025-03-04", "text": "Talks ended."}',
             '{"date": "2025-03-05", "text": broken}']
    path = _write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    corpus = load_corpus(path, errors="collect")
    assert corpus.articles.article_id.tolist() == ["feed-1", "feed-3"]
    assert corpus.problems.line.tolist() == [2, 3, 4, 6]
    expected = ["line 2 is a JSON array, not an object", "line 3 nests JSON arrays or objects "
                "too deeply to read", "data row 2 (line 4) has no text", "line 6 is not valid JSON"]
    for problem, start in zip(corpus.problems.problem, expected, strict=True):
        assert problem.startswith(start), problem
    with pytest.raises(CorpusError, match="line 2 is a JSON array"):
        load_corpus(path)
    only_bad = _write(tmp_path, "bad.jsonl", "oops\nnull\n")
    problems = load_corpus(only_bad, errors="collect").problems
    assert problems.line.tolist() == [1, 2] and "a JSON null, not an object" in problems.message[1]


def test_corpus_file_name_that_is_not_utf8_is_kept(tmp_path: Path) -> None:
    # A zip made on another system can give names whose bytes are not UTF-8; Python hands them
    # over as surrogates, which tables cannot hold. The article is kept, the byte shown.
    folder = tmp_path.as_posix().encode()
    try:
        with open(folder + b"/caf\xe9.txt", "wb") as handle:
            handle.write(b"date 2025-04-01\n\nCambodian police met Thai officers.\n")
    except OSError:  # some file systems (macOS APFS) refuse such names outright
        pytest.skip("this file system refuses file names that are not UTF-8")
    with open(folder + b"/bad\xff.txt", "wb") as handle:
        handle.write(b"no date here\n")
    _write(tmp_path, "plain.txt", "date 2025-04-02\n\nThai police visited Laos.\n")
    corpus = load_corpus(tmp_path, errors="collect")
    assert sorted(corpus.articles.article_id) == ["caf\\xe9", "plain"]
    assert corpus.articles.path.str.endswith("caf\\xe9.txt").sum() == 1
    assert corpus.problems.path.str.endswith("bad\\xff.txt").tolist() == [True]
    assert "bad\\xff.txt, line 1: no date header" in corpus.problems.message[0]


def test_corpus_format_article_refuses_a_lone_surrogate() -> None:
    with pytest.raises(ValueError, match=r"lone surrogate \(\\ud800\)"):
        format_article(["Police met \ud800 officers."], date=dt.date(2025, 1, 1))


@pytest.mark.parametrize("paragraphs", [[], ["", "  \n "], "\n\n"])
def test_corpus_format_article_needs_a_paragraph(paragraphs: list[str] | str) -> None:
    with pytest.raises(ValueError, match="at least one non-empty paragraph"):
        format_article(paragraphs, date=dt.date(2025, 1, 1))


def test_corpus_write_article_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.txt"
    text = format_article("One.\n\nTwo.", date=dt.date(2025, 1, 1))
    assert write_article(path, text) == path
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_article(path, "other")
    assert path.read_text("utf-8") == text
    write_article(path, text.replace("Two", "Three"), overwrite=True)
    assert load_corpus(path).paragraphs.text.tolist() == ["One.", "Three."]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.txt"]  # no temp files left


def test_corpus_loading_leaves_inputs_unchanged(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "date 2025-01-01 A.")
    _write(tmp_path, "sub/b.md", "no date")
    _write(tmp_path, "t.csv", "date,text\n2025-01-01,x\n")
    pd.DataFrame({"date": ["2025-01-01"], "text": ["y"]}).to_excel(tmp_path / "s.xlsx",
                                                                   index=False)
    before = _snapshot(tmp_path)
    load_corpus([tmp_path, tmp_path / "t.csv", tmp_path / "s.xlsx"], errors="collect")
    read_table(tmp_path / "t.csv")
    assert _snapshot(tmp_path) == before


# --- properties ---------------------------------------------------------------------------

# tmp_path is shared by the examples of one test; each example overwrites its one file.
_PROPERTY = settings(max_examples=100, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])

# Plain text mixed with the pieces most likely to confuse a parser: control characters,
# zero-width and bidi marks, BOMs, odd line breaks, emoji, and header-like fragments.
_ANY_TEXT = st.lists(st.text() | st.sampled_from(
    ["\x00", "\x07", "\u200b", "\u200f", "\u202e", "\ufeff", "\r", "\u2028", "\x85", "🇹🇭",
     "date 2025-09-29 ", "date 2025-02-30", "\n\n", "\n", "title: ", "Source ", "In other news"]),
    max_size=12).map("".join)


@_PROPERTY
@given(raw=st.binary(max_size=300))
def test_corpus_arbitrary_bytes_raise_only_corpus_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(raw)
    try:
        corpus = load_corpus(path)
    except CorpusError as exc:
        assert "any.txt" in str(exc)
    else:
        assert isinstance(corpus, Corpus) and len(corpus.articles) == 1


@_PROPERTY
@given(text=_ANY_TEXT, prefix=st.sampled_from(["", "date 2025-09-29 ", "date 2025-09-29\n\n"]))
def test_corpus_arbitrary_text_raises_only_corpus_error(tmp_path: Path, text: str,
                                                        prefix: str) -> None:
    path = tmp_path / "any.txt"
    path.write_text(prefix + text, encoding="utf-8", newline="")
    for errors in ("raise", "collect"):
        try:
            corpus = load_corpus(path, errors=errors)  # type: ignore[arg-type]
        except CorpusError:
            assert errors == "raise"
        else:
            assert len(corpus.articles) + len(corpus.problems) == 1


_PARAGRAPH = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1).filter(
    lambda s: s.strip() != "")
_HEADER = st.none() | st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


@_PROPERTY
@given(paragraphs=st.lists(_PARAGRAPH, min_size=1, max_size=5),
       date=st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
       title=_HEADER, source=_HEADER)
def test_corpus_format_article_round_trips(tmp_path: Path, paragraphs: list[str], date: dt.date,
                                           title: str | None, source: str | None) -> None:
    path = write_article(tmp_path / "rt.txt", format_article(
        paragraphs, date=date, title=title, source=source), overwrite=True)
    corpus = load_corpus(path)
    expected = [" ".join(x.strip() for x in p.replace("\r\n", "\n").replace("\r", "\n")
                         .split("\n") if x.strip()) for p in paragraphs]
    assert corpus.paragraphs.text.tolist() == expected
    assert corpus.articles.date[0] == pd.Timestamp(date)
    title_back = corpus.articles.title[0]
    if title is None or not " ".join(title.split()):
        assert pd.isna(title_back)
    else:
        assert " ".join(title_back.split()) == " ".join(title.split())
