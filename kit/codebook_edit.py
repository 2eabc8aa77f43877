"""Add actors and topics to a user's codebook file, validated before anything is written.

The bundled codebook (``kit/codebook/*.yml``) is read-only: these functions write to the user's
own YAML file, which :func:`kit.codebook.load_codebook` (``--codebook FILE`` on the command
line, or ``KIT_CODEBOOK``) loads on top of the bundled one. The new entry is validated together
with the bundled codebook and the rest of the file before the file is replaced, so an invalid
entry never lands; the file is replaced atomically (a temporary file in the same folder, then
``os.replace``), so a reader never sees half a file.

The entry is appended as YAML text to its section, so the user's comments and layout survive.
Where the text cannot be edited in place (a section written in flow style, ``actors: [...]``),
that section is rewritten in block style; where even that would not give the intended data (a
whole file in flow style), the file is dumped afresh, keeping its leading comment block.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from kit.codebook import Codebook, CodebookError, load_codebook

__all__ = ["add_actor", "add_topic"]

_SUFFIXES = (".yml", ".yaml")
_HEADER = """\
# My codebook: entries that extend or correct the kit's bundled codebook (kit/codebook/*.yml).
# An entry whose id exists in the bundled codebook replaces it. The fields are described at the
# top of the bundled actors.yml and topics.yml. Written by `kit codebook add-actor/add-topic`;
# you may edit it by hand. Use it with `kit annotate ... --codebook {name}`,
# load_codebook("{name}") or KIT_CODEBOOK={name}.

"""


def add_actor(
    path: str | os.PathLike[str],
    *,
    id: str,
    name: str,
    type: str,
    country: str | None = None,
    role: str | None = None,
    aliases: Iterable[str] | str = (),
    valid_from: dt.date | str | None = None,
    valid_to: dt.date | str | None = None,
    replace: bool = False,
) -> Codebook:
    """Add an actor (a person, organisation or event) to the user's codebook file *path*.

    Args:
        path: The user's YAML codebook file (``.yml``/``.yaml``); created, with a comment
            header, if missing. Never a file of the bundled codebook.
        id: snake_case id; mentions are linked as ``actor:<id>``.
        name: Canonical display name, matched exactly and case-sensitively in text.
        type: ``"PERSON"``, ``"ORG"`` or ``"EVENT"``.
        country: ISO3 id of a codebook country, or None for an international body.
        role: A person's post or an organisation's remit.
        aliases: Other exact spellings found in text (a single string counts as one alias).
        valid_from: First day the entry holds (a date or ``"YYYY-MM-DD"``).
        valid_to: Last day the entry holds.
        replace: Replace an actor with the same id in the file, or override one of the bundled
            codebook; without it an existing id is an error.

    Returns:
        The codebook as it loads now: bundled, plus *path* (plus ``KIT_CODEBOOK`` files).

    Raises:
        CodebookError: The entry is invalid (the message names the file, the entry and the
            field), its id exists and ``replace`` is False, *path* is in the bundled codebook,
            or the existing file is invalid. Nothing is written then.
    """
    entry: dict[str, Any] = {"id": id, "name": name, "type": type}
    if country is not None:
        entry["country"] = country
    if role is not None:
        entry["role"] = role
    alias_list = _as_list(aliases)
    if alias_list:
        entry["aliases"] = alias_list
    for field, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None:
            entry[field] = value.isoformat() if isinstance(value, dt.date) else value
    return _add(Path(path), "actors", entry, replace=replace)


def add_topic(
    path: str | os.PathLike[str],
    *,
    id: str,
    category: str,
    label: str,
    patterns: Iterable[str | Sequence[Mapping[str, Any]]] | str,
    replace: bool = False,
) -> Codebook:
    """Add a topic to the user's codebook file *path*.

    Args:
        path: The user's YAML codebook file (``.yml``/``.yaml``); created, with a comment
            header, if missing. Never a file of the bundled codebook.
        id: snake_case id of the topic.
        category: Id of a topic category (bundled, e.g. ``"crime"``, or from the file).
        label: Display label.
        patterns: Phrases in the pattern mini-language (lower-case words, each a regular
            expression for one token, e.g. ``"romance scams?"``) or raw spaCy token patterns
            (lists of token dicts). A single string counts as one pattern.
        replace: Replace a topic with the same id in the file, or override a bundled one;
            without it an existing id is an error.

    Returns:
        The codebook as it loads now: bundled, plus *path* (plus ``KIT_CODEBOOK`` files).

    Raises:
        CodebookError: As for :func:`add_actor`.
    """
    entry = {"id": id, "category": category, "label": label,
             "patterns": [_plain(p) for p in _as_list(patterns)]}
    return _add(Path(path), "topics", entry, replace=replace)


# --------------------------------------------------------------------------- writing


def _add(path: Path, section: str, entry: dict[str, Any], *, replace: bool) -> Codebook:
    _check_target(path)
    original = _read(path)
    if original is not None and _has_content(original):
        try:
            current = load_codebook(path)
        except CodebookError as exc:
            advice = f"{path} is invalid already: fix it first (nothing was written)"
            raise CodebookError([*exc.problems, advice]) from None
        line = _find(original, section, entry["id"])
    else:
        current, line = load_codebook(), None
    if not replace:
        kind = section[:-1]
        if line is not None:
            raise CodebookError(
                f"{path}, line {line + 1}: {kind} {entry['id']!r} is in this file already; "
                "pass replace=True (--replace) to replace it, or choose another id")
        if entry["id"] in getattr(current, section):
            raise CodebookError(
                f"{path}: {kind} {entry['id']!r} exists already (in the bundled codebook or a "
                "KIT_CODEBOOK file); pass replace=True (--replace) to override it in your "
                "file, or choose another id")
    return _write_validated(path, _new_text(path, original, section, entry))


def _check_target(path: Path) -> None:
    bundled = (Path(__file__).resolve().parent / "codebook").resolve()
    target = path.resolve()
    if target == bundled or bundled in target.parents:
        raise CodebookError(
            f"{path}: the bundled codebook is read-only; write your own file (e.g. "
            "my_codebook.yml) and load it with --codebook FILE, load_codebook(FILE) or "
            "KIT_CODEBOOK=FILE. An entry with a bundled id there overrides the bundled one.")
    if path.suffix.lower() not in _SUFFIXES:
        raise CodebookError(f"{path}: a codebook file must end in .yml or .yaml (so that a "
                            "folder of codebook files finds it); rename it")
    if path.is_dir():
        raise CodebookError(f"{path} is a folder; name a .yml file inside it")
    if not path.parent.is_dir():
        raise CodebookError(f"{path}: folder {path.parent} does not exist; create it first")


def _read(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read the file ({exc}); it must be UTF-8 text") \
            from None


def _has_content(text: str) -> bool:
    """False for a file holding nothing but comments and blank lines."""
    try:
        return yaml.compose(text) is not None
    except (yaml.YAMLError, RecursionError):
        return True  # invalid: load_codebook names the problem


def _new_text(path: Path, original: str | None, section: str, entry: dict[str, Any]) -> str:
    """Return the file's new text, with *entry* added to (or replaced in) *section*."""
    if original is None:
        return _append_section(_HEADER.format(name=path.name), section, [entry])
    newline = "\r\n" if "\r\n" in original else "\n"
    base = original.replace("\r\n", "\n")
    if not _has_content(base):
        text = _append_section(base, section, [entry])
    else:
        expected = _expected(base, section, entry)
        text = _edit(base, section, entry)
        # The text edit keeps comments; where it would not give the intended data (an unusual
        # layout), the file is dumped afresh instead.
        if text is None or _data(text) != expected:
            text = _redump(base, expected)
    return text.replace("\n", newline)


def _append_section(text: str, section: str, entries: list[dict[str, Any]]) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    gap = "\n" if text.strip() and not text.endswith("\n\n") else ""
    return f"{text}{gap}{section}:\n{_dump_entries(entries, 0)}"


def _edit(text: str, section: str, entry: dict[str, Any]) -> str | None:
    """Edit the YAML text in place; None where the layout does not allow it."""
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    found = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == section]
    if not found:
        return _append_section(text, section, [entry])
    key, value = found[0]
    lines = text.split("\n")
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        indent = _dash_column(text, value.value[0])
        index = _item_index(value, entry["id"])
        if index is None:  # append after the section's last item
            last = _line_of(text, _content_end(text, value.value[-1]))
            lines[last + 1:last + 1] = _dump_entries([entry], indent).rstrip("\n").split("\n")
        else:  # replace the item's lines, from its dash to its last content
            item = value.value[index]
            first = text.count("\n", 0, _dash_index(text, item))
            last = _line_of(text, _content_end(text, item))
            lines[first:last + 1] = _dump_entries([entry], indent).rstrip("\n").split("\n")
        return "\n".join(lines)
    # Null ("actors:"), empty or flow-style section: rewrite it as a block sequence.
    data = _data(text) or {}
    entries = _merged(data.get(section), entry)
    start, end = value.start_mark.index, value.end_mark.index
    if start != end and value.start_mark.line != key.start_mark.line:
        return None
    line = key.start_mark.line
    lines = (text[:start] + text[end:]).split("\n")
    lines[line] = lines[line].rstrip()
    block = _dump_entries(entries, key.start_mark.column).rstrip("\n")
    lines[line + 1:line + 1] = block.split("\n")
    return "\n".join(lines)


def _redump(text: str, data: dict[str, Any]) -> str:
    """Dump *data* afresh, keeping the file's leading comment block (other comments are lost)."""
    header = []
    for line in text.split("\n"):
        if line.startswith("#") or (header and not line.strip()):
            header.append(line)
        else:
            break
    head = "\n".join(header).rstrip("\n")
    body = "\n".join(f"{name}:\n{_dump_entries(list(entries or []), 0)}".rstrip("\n")
                     if isinstance(entries, list) else _dump({name: entries}).rstrip("\n")
                     for name, entries in data.items())
    return (head + "\n\n" if head else "") + body + "\n"


def _write_validated(path: Path, text: str) -> Codebook:
    """Validate *text* as *path* would load, then put it in place atomically."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            codebook = load_codebook(tmp)
        except CodebookError as exc:
            problems = [p.replace(tmp, str(path)) for p in exc.problems]
            problems[-1] += f" (nothing was written to {path})"
            raise CodebookError(problems) from None
        # mkstemp makes a private file; keep the mode of the file replaced, else a usual one.
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    sources = tuple(str(path) if s == tmp else s for s in codebook.sources)
    return dataclasses.replace(codebook, sources=sources)


# --------------------------------------------------------------------------- YAML helpers


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _plain(value: Any) -> Any:
    """Plain lists and dicts, so that safe_dump can write codebook objects (frozen patterns)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Block-style entries with flow-style lists of strings, as the bundled files are written."""


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(not isinstance(v, (list, tuple, dict)) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(list, _represent_list)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def _dump_entries(entries: list[Any], indent: int) -> str:
    if not entries:
        return ""
    pad = " " * indent
    return "".join(f"{pad}{line}\n" for line in _dump(entries).rstrip("\n").split("\n"))


def _data(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _expected(text: str, section: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The data the edited file must hold: the file's data with the entry added or replaced."""
    data = dict(_data(text) or {})
    # The entry as YAML reads it back (e.g. a date-like string stays a string).
    data[section] = _merged(data.get(section), yaml.safe_load(_dump(entry)))
    return data


def _merged(entries: Any, entry: dict[str, Any]) -> list[Any]:
    out = list(entries or [])
    for i, old in enumerate(out):
        if isinstance(old, dict) and old.get("id") == entry["id"]:
            out[i] = entry
            return out
    return [*out, entry]


def _find(text: str | None, section: str, entry_id: str) -> int | None:
    """0-based line of the entry with *entry_id* in *section* of the file, or None."""
    if text is None:
        return None
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == section and \
                isinstance(value, yaml.SequenceNode):
            index = _item_index(value, entry_id)
            if index is not None:
                return value.value[index].start_mark.line
    return None


def _item_index(sequence: yaml.SequenceNode, entry_id: str) -> int | None:
    for i, item in enumerate(sequence.value):
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "id" and \
                        isinstance(value, yaml.ScalarNode) and value.value == entry_id:
                    return i
    return None


def _content_end(text: str, node: yaml.Node) -> int:
    """Index just past the node's last character of content (block nodes' end marks run on
    over trailing comments and blank lines, which belong to whatever follows)."""
    if isinstance(node, yaml.ScalarNode):
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">"):
            return start + len(text[start:end].rstrip())
        return end
    if getattr(node, "flow_style", False):
        return node.end_mark.index
    children: list[yaml.Node] = (
        [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
        else list(node.value))
    return max((_content_end(text, c) for c in children), default=node.end_mark.index)


def _dash_index(text: str, item: yaml.Node) -> int:
    """Index of the ``-`` that introduces a block sequence item."""
    i = item.start_mark.index - 1
    while i >= 0 and text[i] in " \t\n":
        i -= 1
    return i if i >= 0 and text[i] == "-" else item.start_mark.index


def _dash_column(text: str, item: yaml.Node) -> int:
    index = _dash_index(text, item)
    return index - (text.rfind("\n", 0, index) + 1)


def _line_of(text: str, end: int) -> int:
    """0-based line of the last character before *end* (the line a span ends on)."""
    return text.count("\n", 0, max(end - 1, 0))
