"""The codebook: countries, actors, topics, cooperation cues and regions, kept as YAML data.

The bundled files live in ``kit/codebook/*.yml``; users extend or correct them with their own
YAML files, which may hold any of the sections ``countries``, ``actors``, ``categories``,
``topics``, ``cues`` and ``regions``. Entries are merged by id: a later file's entry replaces an
earlier one with the same id as a whole. Everything is validated on load, and every error names the file,
the line, the entry and the field.

Topic and cue patterns use a small mini-language (documented with examples in
``kit/codebook/topics.yml``). A pattern is either a phrase or a raw spaCy token pattern (a list
of token dicts). A phrase is split into words on spaces; each word is a regular expression that
must match the whole lower-case text of one token (``{"LOWER": {"REGEX": "^(?:word)$"}}``; a
word without regex characters compiles to ``{"LOWER": "word"}``). Between two words an optional
hyphen (or en dash) token is allowed, because spaCy splits "call-centre" into three tokens.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

import pandas as pd
import yaml

try:  # the regular-expression parser, to expand finite patterns into phrases
    from re import _parser as _sre_parser  # Python >= 3.11
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parser  # type: ignore[no-redef]

__all__ = [
    "Actor", "Category", "Codebook", "CodebookError", "Country", "Cue", "Region", "Topic",
    "cue_patterns", "entity_patterns", "load_codebook", "topic_patterns",
]

# Extra codebook files (os.pathsep-separated), loaded after the files passed as arguments.
_ENV_VAR = "KIT_CODEBOOK"
_BUNDLED = ("countries.yml", "actors.yml", "topics.yml", "cues.yml", "regions.yml")
_ACTOR_TYPES = ("PERSON", "ORG", "EVENT")
# Optional joiner between phrase words: spaCy makes "-" (and "–") a token of its own.
_JOINER = {"ORTH": {"IN": ["-", "\u2013"]}, "OP": "?"}
_PLAIN_WORD = re.compile(r"[\w'’&]+")
_ISO3, _ISO2 = re.compile(r"[A-Z]{3}"), re.compile(r"[A-Z]{2}")
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")


class CodebookError(ValueError):
    """A codebook file cannot be read or is invalid. ``problems`` lists every problem found."""

    def __init__(self, problems: str | list[str] | tuple[str, ...]) -> None:
        self.problems = (problems,) if isinstance(problems, str) else tuple(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems in the codebook:\n" + "\n".join(
                f"- {p}" for p in self.problems)
        super().__init__(message)


@dataclass(frozen=True)
class Country:
    """A country or territory: ISO3 id, display name, and the strings that refer to it."""

    id: str
    name: str
    iso2: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Region:
    """A place that is no country: a world region ("Latin America"), a sea ("South China
    Sea"), or a place whose name holds a country's ("New Mexico"). Its names are matched as
    places of no country, so that the country name inside them links to nothing."""

    id: str
    name: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Actor:
    """A person, organisation or event, with its country (ISO3, None if international)."""

    id: str
    name: str
    type: str
    country: str | None = None
    role: str | None = None
    aliases: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class Category:
    """A topic category (the upper level of the topic taxonomy)."""

    id: str
    label: str


@dataclass(frozen=True)
class Topic:
    """A topic with its category id and match patterns (phrases or raw token patterns)."""

    id: str
    category: str
    label: str
    patterns: tuple[Any, ...]


@dataclass(frozen=True)
class Cue:
    """A group of cooperation cues ("visit", "talks", ...) with match patterns."""

    id: str
    label: str
    patterns: tuple[Any, ...]


class _FrozenDict(dict):  # type: ignore[type-arg]
    """A read-only, hashable, picklable dict for raw token patterns (spaCy takes it as a dict)."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("codebook patterns are read-only; copy them with dict(...) to change them")

    __setitem__ = __delitem__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = __ior__ = _read_only  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_FrozenDict, (dict(self),))


@dataclass(frozen=True, eq=False)
class Codebook:
    """The merged, validated codebook. Mappings are read-only and keyed by id."""

    countries: Mapping[str, Country]
    actors: Mapping[str, Actor]
    categories: Mapping[str, Category]
    topics: Mapping[str, Topic]
    cues: Mapping[str, Cue]
    regions: Mapping[str, Region]
    sources: tuple[str, ...]
    fingerprint: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codebook) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType cannot be pickled; Dask and multiprocessing need to ship codebooks.
        return (_make_codebook, (dict(self.countries), dict(self.actors), dict(self.categories),
                                 dict(self.topics), dict(self.cues), dict(self.regions),
                                 self.sources))

    def __repr__(self) -> str:
        return (f"Codebook({len(self.countries)} countries, {len(self.actors)} actors, "
                f"{len(self.categories)} categories, {len(self.topics)} topics, "
                f"{len(self.cues)} cues, {len(self.regions)} regions, "
                f"fingerprint={self.fingerprint[:12]!r})")

    def country_name(self, iso3: str) -> str:
        """Return the display name of a country ("THA" -> "Thailand")."""
        country = self.countries.get(iso3) if isinstance(iso3, str) else None
        if country is None:
            raise CodebookError(f"unknown country id {iso3!r}: use an ISO 3166-1 alpha-3 id of "
                                "the codebook (e.g. 'THA') or add the country to a codebook file")
        return country.name

    def thread_label(self, thread_id: str) -> str:
        """Return a thread's label: "THA-JPN" -> "Thailand–Japan", "MULTI" -> "Multilateral"."""
        if thread_id == "MULTI":
            return "Multilateral"
        if not isinstance(thread_id, str) or not thread_id:
            raise CodebookError(f"thread id {thread_id!r} is not of the form 'THA-JPN' or 'MULTI'")
        return "\u2013".join(self.country_name(part) for part in thread_id.split("-"))

    def countries_table(self) -> pd.DataFrame:
        """Return the countries.

        Returns:
            DataFrame, one row per country. Columns: ``id, iso2, name, names, demonyms, cities``
            (lists joined with "; ").
        """
        rows = [(c.id, c.iso2, c.name, "; ".join(c.names), "; ".join(c.demonyms),
                 "; ".join(c.cities)) for c in self.countries.values()]
        return pd.DataFrame(rows, columns=["id", "iso2", "name", "names", "demonyms", "cities"])

    def regions_table(self) -> pd.DataFrame:
        """Return the regions (places that are no country).

        Returns:
            DataFrame, one row per region. Columns: ``id, name, names, demonyms`` (lists
            joined with "; ").
        """
        rows = [(r.id, r.name, "; ".join(r.names), "; ".join(r.demonyms))
                for r in self.regions.values()]
        return pd.DataFrame(rows, columns=["id", "name", "names", "demonyms"])

    def actors_table(self) -> pd.DataFrame:
        """Return the actors.

        Returns:
            DataFrame, one row per actor. Columns: ``id, name, type, country, role, aliases,
            valid_from, valid_to`` (aliases joined with "; "; dates as datetime64, NaT if open).
        """
        rows = [(a.id, a.name, a.type, a.country, a.role, "; ".join(a.aliases),
                 a.valid_from, a.valid_to) for a in self.actors.values()]
        table = pd.DataFrame(rows, columns=["id", "name", "type", "country", "role", "aliases",
                                           "valid_from", "valid_to"])
        for column in ("valid_from", "valid_to"):
            table[column] = pd.to_datetime(table[column]).astype("datetime64[ns]")
        return table

    def topics_table(self) -> pd.DataFrame:
        """Return the topics with their categories.

        Returns:
            DataFrame, one row per topic. Columns: ``topic_id, topic, category_id, category,
            patterns`` (patterns joined with "; ", raw token patterns as JSON).
        """
        rows = [(t.id, t.label, t.category, self.categories[t.category].label,
                 "; ".join(p if isinstance(p, str) else json.dumps(p, ensure_ascii=False)
                           for p in t.patterns)) for t in self.topics.values()]
        return pd.DataFrame(rows, columns=["topic_id", "topic", "category_id", "category",
                                           "patterns"])


# --------------------------------------------------------------------------- loading


def load_codebook(*paths: str | os.PathLike[str], bundled: bool = True) -> Codebook:
    """Load the bundled codebook, then user files, then the files in ``KIT_CODEBOOK``.

    Args:
        *paths: YAML files (or folders of ``*.yml``/``*.yaml`` files) with any of the sections
            ``countries, actors, categories, topics, cues, regions``. An entry whose id exists
            already replaces the earlier entry as a whole.
        bundled: Start from the bundled codebook (``kit/codebook/*.yml``).

    Returns:
        The merged, validated codebook.

    Raises:
        CodebookError: a file is missing or unreadable, or an entry is invalid; the message
            names every problem with its file, line, entry and field.
    """
    env = [p for p in os.environ.get(_ENV_VAR, "").split(os.pathsep) if p.strip()]
    files = [f for path in (*paths, *env) for f in _expand(Path(path))]
    if bundled and not files:
        return _bundled_codebook()
    parsed = list(_bundled_parsed()) if bundled else []
    problems: list[str] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{file}: cannot read the file ({exc})")
            continue
        items, file_problems = _parse(text, str(file))
        parsed.append((str(file), items))
        problems += file_problems
    return _assemble(parsed, problems)


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted([*path.glob("*.yml"), *path.glob("*.yaml")])
        if not found:
            raise CodebookError(f"{path}: folder has no *.yml or *.yaml codebook files")
        return found
    if not path.exists():
        raise CodebookError(f"{path}: codebook file not found (relative paths start at "
                            f"{Path.cwd()}); check the path or the {_ENV_VAR} variable")
    return [path]


@lru_cache(maxsize=1)
def _bundled_parsed() -> tuple[tuple[str, dict[str, list[_Item]]], ...]:
    out, problems = [], []
    for name in _BUNDLED:
        label = f"kit/codebook/{name}"
        resource = resources.files("kit").joinpath("codebook").joinpath(name)
        text = resource.read_text(encoding="utf-8")
        items, file_problems = _parse(text, label)
        out.append((label, items))
        problems += file_problems
    if problems:
        raise CodebookError(problems)
    return tuple(out)


@lru_cache(maxsize=1)
def _bundled_codebook() -> Codebook:
    return _assemble(list(_bundled_parsed()))


@dataclass(frozen=True)
class _Item:
    """One validated entry with where it came from (for error messages)."""

    key: str
    value: Any
    source: str
    line: int

    def where(self, section: str) -> str:
        return f"{section} entry {self.key!r} ({self.source}, line {self.line})"


class _Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line."""

    line = 0


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that records mapping lines and rejects duplicate keys."""


class _Refused(yaml.constructor.ConstructorError):
    """Well-formed YAML that a codebook cannot hold; ``problem`` says what to change."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Located:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        # YAML allows a list or a mapping as a key ("? [a, b]"); Python cannot hash one, and
        # no codebook field or section is named by one.
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(
                None, None, f"a {'list' if isinstance(key_node, yaml.SequenceNode) else 'mapping'}"
                " is used as a key; keys are plain names such as 'id' or 'actors'",
                key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _Refused(
                None, None, f"duplicate key {key!r} (YAML would silently keep the last one)",
                key_node.start_mark)
        seen.add(key)
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_SURROGATE = re.compile("[\ud800-\udfff]")


def _construct_scalar(loader: _Loader, node: yaml.ScalarNode) -> Any:
    value = yaml.SafeLoader.construct_scalar(loader, node)
    if isinstance(value, str) and _SURROGATE.search(value):
        # YAML's "\ud83d\ude00" escapes give UTF-16 halves one by one: join the pairs (as JSON
        # does) and refuse a lone half, which is no character and cannot be written as UTF-8.
        try:
            value = value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            lone = _SURROGATE.search(value)[0]  # type: ignore[index]
            raise _Refused(
                None, None, f"the escape \\u{ord(lone):04x} is half of a UTF-16 surrogate pair, "
                "not a character; write the character itself or its \\U escape (e.g. "
                "\\U0001F600)", node.start_mark) from None
    return value


_Loader.construct_scalar = _construct_scalar  # type: ignore[assignment,method-assign]
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay strings, so that a bad date is reported with its entry and field, not as a YAML error.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Invalid(Exception):
    """A field value is invalid; the message says what was expected."""


def _parse(text: str, source: str) -> tuple[dict[str, list[_Item]], list[str]]:
    """Validate one file; return its entries by section and the problems found."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        if isinstance(exc, _Refused):
            # Well-formed YAML the codebook refuses (a duplicate key, a list as a key, a lone
            # surrogate): the problem itself says what to change.
            return {}, [f"{source}{line}: {exc.problem}"]
        return {}, [f"{source}{line}: not valid YAML ({exc}); check indentation and quoting"]
    except RecursionError:  # PyYAML composes nested collections recursively
        return {}, [f"{source}: nested too deeply to read (hundreds of levels of brackets or "
                    "indentation); a codebook entry needs no more than a few levels"]
    if not isinstance(data, dict) or not data:
        return {}, [f"{source}: expected a mapping with sections {', '.join(_FIELDS)}, "
                    f"e.g. 'actors: [...]'; found {type(data).__name__}"]
    items: dict[str, list[_Item]] = {}
    problems: list[str] = []
    for section, entries in data.items():
        if section not in _FIELDS:
            problems.append(f"{source}: unknown section {section!r}; allowed sections: "
                            f"{', '.join(_FIELDS)}")
            continue
        if entries is None:  # an empty section ("actors:") is a placeholder, not an error
            entries = []
        if not isinstance(entries, list):
            problems.append(f"{source}: section {section!r} must be a list of entries "
                            f"('- id: ...'), not {type(entries).__name__}")
            continue
        seen: dict[str, _Item] = {}
        for index, entry in enumerate(entries):
            item, entry_problems = _entry(section, index, entry, source)
            problems += entry_problems
            if item is None:
                continue
            if item.key in seen:
                problems.append(f"{source}, line {item.line}: {section} id {item.key!r} appears "
                                f"twice in this file (also line {seen[item.key].line}); keep one")
            seen[item.key] = item
        items[section] = list(seen.values())
    return items, problems


def _entry(section: str, index: int, entry: Any, source: str) -> tuple[_Item | None, list[str]]:
    line = getattr(entry, "line", 0)
    if not isinstance(entry, dict):
        return None, [f"{source}: {section} entry #{index} must be a mapping of fields, "
                      f"not {type(entry).__name__}"]
    key = entry.get("id")
    label = repr(key) if isinstance(key, str) else f"#{index}"
    where = f"{source}, line {line}: {section} entry {label}"
    fields = _FIELDS[section]
    problems = [f"{where}: unknown field {name!r}; allowed fields: {', '.join(fields)}"
                for name in entry if name not in fields]
    values: dict[str, Any] = {}
    for name, (required, convert) in fields.items():
        if name not in entry:
            if required:
                problems.append(f"{where}: missing required field {name!r}")
            continue
        try:
            values[name] = convert(entry[name])
        except _Invalid as exc:
            problems.append(f"{where}: field {name!r} {exc}")
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and start > end:
        problems.append(f"{where}: field 'valid_to' ({end}) is before 'valid_from' ({start})")
    if problems:
        return None, problems
    return _Item(values["id"], _BUILD[section](**values), source, line), []


# --------------------------------------------------------------------------- field converters


def _text(value: Any) -> str:
    if not isinstance(value, str):
        hint = " (YAML reads yes/no/on/off/numbers as such: quote the value)" \
            if isinstance(value, (bool, int, float)) else ""
        raise _Invalid(f"must be a string, got {type(value).__name__} {value!r}{hint}")
    if not value.strip():
        raise _Invalid("must not be empty")
    return value.strip()


def _matching(pattern: re.Pattern[str], expected: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = _text(value)
        if not pattern.fullmatch(text):
            raise _Invalid(f"must be {expected}, got {text!r}")
        return text
    return convert


_country_id = _matching(_ISO3, "an ISO 3166-1 alpha-3 code (3 upper-case letters, e.g. 'THA')")
_iso2 = _matching(_ISO2, "an ISO 3166-1 alpha-2 code (2 upper-case letters, e.g. 'TH')")
_snake_id = _matching(_SNAKE, "a snake_case id (lower-case letters, digits and '_')")


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


def _text_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(f"must be a list of strings ('[a, b]'), got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        try:
            out.append(_text(item))
        except _Invalid as exc:
            raise _Invalid(f"item {i} {exc}") from None
    return tuple(dict.fromkeys(out))


def _actor_type(value: Any) -> str:
    text = _text(value)
    if text not in _ACTOR_TYPES:
        raise _Invalid(f"must be one of {', '.join(_ACTOR_TYPES)}, got {text!r}")
    return text


def _optional_date(value: Any) -> date | None:
    if value is None:
        return None
    text = str(value).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise _Invalid(f"must be a date YYYY-MM-DD (e.g. 2025-09-29), got {value!r}") from None


def _patterns(value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid("must be a non-empty list of phrases or token patterns")
    out = []
    for i, pattern in enumerate(value):
        try:
            out.append(_phrase(pattern) if isinstance(pattern, str) else _token_pattern(pattern))
        except _Invalid as exc:
            raise _Invalid(f"item {i} ({pattern!r}): {exc}") from None
    return tuple(out)


def _phrase(phrase: str) -> str:
    words = phrase.split()
    if not words:
        raise _Invalid("empty phrase")
    for word in words:
        unescaped = re.sub(r"\\.", "", word)
        if re.search(r"[A-Z]", unescaped):
            raise _Invalid(f"word {word!r} has upper-case letters; patterns match the lower-case "
                           "token text, so write it in lower case")
        # spaCy splits at a hyphen before a letter ("cyber-crime") but not before a digit
        # ("covid-19"), so only the first kind can never match.
        if re.search(r"-(?!\d)", re.sub(r"\[[^\]]*\]", "", unescaped)):
            raise _Invalid(f"word {word!r} contains a hyphen, but spaCy splits words at hyphens; "
                           "write the parts as separate words ('call centre' also matches "
                           "'call-centre')")
        try:
            re.compile(f"^(?:{word})$")
        except re.error as exc:
            hint = "; words are split at spaces, so a group cannot hold a space: write two " \
                "patterns" if len(words) > 1 else ""
            raise _Invalid(f"word {word!r} is not a valid regular expression ({exc}){hint}") \
                from None
    return " ".join(words)


def _token_pattern(pattern: Any) -> tuple[Any, ...]:
    if not isinstance(pattern, list) or not pattern:
        raise _Invalid("must be a phrase string or a non-empty list of token dicts")
    plain = _thaw(pattern)
    from spacy.schemas import validate_token_pattern  # spaCy only when raw patterns exist

    errors = validate_token_pattern(plain)
    if errors:
        raise _Invalid(f"not a valid spaCy token pattern: {'; '.join(errors)}")
    for regex in _regexes(plain):
        try:
            re.compile(regex)
        except re.error as exc:
            raise _Invalid(f"REGEX {regex!r} is not a valid regular expression ({exc})") from None
    for i, token in enumerate(plain):
        for key in token:
            needs = _NEEDS_MODEL.get(str(key).upper())
            if needs:
                raise _Invalid(
                    f"token {i} matches on {key}, which needs a {needs}: the codebook-only "
                    "pipeline has none and the kit never runs the parser, so the pattern would "
                    "fail; match on LOWER, ORTH, NORM, SHAPE or a REGEX instead")
    _compile_check(plain)
    return _freeze(plain)


# Token attributes that only a trained component sets; spaCy's Matcher raises E155 on a Doc
# without them, which is every Doc of the codebook-only pipeline.
_NEEDS_MODEL = {"POS": "tagger or morphologizer", "TAG": "tagger", "MORPH": "morphologizer",
                "LEMMA": "lemmatizer", "DEP": "parser"}


def _compile_check(pattern: list[Any]) -> None:
    """Compile *pattern* into a throwaway Matcher and run it once, so that what spaCy's schema
    lets through but the Matcher refuses (E011 quantifiers such as "{2,1}", E046 unregistered
    ``_`` extensions) is reported here, with its entry, rather than when annotating."""
    from spacy.matcher import Matcher

    nlp = _checking_nlp()
    matcher = Matcher(nlp.vocab)
    try:
        matcher.add("check", [_thaw(pattern)])
        matcher(nlp.make_doc("A check."))
    except Exception as exc:  # noqa: BLE001 - any refusal by spaCy is an invalid pattern
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _Invalid(f"spaCy's Matcher cannot use this token pattern: {reason}") from None


@lru_cache(maxsize=1)
def _checking_nlp() -> Any:
    import spacy

    return spacy.blank("en")


def _regexes(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "REGEX" and isinstance(inner, str):
                yield inner
            else:
                yield from _regexes(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _regexes(inner)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return _FrozenDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


_R, _O = True, False  # required / optional
_FIELDS: dict[str, dict[str, tuple[bool, Callable[[Any], Any]]]] = {
    "countries": {"id": (_R, _country_id), "iso2": (_R, _iso2), "name": (_R, _text),
                  "names": (_O, _text_tuple), "demonyms": (_O, _text_tuple),
                  "cities": (_O, _text_tuple)},
    "actors": {"id": (_R, _snake_id), "name": (_R, _text), "type": (_R, _actor_type),
               "country": (_O, _optional(_country_id)), "role": (_O, _optional(_text)),
               "aliases": (_O, _text_tuple), "valid_from": (_O, _optional_date),
               "valid_to": (_O, _optional_date)},
    "categories": {"id": (_R, _snake_id), "label": (_R, _text)},
    "topics": {"id": (_R, _snake_id), "category": (_R, _snake_id), "label": (_R, _text),
               "patterns": (_R, _patterns)},
    "cues": {"id": (_R, _snake_id), "label": (_R, _text), "patterns": (_R, _patterns)},
    "regions": {"id": (_R, _snake_id), "name": (_R, _text), "names": (_O, _text_tuple),
                "demonyms": (_O, _text_tuple)},
}
_BUILD: dict[str, Callable[..., Any]] = {
    "countries": Country, "actors": Actor, "categories": Category, "topics": Topic, "cues": Cue,
    "regions": Region,
}


# --------------------------------------------------------------------------- merging


def _assemble(parsed: list[tuple[str, dict[str, list[_Item]]]],
              problems: list[str] | None = None) -> Codebook:
    """Merge parsed files by id (later files win), check references, build the codebook.

    ``problems`` already found in single files are reported together with the merge problems.
    """
    merged: dict[str, dict[str, _Item]] = {section: {} for section in _FIELDS}
    for _, items in parsed:
        for section, section_items in items.items():
            for item in section_items:
                merged[section][item.key] = item
    problems = list(problems or [])
    for item in merged["actors"].values():
        if item.value.country is not None and item.value.country not in merged["countries"]:
            problems.append(f"{item.where('actors')}: field 'country' refers to unknown country "
                            f"{item.value.country!r}; use an id from countries.yml or add it")
    for item in merged["topics"].values():
        if item.value.category not in merged["categories"]:
            problems.append(f"{item.where('topics')}: field 'category' refers to unknown category "
                            f"{item.value.category!r}; known: {', '.join(merged['categories'])}")
    problems += _collisions(merged)
    if problems:
        raise CodebookError(problems)
    # Keep the files' order (bundled first; an override keeps its place): charts and widgets
    # list categories and topics in the order the codebook's authors chose.
    values = {s: {k: merged[s][k].value for k in merged[s]} for s in _FIELDS}
    return _make_codebook(*(values[s] for s in _FIELDS), tuple(label for label, _ in parsed))


def _collisions(merged: dict[str, dict[str, _Item]]) -> list[str]:
    """Report a match string claimed by two entries: the entity ruler could link only one."""
    owners: dict[str, tuple[str, str, str]] = {}  # string -> (section, id, description)
    problems = []

    def claim(text: str, section: str, item: _Item, field: str) -> None:
        key = text.replace("\u2019", "'")
        owner = owners.setdefault(key, (section, item.key, f"{field} of {item.where(section)}"))
        if owner[:2] != (section, item.key):
            problems.append(f"{text!r} is claimed by two entries: {owner[2]} and {field} of "
                            f"{item.where(section)}; a string can link to one entry only, so "
                            "remove it from one of them or qualify it")

    for item in merged["countries"].values():
        c = item.value
        for field, texts in (("name", (c.name,)), ("names", c.names), ("demonyms", c.demonyms),
                             ("cities", c.cities)):
            for text in texts:
                claim(text, "countries", item, field)
    for item in merged["actors"].values():
        for field, texts in (("name", (item.value.name,)), ("aliases", item.value.aliases)):
            for text in texts:
                claim(text, "actors", item, field)
    for item in merged["regions"].values():
        r = item.value
        for field, texts in (("name", (r.name,)), ("names", r.names), ("demonyms", r.demonyms)):
            for text in texts:
                claim(text, "regions", item, field)
    return problems


def _make_codebook(countries: dict[str, Country], actors: dict[str, Actor],
                   categories: dict[str, Category], topics: dict[str, Topic],
                   cues: dict[str, Cue], regions: dict[str, Region],
                   sources: tuple[str, ...]) -> Codebook:
    content = {name: [_thaw(asdict(v)) for v in section.values()] for name, section in
               (("countries", countries), ("actors", actors), ("categories", categories),
                ("topics", topics), ("cues", cues), ("regions", regions))}
    dump = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return Codebook(
        countries=MappingProxyType(dict(countries)), actors=MappingProxyType(dict(actors)),
        categories=MappingProxyType(dict(categories)), topics=MappingProxyType(dict(topics)),
        cues=MappingProxyType(dict(cues)), regions=MappingProxyType(dict(regions)),
        sources=tuple(sources),
        fingerprint=hashlib.sha256(dump.encode("utf-8")).hexdigest(),
    )


# --------------------------------------------------------------------------- compiling


def entity_patterns(codebook: Codebook) -> list[dict[str, Any]]:
    """Compile actors and countries to spaCy EntityRuler phrase patterns.

    Phrases match case-sensitively, token by token (use ``phrase_matcher_attr=None``/ORTH).
    Possessives need no pattern of their own: spaCy splits "Japan's" into "Japan" + "'s".
    Strings with an apostrophe are added with both ' and ’.

    Args:
        codebook: The codebook to compile.

    Regions are what keeps a country's name from matching inside a longer place name: the
    entity ruler prefers the longest match, so "Latin America" (a region) wins over "America"
    (an alternative name of the United States) and links to no country.

    Returns:
        One dict per phrase: ``label`` (actor type, GPE for countries and cities, NORP for
        demonyms, LOC for regions and NORP for their demonyms), ``pattern`` (the string) and
        ``id`` (``actor:<id>``, ``country:<ISO3>``, ``city:<ISO3>``, ``demonym:<ISO3>`` or
        ``region:<id>``). Actors come first, then countries, cities, demonyms and regions; a
        string is emitted once, for the first of these that claims it.
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(label: str, texts: tuple[str, ...], pattern_id: str) -> None:
        for text in texts:
            for variant in dict.fromkeys((text, text.replace("'", "\u2019"),
                                          text.replace("\u2019", "'"))):
                if variant not in seen:
                    seen.add(variant)
                    out.append({"label": label, "pattern": variant, "id": pattern_id})

    for a in codebook.actors.values():
        add(a.type, (a.name, *a.aliases), f"actor:{a.id}")
    for kind, label, texts_of in (("country", "GPE", lambda c: (c.name, *c.names)),
                                  ("city", "GPE", lambda c: c.cities),
                                  ("demonym", "NORP", lambda c: c.demonyms)):
        for c in codebook.countries.values():
            add(label, texts_of(c), f"{kind}:{c.id}")
    for r in codebook.regions.values():
        add("LOC", (r.name, *r.names), f"region:{r.id}")
        add("NORP", r.demonyms, f"region:{r.id}")
    return out


def topic_patterns(codebook: Codebook) -> list[dict[str, Any]]:
    """Compile topics to span-matcher patterns (see :func:`_span_patterns`).

    Args:
        codebook: The codebook to compile.

    Returns:
        One dict per pattern: ``label`` and ``id`` (both the topic id), and either ``phrase``
        (a list of lower-case token texts, for spaCy's PhraseMatcher) or ``pattern`` (a list of
        token dicts, for spaCy's Matcher).
    """
    return _span_patterns(codebook.topics.values())


def cue_patterns(codebook: Codebook) -> list[dict[str, Any]]:
    """Compile cooperation cues to span-matcher patterns, like :func:`topic_patterns`.

    Args:
        codebook: The codebook to compile.

    Returns:
        One dict per pattern: ``label`` and ``id`` (both the cue id), and ``phrase`` or
        ``pattern``.
    """
    return _span_patterns(codebook.cues.values())


# A phrase whose words have finite languages ("scams?", "cent(?:re|er)s?") is expanded into
# the token sequences it matches, for spaCy's PhraseMatcher: a hash lookup per token instead of
# one regular expression per token and pattern, which made annotation ~100x slower.
_MAX_PHRASES = 5000
_JOINERS = ("-", "\u2013")


def _span_patterns(entries: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for e in entries:
        for p in e.patterns:
            phrases = _expand_phrase(p) if isinstance(p, str) else None
            if phrases is None:
                out.append({"label": e.id, "pattern": _tokens(p), "id": e.id})
            else:
                out.extend({"label": e.id, "phrase": list(words), "id": e.id}
                           for words in phrases)
    return out


def _expand_phrase(phrase: str) -> list[tuple[str, ...]] | None:
    """Every token sequence *phrase* matches (optional hyphens included), or None if too many
    or infinite."""
    sequences: list[tuple[str, ...]] = [()]
    for i, word in enumerate(phrase.split()):
        forms = _finite_language(word)
        if forms is None:
            return None
        joins: tuple[tuple[str, ...], ...] = ((),) if i == 0 else ((), *((j,) for j in _JOINERS))
        sequences = [(*seq, *join, form) for seq in sequences for join in joins for form in forms
                     if form]
        if len(sequences) > _MAX_PHRASES:
            return None
    return sequences


def _finite_language(word: str, limit: int = 400) -> list[str] | None:
    """The strings regex *word* matches in full, if they are few and finite; else None."""
    try:
        parsed = _sre_parser.parse(word)
    except Exception:  # noqa: BLE001 - any unusual regex stays a regex pattern
        return None

    def sequence(items: Any) -> list[str] | None:
        out = [""]
        for op, arg in items:
            parts = node(str(op), arg)
            if parts is None:
                return None
            out = [a + b for a in out for b in parts]
            if len(out) > limit:
                return None
        return out

    def node(op: str, arg: Any) -> list[str] | None:
        if op == "LITERAL":
            return [chr(arg)]
        if op == "SUBPATTERN":
            return sequence(arg[-1])
        if op == "BRANCH":
            out: list[str] = []
            for branch in arg[1]:
                parts = sequence(branch)
                if parts is None:
                    return None
                out += parts
            return out
        if op in {"MAX_REPEAT", "MIN_REPEAT"}:
            low, high, inner = arg
            base = sequence(inner)
            if base is None or high > 4:
                return None
            out, current = ([""] if low == 0 else []), [""]
            for count in range(1, high + 1):
                current = [a + b for a in current for b in base]
                if count >= low:
                    out += current
                if len(out) > limit:
                    return None
            return out
        if op == "IN":
            chars: list[str] = []
            for inner_op, inner_arg in arg:
                if str(inner_op) == "LITERAL":
                    chars.append(chr(inner_arg))
                elif str(inner_op) == "RANGE" and inner_arg[1] - inner_arg[0] < 30:
                    chars += [chr(c) for c in range(inner_arg[0], inner_arg[1] + 1)]
                else:
                    return None
            return chars
        return None

    found = sequence(parsed)
    return sorted(set(found)) if found is not None else None


def _tokens(pattern: Any) -> list[dict[str, Any]]:
    if not isinstance(pattern, str):
        return _thaw(pattern)  # fresh plain copies: spaCy must not share codebook objects
    tokens: list[dict[str, Any]] = []
    for i, word in enumerate(pattern.split()):
        if i:
            tokens.append(_thaw(_JOINER))
        tokens.append({"LOWER": word} if _PLAIN_WORD.fullmatch(word)
                      else {"LOWER": {"REGEX": f"^(?:{word})$"}})
    return tokens
