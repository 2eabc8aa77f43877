"""Robustness: random and hostile input to the corpus loader, the codebook loader and annotate.

Property-based tests (hypothesis) feed random Unicode, empty and enormous paragraphs,
zero-width, right-to-left and control characters and emoji to each stage. Nothing may fail
outside the documented errors (CorpusError, CodebookError), a valid article (a valid date header
and at least one non-blank paragraph) is never dropped, and annotation offsets always slice the
paragraph text. Crashes found here that need a fix outside the tests are pinned by tests marked
``xfail(strict=True)``: they turn red once fixed, so the marker can go.

Size and scaling are checked by counting (tokens, function calls, characters scanned), never
by timing; timings belong to ``bench/``.
"""

from __future__ import annotations

import cProfile
import csv
import datetime as dt
import json
import math
import operator
import pstats
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import spacy
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

import kit
import kit.dates
from kit.annotate import Annotations, annotate
from kit.codebook import (Codebook, CodebookError, cue_patterns, entity_patterns, load_codebook,
                          topic_patterns)
from kit.corpus import CorpusError, format_article, load_corpus, read_table
from kit.pipeline import load_pipeline

from conftest import SEEDS

# Modest example counts keep the file fast: annotate costs ~0.3 s an example.
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEWER = settings(PROPERTY, max_examples=40)

# Characters that trip up text handling: zero-width and joiners, bidi controls, C0/C1 controls
# that are not line breaks in the article format, Unicode line/paragraph separators, odd
# spaces, emoji (with skin tone and ZWJ sequences), combining marks, RTL and Thai script,
# characters whose lower case is longer ("İ") or that are ligatures.
TRICKY = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a",
    "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c",
    "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1c", "\x1f", "\x7f", "\x85", "\u2028",
    "\u2029", "\u00a0", "\u3000", "\t", "😀", "🇹🇭", "👩🏽‍💻", "🤝🏻", "e\u0301", "ﷺ", "שלום",
    "مرحبا", "ประเทศไทย", "日本", "Ⅻ", "𝕋𝕙𝕒𝕚", "İ", "ß", "ﬁ", "٢٠٢٥",
]
# No NUL (a file with one is binary by the documented rule) and no line breaks (they make lines).
PIECE = st.one_of(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"),
    st.sampled_from(TRICKY),
)


def texts(*, min_size: int = 0, max_size: int) -> st.SearchStrategy[str]:
    """Text of characters and tricky sequences (some are several code points long)."""
    return st.lists(PIECE, min_size=min_size, max_size=max_size).map("".join)


LINE = texts(min_size=1, max_size=40).filter(str.strip)
# Mostly short lines; now and then an enormous one (~100 KB, no line break in it).
SIZED_LINE = st.builds(operator.mul, LINE, st.sampled_from([1, 1, 1, 1, 1, 1, 1, 2_000]))
PARAGRAPH = st.lists(SIZED_LINE, min_size=1, max_size=4)
LINE_BREAK = st.sampled_from(["\n", "\r\n", "\r"])
# Blank lines, some holding only whitespace (which the format treats as blank).
GAP = st.sampled_from(["\n\n", "\n\n\n\n", "\n \n", "\n\t\u3000\n", "\r\n\r\n", "\r\r",
                       "\n\x0c\n", "\n\u2028\n", "\n\x1c \n"])
DATE = st.dates(min_value=dt.date(1678, 1, 1), max_value=dt.date(2261, 12, 31))
DATE_HEADER = st.sampled_from(["date {}", "date: {}", "Date: {}", "DATE :  {}"])
THREAD = re.compile(r"THA-[A-Z]{3}|MULTI")


def _loaded(lines: list[str]) -> str:
    """A paragraph as the loader gives it: lines stripped and joined with single spaces."""
    return " ".join(line.strip() for line in lines)


@st.composite
def article_files(draw: st.DrawFn) -> tuple[str, dt.date, list[str]]:
    """A valid article file in any of the accepted layouts, with its date and paragraphs."""
    date = draw(DATE)
    paragraphs = draw(st.lists(PARAGRAPH, min_size=1, max_size=6))
    bodies = [draw(LINE_BREAK).join(lines) for lines in paragraphs]
    header = draw(DATE_HEADER).format(date.isoformat())
    extra = draw(st.lists(st.sampled_from(["title", "Source", "url", "LANGUAGE"]), unique=True,
                          max_size=2))
    headers = [f"{key}: {draw(LINE)}" for key in extra]
    if draw(st.booleans()):  # the seed layout: the first paragraph on the date line
        text = "\n".join([*headers, f"{header} {bodies[0]}"])
        rest = bodies[1:]
        text += "".join(draw(GAP) + body for body in rest)
    else:
        text = "\n".join([*headers, header]) + "".join(draw(GAP) + body for body in bodies)
    text = draw(st.sampled_from(["", "\n", "  \n\n"])) + text + draw(
        st.sampled_from(["", "\n", "\n\n \n"]))
    return text, date, [_loaded(lines) for lines in paragraphs]


# --------------------------------------------------------------------------- corpus loader


@PROPERTY
@given(article=article_files())
def test_robustness_corpus_keeps_every_valid_article_whole(article):
    text, date, expected = article
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(text.encode("utf-8"))
        corpus = load_corpus(path, max_bytes=100_000_000)
    assert corpus.articles["n_paragraphs"].tolist() == [len(expected)]
    assert corpus.paragraphs["text"].tolist() == expected
    assert corpus.paragraphs["paragraph"].tolist() == list(range(len(expected)))
    assert corpus.articles["date"].dt.date.tolist() == [date]


@PROPERTY
@given(paragraphs=st.lists(st.lists(LINE, min_size=1, max_size=3).map("\n".join), min_size=1,
                           max_size=5), date=DATE, title=st.none() | LINE)
def test_robustness_corpus_reads_back_what_format_article_writes(paragraphs, date, title):
    text = format_article(paragraphs, date=date, title=title)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(text.encode("utf-8"))
        corpus = load_corpus(path)
    assert corpus.paragraphs["text"].tolist() == [_loaded(p.split("\n")) for p in paragraphs]
    assert corpus.articles["title"].tolist() == [title.strip() if title else None]


@PROPERTY
@given(data=st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from(["date 2025-09-29\n", "date 2025-09-29 ", "Date: 2025-02-30\n\n",
                               "title: x\n", "date\n", "\ufeffdate 2025-09-29\n\n", ""]),
              st.text(max_size=500)).map(lambda p: "".join(p).encode("utf-8", "surrogatepass")),
))
def test_robustness_corpus_any_file_gives_articles_or_corpus_errors(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_bytes(data)
        collected = load_corpus(path, errors="collect")
        try:
            corpus = load_corpus(path)
        except CorpusError as err:
            assert err.path == str(path) and str(path) in str(err)
            assert collected.problems["message"].tolist() == [str(err)]
            assert collected.articles.empty
            return
    assert len(corpus.articles) == 1 and (corpus.articles["n_paragraphs"] >= 1).all()
    assert collected.problems.empty


# JSON may escape a lone UTF-16 surrogate ("\ud800"): no character, refused in a used column.
LONE = st.builds(lambda a, s, b: a + s + b, texts(max_size=4),
                 st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\udce9"]),
                 texts(max_size=4))
CELL = st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), texts(max_size=20), LONE,
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                      st.integers(), max_size=2))
# Lines of a JSONL file that are no JSON object: broken JSON, other JSON values, deep nesting.
JUNK_LINE = st.one_of(
    st.sampled_from(["oops", "{", '{"date": 1,}', "null", "[1, 2]", '"text"', "3.5", "true",
                     "[" * 100_000 + "]" * 100_000, '{"a": ' * 50_000 + "1" + "}" * 50_000]),
    # Text that cannot start a JSON value.
    texts(min_size=1, max_size=10).filter(
        lambda t: t.strip() and t.strip()[0] not in '{[-"0123456789tfn'),
)
ISO_DATE = st.builds(lambda d, time: d.isoformat() + time, DATE,
                     st.sampled_from(["", "T08:30:00", " 23:59", "T00:00:00Z", "T12:00:00+07:00"]))


@FEWER
@given(rows=st.lists(st.fixed_dictionaries(
    {"date": st.one_of(ISO_DATE, CELL), "text": st.one_of(
        st.lists(PARAGRAPH.map("\n".join), min_size=1, max_size=3).map("\n\n".join), CELL)},
    optional={"id": CELL, "title": CELL, "source": CELL, "extra": CELL}),
    min_size=1, max_size=5), fmt=st.sampled_from(["jsonl", "csv"]),
    junk=st.lists(st.tuples(st.integers(0, 5), JUNK_LINE), max_size=2))
def test_robustness_corpus_tables_keep_valid_rows_and_report_the_others(rows, fmt, junk):
    if fmt == "csv":  # a CSV file is UTF-8 text, which cannot hold a lone surrogate
        assume(not any(_lone(v) for r in rows for v in r.values()))
        junk = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table.{fmt}"
        _write_table(path, rows, junk)
        corpus = read_table(path, errors="collect", max_bytes=100_000_000)
    # A JSONL line that is no JSON object is one problem and costs no other row.
    if junk:
        bad_lines = corpus.problems["message"].str.contains("not valid JSON|not an object|"
                                                            "too deeply")
        assert bad_lines.sum() == len(junk)
        corpus = type(corpus)(corpus.articles, corpus.paragraphs, corpus.problems[~bad_lines])
    # The CSV reader skips rows with nothing in them; they are no article and no problem.
    kept = [r for r in rows if fmt == "jsonl" or any(_cell(v, fmt).strip() for v in r.values())]
    valid = [r for r in kept if _valid_row(r, fmt)]
    unique_ids = len({_row_id(r, i, fmt) for i, r in enumerate(kept)}) == len(kept)
    if unique_ids:
        assert len(corpus.articles) == len(valid)
        assert len(corpus.problems) == len(kept) - len(valid)
        got = corpus.paragraphs.groupby("article_id", sort=False)["text"].apply(list).tolist()
        assert got == [_table_paragraphs(_cell(r["text"], fmt)) for r in valid]
    else:  # a repeated id is one more documented problem per repeat
        assert len(corpus.articles) + len(corpus.problems) == len(kept)
    assert corpus.problems["path"].eq(str(path)).all()


def _write_table(path: Path, rows: list[dict[str, Any]],
                 junk: list[tuple[int, str]] = ()) -> None:
    if path.suffix == ".jsonl":
        lines = [json.dumps(r) for r in rows]
        for at, line in junk:
            lines.insert(at, line)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _cell(value: Any, fmt: str) -> str:
    """A cell as read_table sees it: CSV cells are the written strings; JSON null and NaN are
    empty and other JSON values are read as their str()."""
    if value is None or (fmt == "jsonl" and isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _lone(value: Any) -> bool:
    return isinstance(value, str) and re.search("[\ud800-\udfff]", value) is not None


def _valid_row(row: dict[str, Any], fmt: str) -> bool:
    date, text = _cell(row["date"], fmt), _cell(row["text"], fmt)
    if not text.strip() or any(_lone(row.get(k)) for k in ("date", "text", "id", "title",
                                                            "source")):
        return False
    match = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?",
        date.strip(), flags=re.ASCII)
    if match is None:
        return False
    try:
        return dt.date(1678, 1, 1) <= dt.date.fromisoformat(match[1]) <= dt.date(2261, 12, 31)
    except ValueError:
        return False


def _row_id(row: dict[str, Any], index: int, fmt: str) -> str:
    return _cell(row.get("id"), fmt).strip() or f"table-{index + 1}"


def _table_paragraphs(text: str) -> list[str]:
    paragraphs, current = [], []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs + ([" ".join(current)] if current else [])


def test_robustness_corpus_enormous_paragraph_loads_whole(write_articles):
    paragraph = "Thai police met Japanese officers in Osaka on September 16. " * 5_000  # 300 KB
    folder = write_articles({"big": f"date 2025-09-29\n\nShort opener.\n\n{paragraph}\n\nEnd."})
    corpus = load_corpus(folder)
    assert corpus.paragraphs["text"].str.len().tolist() == [13, len(paragraph) - 1, 4]


# --------------------------------------------------------------------------- codebook loader


SECTIONS = ["countries", "actors", "categories", "topics", "cues", "regions"]
FIELDS = ["id", "name", "type", "country", "role", "aliases", "valid_from", "valid_to", "iso2",
          "names", "demonyms", "cities", "category", "label", "patterns"]
WORDS = ["THA", "JPN", "ZZZ", "tha", "TH", "ORG", "PERSON", "EVENT", "crime", "technology",
         "2025-01-01", "2025-13-45", "2025-02-30", "visit(?:s|ed)?", "call cent(?:re|er)s?",
         "(", "[", "a-b", "Thailand", "Japanese", "Osaka", "CIB", "x_y", "Bad Id", "yes", "no",
         "null", "~", "", " ", "LOWER", "REGEX", "OP", "{2,1}", "?", "*"]
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                   st.sampled_from(WORDS), texts(max_size=15))
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(FIELDS + WORDS) | st.text(max_size=6), inner, max_size=4), max_leaves=25)
TOKEN = st.dictionaries(
    st.sampled_from(["LOWER", "ORTH", "TEXT", "OP", "IS_DIGIT", "LENGTH", "FOO", "lower"]),
    SCALAR | st.dictionaries(st.sampled_from(["REGEX", "IN", "NOT_IN", ">=", "==", "FUZZY"]),
                             SCALAR | st.lists(SCALAR, max_size=3), max_size=2),
    max_size=3)
ENTRY = st.fixed_dictionaries({}, optional={
    **{field: st.one_of(st.sampled_from(WORDS), SCALAR) for field in FIELDS},
    "aliases": st.lists(st.sampled_from(WORDS) | texts(max_size=10), max_size=3) | SCALAR,
    "patterns": st.lists(st.one_of(st.sampled_from(WORDS), st.lists(TOKEN, max_size=3), SCALAR),
                         max_size=3) | SCALAR,
    "unknown": SCALAR,
})
DOCUMENT = st.dictionaries(st.sampled_from(SECTIONS) | st.text(max_size=8),
                           st.lists(ENTRY | VALUE, max_size=4) | VALUE, max_size=4)
YAML_BITS = ["actors:", "topics:", "cues:", "categories:", "countries:", "- id: x_y",
             "  name: X Test", "  type: ORG", "  country: THA", "  aliases: [a, b]",
             "- {id: t, category: crime, label: T, patterns: ['scams?']}", "  patterns:",
             "  - 'visit(?:s|ed)?'", "  - [{LOWER: x}, {OP: '?'}]", "- ", "  - ", ":", "&a ",
             "*a", "!!binary ", "!!python/object:os.system ", "!!set ", "---", "...", "'", '"',
             "{", "}", "[", "]", "#", "\t", "  ", "valid_from: 2025-13-01", "- yes", "- null",
             "%YAML 1.1", "|", ">-", "\\", "\ufeff", "\u202e", "😀", "? ", "? [a, b]",
             '"\\ud800"', '"\\ud83d\\ude00"', "  - [{LOWER: x}, {OP: '{2,1}'}]",
             "  - [{DEP: nsubj}]", "  - [{_: {custom: true}}]"]
YAML_TEXT = st.lists(st.one_of(st.sampled_from(YAML_BITS), texts(max_size=8),
                               st.sampled_from(["\n", " "])), max_size=40).map("".join)


_BLANK = spacy.blank("en")  # for compiling patterns; a fixture cannot serve hypothesis tests


def _load_user_codebook(text: str) -> Codebook | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mine.yml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            return load_codebook(path)
        except CodebookError as err:
            assert err.problems and all(isinstance(p, str) and p for p in err.problems)
            assert all(str(path) in p for p in err.problems), err.problems
            return None


@PROPERTY
@given(text=YAML_TEXT)
@example(text="actors:\n- id: x\n  name: X\n  type: ORG\n  type: PERSON\n")
@example(text="actors: &a [*a]\n")
@example(text="topics:\n- {id: t, category: crime, label: T, patterns: [[{LOWER: {IN: [[1]]}}]]}")
def test_robustness_codebook_yaml_text_gives_a_codebook_or_codebook_errors(text):
    _load_user_codebook(text)


@FEWER
@given(document=DOCUMENT)
def test_robustness_codebook_random_structures_give_a_codebook_or_codebook_errors(document):
    cb = _load_user_codebook(yaml.safe_dump(document, allow_unicode=True))
    if cb is not None:  # whatever loaded is usable
        first, second = list(cb.countries)[:2]
        assert cb.thread_label(f"{first}-{second}").count("\u2013") >= 1
        assert len(cb.actors_table()) == len(cb.actors)
        assert len(cb.topics_table()) == len(cb.topics)
        assert entity_patterns(cb) and len(topic_patterns(cb)) >= len(cb.topics)
        # Raw token patterns that loaded also compile and run (spaCy's schema alone lets
        # through patterns its Matcher refuses).
        matcher = Matcher(_BLANK.vocab)
        for p in [*topic_patterns(cb), *cue_patterns(cb)]:
            if "pattern" in p:
                matcher.add(p["id"], [p["pattern"]])
        matcher(_BLANK("Police seized 3 phones in Osaka."))


@pytest.mark.parametrize(
    "text",
    ["? [a, b]\n: c\n", "[x, y]: 1\n", "actors:\n- {id: x, ? {a: 1} : b}\n"],
    ids=["complex-key", "flow-sequence-key", "flow-mapping-key"],
)
def test_robustness_codebook_non_scalar_key_is_a_codebook_error(text):
    assert _load_user_codebook(text) is None


def test_robustness_codebook_deep_nesting_is_a_codebook_error():
    assert _load_user_codebook("actors:\n- " + "[" * 400 + "]" * 400 + "\n") is None


def test_robustness_codebook_lone_surrogate_is_a_codebook_error():
    assert _load_user_codebook('actors:\n- {id: x_y, name: "X \\ud800 Org", type: ORG}\n') is None


@pytest.mark.parametrize(
    "token",
    [{"OP": "{2,1}"}, {"_": {"custom": True}}, {"DEP": "nsubj"}],
    ids=["reversed-quantifier", "unregistered-extension", "needs-parser"],
)
def test_robustness_codebook_token_patterns_that_load_also_compile(token):
    text = yaml.safe_dump({"topics": [{"id": "t_x", "category": "crime", "label": "T",
                                       "patterns": [[{"LOWER": "seized"}, token]]}]})
    cb = _load_user_codebook(text)
    if cb is not None:
        load_pipeline("blank", codebook=cb)("Police seized the drugs.")


def test_robustness_codebook_tricky_names_load_compile_and_link(tmp_path):
    # Names holding zero-width, bidi and control characters, emoji, RTL and Thai script: they
    # load, compile into the pipeline, and link where the text holds them.
    names = [f"Unit{i} {piece} Desk" for i, piece in enumerate(TRICKY)]
    names += [f"{piece}Bureau{i}" for i, piece in enumerate(TRICKY)]
    actors = [{"id": f"a{i}", "name": n, "type": "ORG", "country": "THA"}
              for i, n in enumerate(names)]
    regions = [{"id": f"r{i}", "name": f"{piece} Region {i}"} for i, piece in enumerate(TRICKY)]
    cb = _load_user_codebook(yaml.safe_dump({"actors": actors, "regions": regions},
                                            allow_unicode=True))
    assert cb is not None and len(cb.regions) >= len(TRICKY)
    nlp = load_pipeline("blank", codebook=cb)
    folder = tmp_path / "articles"
    folder.mkdir()
    body = " ".join(f"We met {n} today." for n in names)
    (folder / "a.txt").write_text(f"date 2025-09-29\n\n{body}\n", encoding="utf-8")
    corpus = load_corpus(folder)
    ann = annotate(corpus, nlp=nlp, codebook=cb, cache=False)
    _check_invariants(ann, corpus, cb)
    assert sorted(ann.mentions["actor_id"].dropna(), key=lambda a: int(a[1:])) == [
        a["id"] for a in actors]


# --------------------------------------------------------------------------- annotate


NAMES = ["Thailand", "Japanese", "Osaka", "CIB", "Thai", "Japan", "Japan's", "Japan’s",
         "Bangkok", "China", "Chinese", "Beijing", "Cambodia", "ASEAN", "Interpol",
         "Royal Thai Police", "Jirabhop", "U.S.", "U.S.-Thai", "Myanmar", "Vietnamese"]
CUES = ["visit", "visited", "talks", "met", "cooperation", "signed an MoU", "MoU.",
        "agreement", "joint", "exchange", "delegation", "partnership", "between"]
TOPICS = ["call centre scams", "call-center scam", "drug trafficking", "cybercrime",
          "cyber-crime", "AI-equipped CCTV", "human trafficking", "money laundering",
          "online gambling"]
DATES = ["September 16 to 21", "16-21 September", "last week", "2025", "in May", "May",
         "Q3 2025", "2025-09-29", "February 30", "next Monday", "earlier this month",
         "two days ago", "the first half of 2025", "H2 2025", "1999", "9999-12-31",
         "0000-01-01", "Monday, September 15", "mid-June", "3 years ago", "between 2024 and 2025",
         "2024-25", "will meet in March", "next year"]
PUNCT = [". ", "! ", "? ", ", ", " - ", "–", "'s", "’s", '"', "(", ")", "...", ":", ";", "/",
         "&", "#", "@", "-"]
SEPARATOR = st.sampled_from([" ", " ", " ", " ", "", "\u200b", "\u00a0", "\t", "  ", "\u202e"])


@st.composite
def paragraphs(draw: st.DrawFn, codebook_words: list[str]) -> str:
    word = st.one_of(st.sampled_from(NAMES), st.sampled_from(codebook_words),
                     st.sampled_from(CUES), st.sampled_from(TOPICS), st.sampled_from(DATES),
                     st.sampled_from(PUNCT), st.sampled_from(TRICKY), texts(max_size=8))
    parts = draw(st.lists(st.tuples(word, SEPARATOR), min_size=1, max_size=25))
    text = "".join(w + s for w, s in parts)
    assume(text.strip())
    return text


def _codebook_words(codebook: Codebook) -> list[str]:
    words = [n for a in codebook.actors.values() for n in (a.name, *a.aliases)]
    words += [n for c in codebook.countries.values()
              for n in (c.name, *c.names, *c.demonyms, *c.cities)]
    words += [n for r in codebook.regions.values() for n in (r.name, *r.names, *r.demonyms)]
    return sorted(set(words))


def _check_invariants(ann: Annotations, corpus: Any, codebook: Codebook) -> None:
    """The contract of DESIGN.md that must hold for any input."""
    texts = {(a, p): t for a, p, t in ann.paragraphs[["article_id", "paragraph", "text"]]
             .itertuples(index=False)}
    expected = {(a, p): t for a, p, t in corpus.paragraphs[["article_id", "paragraph", "text"]]
                .itertuples(index=False)}
    assert texts == expected
    assert ann.articles["article_id"].tolist() == corpus.articles["article_id"].tolist()
    n_sentences = ann.sentences.groupby(["article_id", "paragraph"]).size().to_dict()
    for (a, p), n in n_sentences.items():
        got = ann.sentences.loc[(ann.sentences["article_id"] == a)
                                & (ann.sentences["paragraph"] == p), "sentence"].tolist()
        assert got == list(range(n))
    for name in ("sentences", "mentions", "topics", "cues", "dates", "tokens"):
        table = getattr(ann, name)
        for row in table.itertuples(index=False):
            text = texts[(row.article_id, row.paragraph)]
            assert 0 <= row.start <= row.end <= len(text), (name, row)
            assert text[row.start:row.end] == row.text, (name, row)
            if name != "sentences":
                assert 0 <= row.sentence < n_sentences[(row.article_id, row.paragraph)]
    listed = [t for threads in ann.paragraphs["threads"] for t in threads]
    for thread in [*ann.assignments["thread"], *listed]:
        assert THREAD.fullmatch(thread) and thread != "THA-THA", thread
    assert set(ann.mentions["country"].dropna()) <= set(codebook.countries)
    assert (ann.dates["start_date"] <= ann.dates["end_date"]).all()


@FEWER
@given(data=st.data())
def test_robustness_annotate_offsets_and_threads_hold_for_random_text(data, blank_nlp, codebook):
    words = _codebook_words(codebook)
    articles = data.draw(st.lists(st.tuples(DATE, st.lists(paragraphs(words), min_size=1,
                                                            max_size=4)), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        for i, (date, paras) in enumerate(articles):
            text = f"date {date.isoformat()}\n\n" + "\n\n".join(paras) + "\n"
            (Path(folder) / f"a{i}.txt").write_text(text, encoding="utf-8")
        corpus = load_corpus(folder)
    assert corpus.articles["n_paragraphs"].tolist() == [len(p) for _, p in articles]
    ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    _check_invariants(ann, corpus, codebook)


@pytest.mark.parametrize("paragraph", [
    "\u200b\u200c\u200d\u2060",                       # only zero-width characters
    "\x01\x07\x1b\x7f\x85",                          # only control characters
    "😀🇹🇭👩🏽‍💻🤝🏻",                                  # only emoji, ZWJ and skin tones
    "שלום Thai police met Japanese officers in Osaka עולם.",
    "\u202eThai police met Japanese officers in Osaka\u202c on September 16.",
    "Thai\u200b police\u00ad met Japanese\u200d officers in O\u200bsaka last week.",
    "ตำรวจไทย Thai police and 日本 Japanese police discussed call-centre scams.",
    "x",
    "." * 5000,
    "Thailand " * 3000,
], ids=["zero-width", "control", "emoji", "rtl", "bidi-override", "soft-breaks", "scripts",
        "one-letter", "dots", "repeated-name"])
def test_robustness_annotate_odd_paragraphs_keep_their_article(paragraph, write_articles,
                                                               blank_nlp, codebook):
    folder = write_articles({"a": f"date 2025-09-29\n\nThai police met Japanese officers in "
                                  f"Osaka.\n\n{paragraph}\n\nThe talks ended.\n"})
    corpus = load_corpus(folder)
    assert corpus.articles["n_paragraphs"].tolist() == [3]
    ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    _check_invariants(ann, corpus, codebook)
    assert len(ann.paragraphs) == 3 and ann.paragraphs["threads"].iloc[0] == ["THA-JPN"]


# --------------------------------------------------------------------------- size and scale


def _seed_paragraphs() -> list[str]:
    return load_corpus(SEEDS).paragraphs["text"].tolist()


def _varied(paragraphs: list[str], n: int) -> list[str]:
    """*n* paragraphs made from *paragraphs* with other partner countries and cities, so that
    a big corpus is not one text repeated (the rules must generalise, not memorise)."""
    swaps = [("Japan", "Vietnam"), ("Japanese", "Vietnamese"), ("Osaka", "Hanoi"),
             ("China", "Malaysia"), ("Chinese", "Malaysian"), ("Beijing", "Kuala Lumpur")]
    out = []
    for i in range(n):
        text = paragraphs[i % len(paragraphs)]
        for old, new in swaps[: (i // len(paragraphs)) % (len(swaps) + 1)]:
            text = re.sub(rf"\b{old}\b", new, text)
        out.append(text)
    return out


def _content_tokens(nlp: Any, text: str) -> int:
    """Content tokens as annotate counts them, from the tokenizer alone (cheap)."""
    return sum(1 for t in nlp.tokenizer(text) if t.is_alpha and not t.is_stop and len(t) > 1)


@pytest.mark.slow
def test_robustness_annotate_1mb_article_keeps_every_token(write_articles, blank_nlp, codebook):
    seed = _seed_paragraphs()
    paragraphs = _varied(seed, 470 * len(seed))  # ~1 MB of text
    body = "\n\n".join(paragraphs)
    assert 1_000_000 <= len(body) <= 1_100_000
    corpus = load_corpus(write_articles({"big": f"date 2025-09-29\n\n{body}\n"}))
    ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    assert len(ann.paragraphs) == len(paragraphs)
    per_paragraph = ann.tokens.groupby("paragraph").size().reindex(
        range(len(paragraphs)), fill_value=0)
    assert per_paragraph.tolist() == [_content_tokens(blank_nlp, p) for p in paragraphs]
    # 10x the text gives 10x the tokens: the first tenth of the article against all of it.
    tenth = len(paragraphs) // 10
    assert per_paragraph.sum() / per_paragraph[:tenth].sum() == pytest.approx(10, rel=0.05)
    # Offsets hold throughout (checked vectorised: a million rows would be slow one by one).
    texts = ann.paragraphs.set_index("paragraph")["text"]
    for name in ("tokens", "mentions", "sentences"):
        table = getattr(ann, name)
        sliced = [texts[p][s:e] for p, s, e in zip(table["paragraph"], table["start"],
                                                    table["end"])]
        assert sliced == table["text"].tolist()


@pytest.mark.slow
def test_robustness_annotate_enormous_single_paragraph(write_articles, blank_nlp, codebook):
    unit = " ".join(_seed_paragraphs())
    big = " ".join([unit] * (300_000 // len(unit)))  # ~300 KB, no blank line in it
    folder = write_articles({"one": f"date 2025-09-29\n\n{unit}\n",
                             "big": f"date 2025-09-29\n\n{big}\n"})
    corpus = load_corpus(folder)
    assert corpus.articles.set_index("article_id")["n_paragraphs"].to_dict() == {"big": 1,
                                                                                 "one": 1}
    ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    _check_invariants(ann, corpus, codebook)
    reps = 300_000 // len(unit)
    counts = {name: getattr(ann, name).groupby("article_id").size() for name in
              ("tokens", "mentions", "topics", "dates", "sentences")}
    assert counts["tokens"]["big"] == reps * counts["tokens"]["one"]
    assert counts["sentences"]["big"] == reps * counts["sentences"]["one"]
    for name in ("mentions", "topics", "dates"):
        assert counts[name]["big"] == pytest.approx(reps * counts[name]["one"], rel=0.02), name
    assert ann.paragraphs.set_index("article_id").loc["big", "threads"] == ["THA-JPN", "THA-CHN"]


class _CountingPattern:
    """Wraps a compiled regex and counts the characters its searches cover."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned = 0

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(text) if endpos is None else endpos
        self.scanned += max(0, end - pos)
        return self.pattern.finditer(text, pos, end)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Any:
        end = len(text) if endpos is None else endpos
        match = self.pattern.search(text, pos, end)
        self.scanned += (match.end() if match else end) - pos
        return match

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


def _operations(paragraphs: list[str], blank_nlp: Any, codebook: Codebook, folder: Path,
                monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int]:
    """Annotate one article; return (calls of kit functions, characters scanned for sentence
    ends by kit.dates, content tokens). Counts, not seconds: the same on every machine."""
    path = folder / f"n{len(paragraphs)}-{len(paragraphs[0])}.txt"
    path.write_text("date 2025-09-29\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    corpus = load_corpus(path)
    counter = _CountingPattern(kit.dates._SENTENCE_END)
    monkeypatch.setattr(kit.dates, "_SENTENCE_END", counter)
    profile = cProfile.Profile()
    profile.enable()
    try:
        ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    finally:
        profile.disable()
        monkeypatch.undo()
    kit_dir = str(Path(kit.__file__).parent)
    calls = sum(stat[1] for (file, *_), stat in pstats.Stats(profile).stats.items()
                if file.startswith(kit_dir))
    return calls, counter.scanned, len(ann.tokens)


@pytest.mark.parametrize(
    "layout",
    [
        "paragraphs",
        "one-paragraph",
    ],
)
def test_robustness_annotate_work_grows_linearly(layout, tmp_path, blank_nlp, codebook,
                                                 monkeypatch):
    seed = _seed_paragraphs()[:5]  # ~1 KB

    def article(n: int) -> list[str]:
        paragraphs = _varied(seed, n * len(seed))
        return paragraphs if layout == "paragraphs" else [" ".join(paragraphs)]

    _operations(["Warm-up."], blank_nlp, codebook, tmp_path, monkeypatch)  # fill caches
    small = _operations(article(1), blank_nlp, codebook, tmp_path, monkeypatch)
    large = _operations(article(10), blank_nlp, codebook, tmp_path, monkeypatch)
    growth = large[2] / small[2]
    assert growth == pytest.approx(10, rel=0.05)  # 10x the text is 10x the tokens ...
    # ... and at most as much more work, give or take 5%.
    assert large[0] / small[0] <= 1.05 * growth, f"kit calls grew {large[0] / small[0]:.1f}x"
    assert large[1] / small[1] <= 1.05 * growth, f"scanning grew {large[1] / small[1]:.1f}x"


def test_robustness_annotate_paragraph_over_spacy_max_length(write_articles, blank_nlp,
                                                             codebook):
    paragraph = "Thai police met Japanese officers in Osaka. " * 23_000
    corpus = load_corpus(write_articles({"huge": f"date 2025-09-29\n\n{paragraph}\n"}))
    assert corpus.paragraphs["text"].str.len().tolist() == [len(paragraph) - 1]
    assert len(paragraph) > blank_nlp.max_length
    try:
        ann = annotate(corpus, nlp=blank_nlp, codebook=codebook, cache=False)
    except ValueError as err:  # a clear error: names the article and the paragraph
        assert "huge" in str(err) and "paragraph" in str(err), str(err)
    else:  # or handled: annotated whole
        _check_invariants(ann, corpus, codebook)


@pytest.mark.parametrize("column", ["text", "title"])
def test_robustness_corpus_lone_surrogate_in_jsonl_is_a_corpus_error(tmp_path, column):
    row = {"date": "2025-09-29", "text": "Thai police met Japanese officers.", "title": "T"}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(row).replace('"T"' if column == "title" else "met",
                                            '"T \\ud800"' if column == "title" else "met \\ud800")
                    + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="data row 1"):
        read_table(path)
