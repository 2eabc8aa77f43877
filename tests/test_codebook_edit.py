"""Adding actors and topics to a user's codebook file (kit.codebook_edit)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

import kit.codebook
from kit.annotate import annotate
from kit.codebook import CodebookError, load_codebook
from kit.codebook_edit import add_actor, add_topic
from kit.corpus import load_corpus
from kit.pipeline import load_pipeline

BUNDLED = Path(kit.codebook.__file__).resolve().parent / "codebook"

COMMENTED = """\
# My actors, curated by hand.
actors:   # people first
  # the Bangkok desk
  - id: somchai_test
    name: Somchai Testperson
    type: PERSON
    country: THA
    aliases: [Khun Somchai,
      Somchai T.]
  # organisations
  - id: mekong_task_force
    name: Mekong Test Task Force
    type: ORG
    role: |
      Joint patrols on the river.
      Two lines of remit.

  # keep this comment before the topics
topics:
- {id: bike_theft, category: crime, label: Bike theft, patterns: ['bicycle thefts?']}
"""


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_codebook_edit_add_actor_creates_the_file_with_a_header(tmp_path):
    path = tmp_path / "mine.yml"
    cb = add_actor(path, id="khon_kaen_police", name="Khon Kaen Provincial Police", type="ORG",
                   country="THA", role="Provincial police", aliases=["KKPP"],
                   valid_from=dt.date(2024, 1, 1), valid_to="2026-12-31")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "--codebook mine.yml" in text
    actor = load_codebook(path).actors["khon_kaen_police"]
    assert actor == cb.actors["khon_kaen_police"]
    assert (actor.name, actor.type, actor.country, actor.role, actor.aliases) == (
        "Khon Kaen Provincial Police", "ORG", "THA", "Provincial police", ("KKPP",))
    assert (actor.valid_from, actor.valid_to) == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    assert cb.sources[-1] == str(path)
    assert _files(tmp_path) == ["mine.yml"]  # no temporary file left behind


def test_codebook_edit_added_entries_are_matched_in_articles(tmp_path, write_articles):
    path = tmp_path / "mine.yml"
    add_actor(path, id="khon_kaen_police", name="Khon Kaen Provincial Police", type="ORG",
              country="THA", aliases="KKPP")
    cb = add_topic(path, id="romance_fraud", category="crime", label="Romance fraud",
                   patterns=["romance (?:scams?|fraud)", "love scams?"])
    folder = write_articles({"a": "date 2025-03-02\n\nThe KKPP warned of romance scams and "
                                  "love-scam gangs, Khon Kaen Provincial Police said.\n"})
    ann = annotate(load_corpus(folder), nlp=load_pipeline("blank", codebook=cb), codebook=cb,
                   cache=False)
    assert sorted(ann.mentions.loc[ann.mentions["actor_id"].notna(), "text"]) == [
        "KKPP", "Khon Kaen Provincial Police"]
    assert set(ann.mentions["actor_id"].dropna()) == {"khon_kaen_police"}
    assert sorted(ann.topics.loc[ann.topics["topic_id"] == "romance_fraud", "text"]) == [
        "love-scam", "romance scams"]


@pytest.mark.parametrize(
    ("layout", "kept"),
    [
        (COMMENTED, ["# My actors, curated by hand.", "actors:   # people first",
                     "  # the Bangkok desk", "  # organisations",
                     "  # keep this comment before the topics"]),
        ("# empty sections\nactors:\ntopics: []\n", ["# empty sections"]),
        ("actors: ~   # none yet\n", ["# none yet"]),
        ("actors: [{id: mekong_task_force, name: Mekong Test Task Force, type: ORG}]  # flow\n",
         ["# flow"]),
        ("# only a comment\n", ["# only a comment"]),
        ("", []),
        (("# a header\n{actors: [{id: mekong_task_force, name: Mekong Test Task Force, "
          "type: ORG}]}\n"), ["# a header"]),
    ],
    ids=["commented", "null-sections", "explicit-null", "flow-section", "comment-only", "empty",
         "flow-file"],
)
def test_codebook_edit_keeps_comments_and_entries(tmp_path, layout, kept):
    path = tmp_path / "mine.yml"
    path.write_text(layout, encoding="utf-8")
    before = load_codebook(path) if "id:" in layout else load_codebook()
    cb = add_actor(path, id="new_desk", name="New Test Desk", type="ORG", country="JPN")
    add_topic(path, id="boat_theft", category="crime", label="Boat theft",
              patterns=["boat thefts?"])
    text = path.read_text(encoding="utf-8")
    for comment in kept:
        assert comment in text
    after = load_codebook(path)
    assert set(after.actors) == set(before.actors) | {"new_desk"}
    assert set(after.topics) == set(before.topics) | {"boat_theft"}
    for actor_id, actor in before.actors.items():
        assert after.actors[actor_id] == actor
    assert cb.actors["new_desk"].country == "JPN"


def test_codebook_edit_appends_at_the_sections_indentation(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    add_actor(path, id="new_desk", name="New Test Desk", type="ORG")
    lines = path.read_text(encoding="utf-8").splitlines()
    new = lines.index("  - id: new_desk")
    # After the last entry (and its block scalar), before the comment that leads to topics.
    assert lines[new - 1] == "      Two lines of remit."
    assert lines[new + 3:new + 5] == ["", "  # keep this comment before the topics"]


def test_codebook_edit_keeps_crlf_line_endings(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_bytes(b"actors:\r\n- id: mekong_task_force\r\n  name: Mekong Test Task Force\r\n"
                     b"  type: ORG\r\n")
    add_actor(path, id="new_desk", name="New Test Desk", type="ORG")
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 4
    assert set(load_codebook(path).actors) >= {"mekong_task_force", "new_desk"}


def test_codebook_edit_existing_id_needs_replace(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(CodebookError, match=r"line 4: actor 'somchai_test' is in this file") as err:
        add_actor(path, id="somchai_test", name="Somchai Other", type="PERSON")
    assert "--replace" in str(err.value) and str(path) in str(err.value)
    assert path.read_bytes() == before
    cb = add_actor(path, id="somchai_test", name="Somchai Replaced", type="PERSON",
                   country="THA", replace=True)
    assert cb.actors["somchai_test"].name == "Somchai Replaced"
    assert cb.actors["somchai_test"].aliases == ()
    text = path.read_text(encoding="utf-8")
    assert text.count("id: somchai_test") == 1 and "Khun Somchai" not in text
    assert "  # the Bangkok desk\n  - id: somchai_test\n" in text  # replaced in place
    assert "mekong_task_force" in load_codebook(path).actors


def test_codebook_edit_bundled_id_needs_replace_and_then_overrides(tmp_path, codebook):
    path = tmp_path / "mine.yml"
    with pytest.raises(CodebookError, match=r"actor 'royal_thai_police' exists already"):
        add_actor(path, id="royal_thai_police", name="Royal Thai Police (test)", type="ORG")
    assert not path.exists()
    cb = add_actor(path, id="royal_thai_police", name="Royal Thai Police", type="ORG",
                   country="THA", aliases=["RTP", "Thai Royal Police"], replace=True)
    assert cb.actors["royal_thai_police"].aliases == ("RTP", "Thai Royal Police")
    assert codebook.actors["royal_thai_police"].aliases != ("RTP", "Thai Royal Police")


@pytest.mark.parametrize(
    ("add", "kwargs", "field"),
    [
        (add_actor, {"id": "Bad Id", "name": "X Test Org", "type": "ORG"}, "'id'"),
        (add_actor, {"id": "x_org", "name": "X Test Org", "type": "ORG", "country": "ZZZ"},
         "'country'"),
        (add_actor, {"id": "x_org", "name": "X Test Org", "type": "COMPANY"}, "'type'"),
        (add_actor, {"id": "x_org", "name": "Thailand", "type": "ORG"}, "'Thailand'"),
        (add_actor, {"id": "x_org", "name": "X Test Org", "type": "ORG",
                     "valid_from": "2025-02-30"}, "'valid_from'"),
        (add_actor, {"id": "x_org", "name": "X Test Org", "type": "ORG",
                     "valid_from": "2025-06-01", "valid_to": "2025-01-01"}, "'valid_to'"),
        (add_actor, {"id": "x_org", "name": " ", "type": "ORG"}, "'name'"),
        (add_topic, {"id": "x_topic", "category": "sports", "label": "X",
                     "patterns": ["x"]}, "'category'"),
        (add_topic, {"id": "x_topic", "category": "crime", "label": "X",
                     "patterns": ["Cyber-Crime"]}, "'patterns'"),
        (add_topic, {"id": "x_topic", "category": "crime", "label": "X",
                     "patterns": ["(unclosed"]}, "'patterns'"),
        (add_topic, {"id": "x_topic", "category": "crime", "label": "X", "patterns": []},
         "'patterns'"),
    ],
    ids=["id", "country", "type", "name-collision", "date", "date-order", "blank-name",
         "category", "upper-case-pattern", "bad-regex", "no-pattern"],
)
def test_codebook_edit_invalid_entry_never_lands(tmp_path, add, kwargs, field):
    path = tmp_path / "mine.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(CodebookError) as err:
        add(path, **kwargs)
    message = str(err.value)
    assert str(path) in message and field in message and "nothing was written" in message
    assert ".tmp" not in message  # names the user's file, not the temporary one
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["mine.yml"]


def test_codebook_edit_invalid_entry_does_not_create_a_file(tmp_path):
    path = tmp_path / "mine.yml"
    with pytest.raises(CodebookError, match="'country'"):
        add_actor(path, id="x_org", name="X Test Org", type="ORG", country="Thailand")
    assert _files(tmp_path) == []


@pytest.mark.parametrize("name", ["actors.yml", "mine.yml", "sub/mine.yml"])
def test_codebook_edit_refuses_the_bundled_codebook(name):
    before = {p.name: p.read_bytes() for p in BUNDLED.iterdir()}
    with pytest.raises(CodebookError, match="bundled codebook is read-only; write your own"):
        add_actor(BUNDLED / name, id="x_org", name="X Test Org", type="ORG")
    with pytest.raises(CodebookError, match="read-only"):
        add_topic(BUNDLED / ".." / "codebook" / name, id="x_topic", category="crime",
                  label="X", patterns=["x"])
    assert {p.name: p.read_bytes() for p in BUNDLED.iterdir()} == before


@pytest.mark.parametrize(
    ("name", "message"),
    [("mine.txt", "must end in .yml or .yaml"), ("missing/mine.yml", "does not exist"),
     ("folder.yml", "is a folder")],
)
def test_codebook_edit_refuses_bad_targets(tmp_path, name, message):
    (tmp_path / "folder.yml").mkdir()
    with pytest.raises(CodebookError, match=message):
        add_actor(tmp_path / name, id="x_org", name="X Test Org", type="ORG")
    assert _files(tmp_path) == ["folder.yml"]


def test_codebook_edit_invalid_existing_file_is_left_alone(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text("actors:\n- id: broken\n  name: Broken Test Org\n  type: COMPANY\n",
                    encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(CodebookError, match="invalid already") as err:
        add_actor(path, id="x_org", name="X Test Org", type="ORG")
    assert "'type'" in str(err.value) and "line 2" in str(err.value)
    assert path.read_bytes() == before


def test_codebook_edit_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "mine.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    before = path.read_bytes()

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        add_actor(path, id="x_org", name="X Test Org", type="ORG")
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["mine.yml"]


def test_codebook_edit_keeps_the_file_mode(tmp_path):
    path = tmp_path / "mine.yml"
    path.write_text(COMMENTED, encoding="utf-8")
    path.chmod(0o640)
    add_actor(path, id="x_org", name="X Test Org", type="ORG")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    ("name", "aliases", "role"),
    [
        ("สมชาย ทดสอบ", ["Somchai Thotsop"], "ผู้บังคับการ"),
        ("O'Brien: Test", ["yes", "no", "null", "2025-01-01", "- dash", "#hash"], "a: b # c"),
        ("Test \"Quoted\" Org", ["Ṭest Ørg", "Test\u00a0Org"], "line\\nnot a break"),
    ],
    ids=["thai", "yaml-specials", "quotes-and-unicode"],
)
def test_codebook_edit_round_trips_awkward_strings(tmp_path, name, aliases, role):
    path = tmp_path / "mine.yml"
    add_actor(path, id="awkward", name=name, type="PERSON", aliases=aliases, role=role)
    actor = load_codebook(path).actors["awkward"]
    assert (actor.name, actor.aliases, actor.role) == (name, tuple(aliases), role)


def test_codebook_edit_topic_with_raw_token_pattern(tmp_path):
    path = tmp_path / "mine.yml"
    pattern = [{"LOWER": "seized"}, {"OP": "{,3}"}, {"LOWER": {"REGEX": "^tonnes?$"}}]
    cb = add_topic(path, id="seizures_test", category="crime", label="Seizures",
                   patterns=["seizures?", pattern])
    assert cb.topics["seizures_test"].patterns[0] == "seizures?"
    assert [dict(t) for t in cb.topics["seizures_test"].patterns[1]][:1] == [{"LOWER": "seized"}]
    # Written as YAML a person can read: one entry, block style, patterns on one line.
    assert "- id: seizures_test\n  category: crime\n" in path.read_text(encoding="utf-8")
