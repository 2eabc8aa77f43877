"""Assign each paragraph to the bilateral cooperation threads it belongs to, with evidence.

The rule (DESIGN.md, "Threads"): a paragraph belongs to thread FOCUS–X when country X is a
*partner* there, i.e. X, or an actor of X, acts together with the focus side in one sentence.
Countries that are merely listed, named as the nationality of suspects or victims, or seen
cooperating with each other without the focus side, are *incidental* and start no thread. A
paragraph without a partner of its own continues the threads of the previous paragraph of the same
story. Four or more countries acting together form one multilateral (``MULTI``) assignment.

The module works on the flat tables :mod:`kit.annotate` produces (sentences, mentions, cues), so
it needs no spaCy objects and every decision can be replayed from the tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "MULTI",
    "MULTILATERAL_MIN",
    "Assignment",
    "assign_threads",
    "thread_id",
]

MULTI = "MULTI"
#: A forum counts as multilateral from this many countries, the focus country included.
MULTILATERAL_MIN = 4

# Nouns that, right after a nationality ("three Chinese nationals", "Lao victims"), say the
# country is someone's origin, not a party acting in the story.
_PERSON_NOUNS = frozenset(
    """
    national nationals citizen citizens suspect suspects man men woman women boy boys girl girls
    child children people person persons tourist tourists victim victims worker workers labourer
    labourers laborer laborers migrant migrants fugitive fugitives gang gangs gangster gangsters
    scammer scammers fraudster fraudsters smuggler smugglers trafficker traffickers boss bosses
    businessman businessmen businesswoman couple employee employees hostage hostages teenager
    teenagers student students resident residents passport passports nationality
    mastermind ringleader kingpin accomplice accomplices crew members member detainee detainees
    prisoner prisoners convict convicts inmate inmates offender offenders driver drivers
    """.split()
)
# Currencies: "2 million US dollars" names a unit, not a party.
_CURRENCY_NOUNS = frozenset(
    """
    dollar dollars yuan renminbi yen baht ringgit won euro euros pound pounds riel kip dong
    rupiah peso pesos rupee rupees kyat currency
    """.split()
)
# Words that make a preceding person noun claim the country after "from"/"of": "victims from
# Myanmar", "nationals of Laos".
_ORIGIN_PREPOSITIONS = frozenset({"from", "of"})
# Words that introduce an illustrative list of countries rather than parties to an event.
_LIST_MARKERS = re.compile(
    r"\b(such as|including|like|countries|nations|among them|for example|e\.g\.)\W*$", re.I
)
_COORDINATION_GAP = re.compile(r"^(?:\s*,\s*|\s*,?\s*(?:and|or|as well as)\s+)(?:the\s+)?$", re.I)
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class Assignment:
    """One paragraph's membership of one thread, with the evidence for it.

    Attributes:
        thread: Thread id, e.g. ``"THA-JPN"`` or ``"MULTI"``.
        participants: ISO3 codes of the partner countries (the focus country excluded).
        rule: Which rule fired: ``"partner"`` (partner and focus side in one sentence with a
            cooperation cue or an acting authority), ``"cue"`` (a lone partner with a cooperation
            cue in a story about the focus country), ``"multilateral"`` or ``"continued"``.
        sentence: Index of the evidence sentence within the paragraph, ``-1`` when continued.
        evidence: The evidence sentence's text (for a continued thread, the sentence that
            started it).
    """

    thread: str
    participants: tuple[str, ...]
    rule: str
    sentence: int
    evidence: str


def thread_id(focus: str, partner: str) -> str:
    """Return the id of the bilateral thread between *focus* and *partner* (``"THA-JPN"``)."""
    return f"{focus}-{partner}"


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    country: str
    kind: str
    label: str


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _is_nationality_of_person(sentence: str, m: _Mention) -> bool:
    """True when the mention names where a person (or a currency) comes from, not a party
    that acts."""
    after = _words(sentence[m.end : m.end + 40])[:3]
    before = _words(sentence[max(0, m.start - 40) : m.start])[-3:]
    if after and after[0] in _CURRENCY_NOUNS:
        return True
    if m.kind == "demonym" or m.label == "NORP":
        # "Chinese nationals", "three Lao victims", "a Cambodian-born suspect"
        return any(w in _PERSON_NOUNS for w in after[:2]) or (
            bool(after) and after[0] in {"born", "descent", "origin"}
        )
    if m.kind in {"country", "city"}:
        # "victims from Myanmar", "nationals of Laos", "a fugitive from China"
        if before and before[-1] in _ORIGIN_PREPOSITIONS:
            return any(w in _PERSON_NOUNS for w in before[:-1])
        # "of Chinese nationality" is caught above; "a Japan national" is rare but cheap to catch
        return bool(after) and after[0] in {"national", "nationals", "citizen", "citizens"}
    return False


def _coordinations(sentence: str, mentions: Sequence[_Mention]) -> list[list[_Mention]]:
    """Group mentions that stand in one coordination: "China, Laos and Myanmar"."""
    runs: list[list[_Mention]] = []
    for m in sorted(mentions, key=lambda x: x.start):
        if runs and _COORDINATION_GAP.match(sentence[runs[-1][-1].end : m.start]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _sentence_partners(
    sentence: str,
    mentions: Sequence[_Mention],
    *,
    focus: str,
    has_cue: bool,
    story_has_focus: bool,
) -> tuple[list[str], str | None]:
    """Return the partner countries of one sentence and the rule that found them."""
    acting = [m for m in mentions if not _is_nationality_of_person(sentence, m)]
    incidental: set[int] = set()
    for run in _coordinations(sentence, acting):
        countries = {m.country for m in run}
        before = sentence[max(0, run[0].start - 40) : run[0].start]
        if len(countries) >= 3 and (_LIST_MARKERS.search(before) or not has_cue):
            # An illustrative list ("countries such as the US, Germany and Saudi Arabia").
            incidental.update(id(m) for m in run)
        elif focus not in countries and len(countries) >= 2 and _BETWEEN.search(before):
            # "an agreement between China and Laos": cooperation without the focus side.
            incidental.update(id(m) for m in run)
    acting = [m for m in acting if id(m) not in incidental]

    focus_present = any(m.country == focus for m in acting)
    foreign = sorted({m.country for m in acting if m.country != focus})
    if not foreign:
        return [], None
    if focus_present and (has_cue or _has_acting_authority(sentence, acting, focus)):
        return foreign, "partner"
    if not focus_present and has_cue and story_has_focus and len(foreign) == 1:
        return foreign, "cue"
    return [], None


# Nouns that make a nationality an acting party: "Japanese authorities", "Chinese police".
_AUTHORITY_NOUNS = frozenset(
    """
    police authorities authority officials official officers officer government ministry
    ministries minister ministers embassy ambassador delegation delegates counterpart
    counterparts law enforcement agencies agency side forces military army navy coast guard
    investigators prosecutors court courts leaders leader president premier envoy diplomats
    """.split()
)


def _has_acting_authority(sentence: str, mentions: Sequence[_Mention], focus: str) -> bool:
    """True when a foreign mention is itself an acting body (an actor or an authority)."""
    for m in mentions:
        if m.country == focus:
            continue
        if m.kind == "actor" or m.label == "ORG":
            return True
        after = _words(sentence[m.end : m.end + 40])[:2]
        if any(w in _AUTHORITY_NOUNS for w in after):
            return True
    return False


def assign_threads(
    paragraphs: pd.DataFrame,
    sentences: pd.DataFrame,
    mentions: pd.DataFrame,
    cues: pd.DataFrame,
    *,
    focus: str,
) -> pd.DataFrame:
    """Assign every paragraph to its cooperation threads.

    Args:
        paragraphs: One row per paragraph (``article_id, paragraph, story``).
        sentences: One row per sentence (``article_id, paragraph, sentence, start, text``).
        mentions: One row per entity mention (``article_id, paragraph, sentence, start, end,
            country, kind, label``); offsets are within the paragraph.
        cues: One row per cooperation cue (``article_id, paragraph, sentence``).
        focus: ISO3 code of the focus country.

    Returns:
        DataFrame, one row per (paragraph, thread). Columns: ``article_id, paragraph, story,
        thread, participants, rule, sentence, evidence``.
    """
    # Index everything by paragraph once, so the assignment is linear in the corpus size.
    sents: dict[tuple, list[tuple[int, str, int]]] = {}
    for r in sentences.itertuples(index=False):
        sents.setdefault((r.article_id, int(r.paragraph)), []).append(
            (int(r.sentence), str(r.text), int(r.start))
        )
    cue_sentences: dict[tuple, set[int]] = {}
    for r in cues.itertuples(index=False):
        cue_sentences.setdefault((r.article_id, int(r.paragraph)), set()).add(int(r.sentence))
    located = mentions[mentions["country"].notna() & (mentions["country"] != "")]
    para_mentions: dict[tuple, dict[int, list[_Mention]]] = {}
    for r in located.itertuples(index=False):
        para_mentions.setdefault((r.article_id, int(r.paragraph)), {}).setdefault(
            int(r.sentence), []
        ).append(_Mention(int(r.start), int(r.end), str(r.country), str(r.kind), str(r.label)))
    story = {(r.article_id, int(r.paragraph)): int(r.story)
             for r in paragraphs.itertuples(index=False)}
    focus_stories = {
        (a, story.get((a, p), 0))
        for (a, p), by_sent in para_mentions.items()
        if any(m.country == focus for ms in by_sent.values() for m in ms)
    }

    rows: list[dict] = []
    previous: list[Assignment] = []
    previous_story: tuple | None = None
    for para in paragraphs.sort_values(["article_id", "paragraph"], kind="stable").itertuples(
        index=False
    ):
        key = (para.article_id, int(para.paragraph))
        story_key = (para.article_id, int(para.story))
        if story_key != previous_story:
            previous = []
        found = _paragraph_assignments(
            sorted(sents.get(key, [])),
            para_mentions.get(key, {}),
            cue_sentences.get(key, set()),
            focus=focus,
            story_has_focus=story_key in focus_stories,
        )
        if not found:
            found = [Assignment(a.thread, a.participants, "continued", -1, a.evidence)
                     for a in previous]
        rows.extend(
            {"article_id": para.article_id, "paragraph": int(para.paragraph),
             "story": int(para.story), "thread": a.thread, "participants": list(a.participants),
             "rule": a.rule, "sentence": a.sentence, "evidence": a.evidence}
            for a in found
        )
        previous, previous_story = found, story_key
    return pd.DataFrame(rows, columns=_COLUMNS)


_COLUMNS = ["article_id", "paragraph", "story", "thread", "participants", "rule", "sentence",
            "evidence"]


def _paragraph_assignments(
    sentences: Sequence[tuple[int, str, int]],
    mentions: dict[int, list[_Mention]],
    cue_sentences: set[int],
    *,
    focus: str,
    story_has_focus: bool,
) -> list[Assignment]:
    """Return the assignments a paragraph earns from its own sentences, first evidence kept."""
    found: dict[str, Assignment] = {}
    for index, text, offset in sentences:
        # Mention offsets are paragraph-relative; the rules read the sentence's own text.
        local = [_Mention(m.start - offset, m.end - offset, m.country, m.kind, m.label)
                 for m in mentions.get(index, [])]
        partners, rule = _sentence_partners(
            text, local, focus=focus, has_cue=index in cue_sentences,
            story_has_focus=story_has_focus,
        )
        if not partners:
            continue
        if len(partners) + 1 >= MULTILATERAL_MIN:
            found.setdefault(MULTI, Assignment(MULTI, tuple(partners), "multilateral", index, text))
            continue
        for partner in partners:
            tid = thread_id(focus, partner)
            found.setdefault(tid, Assignment(tid, (partner,), rule or "partner", index, text))
    return list(found.values())
