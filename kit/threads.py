"""Assign each paragraph to the bilateral cooperation threads it belongs to, with evidence.

The rule (DESIGN.md, "Threads"): a paragraph belongs to thread FOCUS–X when country X is a
*partner* there, i.e. X, or an actor of X, acts together with the focus side in one clause of a
sentence (with a cooperation cue, or as an authority: "Japanese police"). Countries that are
*incidental* start no thread:

- merely listed ("countries such as the US, Germany and Saudi Arabia");
- the nationality or origin of people or things ("three Chinese nationals", "two Malaysians",
  "victims from Myanmar", "Chinese-made drones", "2 million US dollars");
- the place where people or goods are, go or come from ("suspects hiding in Thailand, Cambodia
  and Laos", "workers trafficked to Myanmar", "scam compounds in Myawaddy", "who entered Thailand
  from Cambodia");
- cooperating with each other without the focus side ("an agreement between China and Laos"),
  or in another clause than the focus side and its partner ("Thailand and Malaysia signed ...,
  while Indonesian and Philippine delegates discussed ...").

Mentions in one coordination share the noun after it: "Chinese and Thai police" are two police
forces, "Chinese and Thai nationals" two nationalities. A paragraph without a partner of its own
continues the threads of the previous paragraph of the same story. Four or more countries acting
together form one multilateral (``MULTI``) assignment.

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
    foreigner foreigners refugee refugees immigrant immigrants expat expats expatriate expatriates
    retiree retirees
    backpacker backpackers traveller travellers traveler travelers investor investors
    hacker hackers thief thieves robber robbers killer killers gunman gunmen dealer dealers
    courier couriers mule mules recruiter recruiters jobseekers seekers fisherman fishermen
    sailors monk monks patient patients family families wife husband son daughter
    rebel rebels insurgent insurgents militant militants syndicate syndicates ring rings
    """.split()
)
# Words right after a nationality that make it an origin: "a Cambodian-born suspect",
# "Chinese-made drones", "a Japanese-owned factory", "of Korean descent".
_ORIGIN_WORDS = frozenset(
    "born descent origin made built manufactured owned flagged registered style language "
    "speaking speakers".split()
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
# A place after one of these prepositions ...
_PLACE_PREPOSITIONS = frozenset({"in", "to", "into", "from", "across", "inside", "within",
                                 "throughout", "through", "via", "at", "near", "outside"})
# ... governed by one of these words is where people or goods are, go or come from, not a
# party to the story: "suspects hiding in Thailand, Cambodia and Laos", "workers trafficked to
# Myanmar", "compounds in Myawaddy", "a suspect who fled to Malaysia", "drugs produced in
# Myanmar". ("held", "sent" and "extradited" are left out: "talks held in Tokyo", "a delegation
# sent to Japan" and "extradited to Seoul" name a party.)
_PLACE_GOVERNORS = frozenset(
    """
    fled flee flees fleeing escaped escape escapes escaping hiding hid hide hides hidden
    based operating operated operate operates run trafficked smuggled smuggling trafficking
    lured lure taken sold kidnapped abducted rescued freed stranded trapped stuck detained
    jailed imprisoned arrested caught captured wanted living lived live lives staying stayed
    residing born raised produced grown manufactured shipped transported transferred
    laundered funnelled funneled channelled channeled routed bound destined returned
    entered entering crossed crossing found dead killed died murdered injured missing
    compound compounds centres centers dens den hideout hideouts camps casinos
    """.split()
)
# Determiners and adverbs skipped between a governor and its preposition or place.
_SKIP_BEFORE_PLACE = frozenset({"the", "a", "an", "back", "out", "away", "off", "abroad",
                                "elsewhere", "mainly", "mostly", "also", "illegally"})
# Words that introduce an illustrative list of countries rather than parties to an event.
_LIST_MARKERS = re.compile(
    r"\b(such as|including|like|countries|nations|among them|for example|e\.g\.)\W*$", re.I
)
# Mentions in one coordination ("China, Laos and Myanmar", "Thai and Chinese police") or one
# possessive chain ("Myanmar's Shan State") share what stands before and after them.
_COORDINATION_GAP = re.compile(
    r"^(?:\s*,\s*|\s*,?\s*(?:and|or|as well as)\s+|\s*['’]s\s+)(?:the\s+)?$", re.I
)
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Clause boundaries within a sentence: two sides acting in different clauses ("Thailand and
# Malaysia signed a letter, while Indonesian and Philippine delegates discussed kidnappings")
# are not acting together.
_CLAUSE_BREAK = re.compile(r";\s*|,\s*(?=(?:while|whereas|meanwhile)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Assignment:
    """One paragraph's membership of one thread, with the evidence for it.

    Attributes:
        thread: Thread id, e.g. ``"THA-JPN"`` or ``"MULTI"``.
        participants: ISO3 codes of the partner countries (the focus country excluded).
        rule: Which rule fired: ``"partner"`` (partner and focus side in one clause with a
            cooperation cue or an acting authority; or a lone partner with a cue in another
            clause of a sentence whose focus side has no partner of its own), ``"cue"`` (a lone
            partner with a cooperation cue in a sentence without the focus side, in a story about
            the focus country), ``"multilateral"`` or ``"continued"``.
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


def _words_after(sentence: str, end: int) -> list[str]:
    """The first words after offset *end*, past a possessive ("Myanmar's Border Guard Force")."""
    words = _words(sentence[end : end + 60])
    if sentence[end : end + 1] in ("'", "’") and words[:1] == ["s"]:
        words = words[1:]
    return words[:3]


def _is_demonym(m: _Mention) -> bool:
    return m.kind == "demonym" or m.label == "NORP"


def _is_people(sentence: str, m: _Mention) -> bool:
    """True for a plural demonym used as a noun: "two Malaysians", "Singaporeans lost"."""
    text = sentence[m.start : m.end]
    return _is_demonym(m) and text[-1:] == "s" and not text.endswith("ss")


def _is_origin(sentence: str, m: _Mention, before: list[str], after: list[str]) -> bool:
    """True when the mention names where a person (or a currency) comes from, not a party
    that acts. *before* and *after* are the words around the mention's coordination."""
    if after and after[0] in _CURRENCY_NOUNS:
        return True
    if _is_demonym(m):
        # "Chinese nationals", "three Lao victims", "a Cambodian-born suspect", "two Malaysians"
        return (any(w in _PERSON_NOUNS for w in after[:2])
                or (bool(after) and after[0] in _ORIGIN_WORDS) or _is_people(sentence, m))
    if m.kind in {"country", "city"}:
        # "victims from Myanmar", "citizens of Indonesia, Ethiopia and Kenya"
        if before and before[-1] in _ORIGIN_PREPOSITIONS:
            return any(w in _PERSON_NOUNS for w in before[-3:-1])
        # "a Japan national" is rare but cheap to catch ("Indonesia's National Narcotics
        # Agency" is no person)
        return (bool(after) and after[0] in {"national", "nationals", "citizen", "citizens"}
                and sentence[m.end : m.end + 1] not in ("'", "’"))
    return False


def _is_place_of_people_or_goods(m: _Mention, before: list[str]) -> bool:
    """True for a place where people or goods are, go or come from: "suspects hiding in
    Thailand", "victims in the Philippines", "trafficked to Myanmar", "compounds in Myawaddy",
    "entered Thailand from Cambodia". *before* holds the words before the mention, as written.
    """
    if m.kind not in {"country", "city"} and m.label not in {"GPE", "LOC"}:
        return False
    words = [w for w in before if w.lower() not in _SKIP_BEFORE_PLACE]
    if len(words) < 2 or words[-1].lower() not in _PLACE_PREPOSITIONS:
        return False
    # Walk back over the names and prepositions of an earlier place to the governing word:
    # "entered Thailand from Cambodia", "crossed into Thailand from Cambodia".
    for word in reversed(words[-5:-1]):
        if word[:1].isupper() or word.lower() in _PLACE_PREPOSITIONS:
            continue
        return word.lower() in _PLACE_GOVERNORS or word.lower() in _PERSON_NOUNS
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


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Offsets of the clauses of a sentence (see ``_CLAUSE_BREAK``)."""
    bounds, start = [], 0
    for match in _CLAUSE_BREAK.finditer(sentence):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(sentence)))
    return bounds


def _acting_runs(sentence: str, mentions: Sequence[_Mention], *, has_cue: bool,
                 focus: str) -> list[tuple[_Mention, list[str]]]:
    """Return the mentions that stand for a party acting in the sentence, each with the words
    after its coordination (which say whether it is an authority)."""
    acting: list[tuple[_Mention, list[str]]] = []
    for run in _coordinations(sentence, mentions):
        written = _WORD.findall(sentence[max(0, run[0].start - 60) : run[0].start])[-5:]
        before = [w.lower() for w in written]
        after = _words_after(sentence, run[-1].end)
        # A nationality's head noun is shared by its coordination: "Chinese and Thai police",
        # "Chinese and Thai nationals".
        kept = [m for m in run
                if not _is_origin(sentence, m, before, after if _is_demonym(m)
                                  else _words_after(sentence, m.end))
                and not _is_place_of_people_or_goods(m, written)]
        countries = {m.country for m in kept}
        before_text = sentence[max(0, run[0].start - 40) : run[0].start]
        head_is_authority = any(w in _AUTHORITY_NOUNS for w in after)
        if len(countries) >= 3 and not head_is_authority and (
            _LIST_MARKERS.search(before_text) or not has_cue
        ):
            # An illustrative list ("countries such as the US, Germany and Saudi Arabia"), but
            # not "Thai, Chinese and Lao police".
            continue
        if focus not in countries and len(countries) >= 2 and _BETWEEN.search(before_text):
            # "an agreement between China and Laos": cooperation without the focus side.
            continue
        acting.extend((m, after if _is_demonym(m) else _words_after(sentence, m.end))
                      for m in kept)
    return acting


def _sentence_partners(
    sentence: str,
    mentions: Sequence[_Mention],
    *,
    focus: str,
    cue_spans: Sequence[tuple[int, int]],
    story_has_focus: bool,
) -> list[tuple[list[str], str]]:
    """Return the partner countries of one sentence, clause by clause, with the rule that found
    them. *cue_spans* are the cues' offsets within the sentence."""
    found: list[tuple[list[str], str]] = []
    sentence_has_focus = False
    per_clause = []
    for first, last in _clauses(sentence):
        local = [m for m in mentions if first <= m.start < last]
        has_cue = any(first <= a < last for a, _ in cue_spans)
        acting = _acting_runs(sentence, local, has_cue=has_cue, focus=focus)
        focus_present = any(m.country == focus for m, _ in acting)
        sentence_has_focus = sentence_has_focus or focus_present
        per_clause.append((acting, has_cue, focus_present))
    lone: list[list[str]] = []
    for acting, has_cue, focus_present in per_clause:
        foreign = sorted({m.country for m, _ in acting if m.country != focus})
        if not foreign:
            continue
        if focus_present and (has_cue or _has_acting_authority(acting, focus)):
            found.append((foreign, "partner"))
        elif has_cue and len(foreign) == 1:
            lone.append(foreign)
    if not sentence_has_focus and story_has_focus:
        # A lone partner with a cue, in a sentence that names no focus side, in a story about
        # the focus country: "The two sides will meet again in Moscow".
        found.extend((foreign, "cue") for foreign in lone)
    elif sentence_has_focus and not found:
        # The focus side acts in one clause and a lone partner with a cue in another: "Thai
        # police arrested him, while Japanese police froze his accounts in a joint operation".
        # Where the focus side already has a partner in its own clause, another clause's
        # country acts on its own ("Thailand and Malaysia signed ..., while Indonesia hosted
        # talks on piracy").
        found.extend((foreign, "partner") for foreign in lone)
    return found


# Nouns that make a nationality an acting party: "Japanese authorities", "Chinese police",
# "Myanmar's Border Guard Force", "the Indonesian embassy".
_AUTHORITY_NOUNS = frozenset(
    """
    police authorities authority officials official officers officer government ministry
    ministries minister ministers embassy ambassador delegation delegates counterpart
    counterparts law enforcement agencies agency side forces military army navy coast guard
    investigators prosecutors court courts leaders leader president premier envoy diplomats
    force guards junta regime troops soldiers marines coastguard immigration customs
    intelligence cabinet parliament consulate consul diplomat attache attaches attaché attachés
    mediators negotiators bureau department defence defense commander commanders chief chiefs
    """.split()
)


def _has_acting_authority(acting: Sequence[tuple[_Mention, list[str]]], focus: str) -> bool:
    """True when a foreign mention is itself an acting body (an actor or an authority)."""
    for m, after in acting:
        if m.country == focus:
            continue
        if m.kind == "actor" or m.label == "ORG":
            return True
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
        cues: One row per cooperation cue (``article_id, paragraph, sentence``, and where
            known ``start, end``, paragraph-relative; without them a cue counts for its whole
            sentence).
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
    # Cue offsets per sentence (paragraph-relative): a cue counts in the clause it stands in.
    cue_spans: dict[tuple, dict[int, list[tuple[int, int]]]] = {}
    has_offsets = {"start", "end"} <= set(cues.columns)
    for r in cues.itertuples(index=False):
        span = (int(r.start), int(r.end)) if has_offsets else (-1, -1)
        cue_spans.setdefault((r.article_id, int(r.paragraph)), {}).setdefault(
            int(r.sentence), []).append(span)
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
            cue_spans.get(key, {}),
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
    cue_spans: dict[int, list[tuple[int, int]]],
    *,
    focus: str,
    story_has_focus: bool,
) -> list[Assignment]:
    """Return the assignments a paragraph earns from its own sentences, first evidence kept."""
    found: dict[str, Assignment] = {}
    for index, text, offset in sentences:
        # Mention and cue offsets are paragraph-relative; the rules read the sentence's own
        # text. A cue without offsets (-1) counts in every clause of its sentence.
        local = [_Mention(m.start - offset, m.end - offset, m.country, m.kind, m.label)
                 for m in mentions.get(index, [])]
        spans = cue_spans.get(index, [])
        if any(a < 0 for a, _ in spans):
            spans = [(first, first) for first, _ in _clauses(text)]
        else:
            spans = [(a - offset, b - offset) for a, b in spans]
        for partners, rule in _sentence_partners(
            text, local, focus=focus, cue_spans=spans, story_has_focus=story_has_focus,
        ):
            if len(partners) + 1 >= MULTILATERAL_MIN:
                found.setdefault(MULTI, Assignment(MULTI, tuple(partners), "multilateral",
                                                   index, text))
                continue
            for partner in partners:
                tid = thread_id(focus, partner)
                found.setdefault(tid, Assignment(tid, (partner,), rule, index, text))
    return list(found.values())
