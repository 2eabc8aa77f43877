"""Find date expressions in English news text and resolve them against the publication date.

The module needs no spaCy model: regular expressions over the raw text find the expressions, and
pure :mod:`datetime` arithmetic resolves each one to an interval with a precision ("day", "week",
"month", "quarter" or "year"). A range keeps the precision of its ends ("September 16 to 21" is
two days, precision "day"); a month is never given an invented day, and an impossible day
("February 30") is never resolved as a day. (``dateparser`` is not used: it turns "last week" into
one day, "in June" into June 12 and misses "earlier this month".)

Resolution policies (``published`` is the article's publication date):

- **Bare month or day** ("in June", "September 16"): the publication year; if that puts the start
  more than 60 days after publication, the previous year (news reports the past). When the
  expression's tense (below) is the future the rule is mirrored: if the end lies more than 60
  days before publication, the next year ("will meet again in March" in September is next March).
- **Tense of an expression**: that of the tense marker nearest before it in its sentence, else of
  the first one after it ("In March, police arrested ..."). Future markers are auxiliaries
  ("will", "would", "'ll"), plans and intentions ("plans to", "scheduled", "upcoming", "agreed to
  meet" but not "agreed to a deal", "is to", "the next meeting") and the present tense news uses
  for scheduled events ("the summit opens on Thursday", "the patrol ends on Friday"); past
  markers are "was", "had", irregular past forms and "-ed" verbs (not a participle after "be",
  "is" or "are"); present ones "is", "are", "remains", "runs". So in "talks that began in June
  end in October" June is past, and in "will hold drills from May 15 to 28, the ministry said"
  the days are future.
- **Weeks** are Monday-Sunday calendar weeks: "last week" is the week before the publication
  week, "three weeks ago" the week holding the date 21 days before publication; "last weekend"
  is that week's Saturday and Sunday; "over/during/at the weekend" the latest weekend begun by
  publication (in the future, the first one that ends on or after it).
- **N units ago** keeps the unit's precision: "two days ago" is a day, "a month ago" the calendar
  month before the publication month, "3 years ago" a calendar year.
- **Weekdays**: "on Monday"/"Monday" is the latest such day on or before publication (on or after
  it when its tense is the future); "last Monday" the latest strictly before, "next Monday" the
  first strictly after, "this Monday" the one in the publication week. A weekday before an
  explicit date ("Monday, September 15") is ignored.
- **this/last/next** month, quarter or year are calendar units around publication; "earlier this
  week/month/quarter/year" ends at publication, "later this ..." starts there. "the previous year"
  is the year before publication. "the end/beginning/middle of the year" (or "this", "next" or
  "last" year, month or week) is that part of the unit (as "late/early/mid" below).
- **Rolling spans**: "the past three years", "the last two weeks", "the past year", "the past
  decade" (ten years, precision "year") end at publication and "the next six months" starts
  there, precision the unit's ("the past few days" is too vague and left out; "the last two
  weeks of June" is no rolling span).
- **Tense of "this week/month/quarter/year"**: what is reported in the past cannot lie after
  publication, so in the past tense ("Police arrested 40 people this month") the unit ends at
  publication, as "earlier this month" does; in the future ("will meet this week") it starts
  there; the present tense, or none, leaves the whole unit. "This weekend" in the past is the
  latest weekend that began by publication. Precision stays the unit's ("month"): the interval
  is narrowed, not made exact.
- **early / mid / late** narrow the interval but keep its precision: days 1-10, 11-20, 21-end of
  a month ("the beginning/middle/end of" likewise); Jan-Apr, May-Aug, Sep-Dec of a year;
  Mon-Tue, Wed-Thu, Fri-Sun of a week.
- **Halves** ("first half of 2025", "H2 2025") span two quarters with precision "quarter".
- **Years** stand alone only where they read as years: 1900-2100, not glued to currency, slashes,
  hyphens or thousands separators ("$2025", "Resolution 2024/15", "2024-25", "2,000"), not after a
  capitalised name ("Osaka World Expo 2025", "Vision 2030") or a noun such as "room", not before
  a unit or a count noun ("2000 officers"). Fiscal years are not resolved.
- **Decades**: "the 1990s" is 1990-1999, precision "year" like any span of years; "the early /
  mid / late 1990s" are its years 0-3, 4-6 and 7-9.
- **Ambiguous words**: "May", "March" and "August" (and any abbreviation such as "Jun") count as a
  bare month only after a word like in/of/since/until/by/early/last/next/this; next to a day or
  a year they always do. Lower-case "may"/"march" are never months. Numeric dates other than ISO
  ``YYYY-MM-DD`` ("16/09/2025") are skipped as ambiguous.
- **Spans** cover the expression and its modifiers ("last week", "early June", "September 16 to
  21") but not a leading preposition or article ("in", "on", "from", "between", "the").
"""

from __future__ import annotations

import bisect
import calendar
import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["DateMention", "find_dates", "normalise"]

_Interval = tuple[_dt.date, _dt.date]


@dataclass(frozen=True)
class DateMention:
    """One date expression in a text, resolved to an interval of days.

    Attributes:
        start: Character offset of the expression in the text.
        end: Character offset just past the expression.
        text: The expression as written, ``text[start:end]``.
        start_date: First day of the interval.
        end_date: Last day of the interval (equal to ``start_date`` for a single day).
        precision: "day", "week", "month", "quarter" or "year".
    """

    start: int
    end: int
    text: str
    start_date: _dt.date
    end_date: _dt.date
    precision: str


_FULL_MONTHS = [calendar.month_name[i] for i in range(1, 13)]
_ABBREVIATIONS = [m[:3] for m in _FULL_MONTHS if m != "May"] + ["Sept"]
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(_FULL_MONTHS, 1)}
_MONTH_NUMBER.update({m[:3].lower(): i for i, m in enumerate(_FULL_MONTHS, 1)}, sept=9)
_WEEKDAYS = [calendar.day_name[i] for i in range(7)]
# English words as well as months: only read as a bare month with a cue word before them.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "august"})
_MONTH_CUES = frozenset(
    "in of since until till by during through throughout before after from to between and or "
    "early late mid last next this end beginning start middle on".split()
)
_YEAR_CUES = _MONTH_CUES | {"the", "than", "for", "year", "circa", "around"}
# Words after a number that make it a count, not a year ("2000 officers").
_COUNT_NOUNS = frozenset(
    "people persons officers police troops soldiers members residents victims cases units km "
    "kilometres kilometers miles metres meters kg tonnes tons baht yen yuan dollars euros "
    "rupees workers students deaths times households cars vehicles".split()
)
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS.update({"a": 1, "an": 1, "a couple of": 2, "couple of": 2})
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4, "latter": 2}
# Future markers, flipping the year policy for bare months and days near them: auxiliaries,
# plans and intentions ("agreed to meet", but not "agreed to a deal"), and the present tense
# news uses for scheduled events ("the summit opens on Thursday", "the patrol ends on Friday";
# not the noun in "the end of").
_INTENT_TO = (r"(?:plans?|planned|planning|intends?|aims?|expects?|hopes?|wants?|seeks?|"
              r"agree[sd]?|pledge[sd]?|vow(?:s|ed)?|promise[sd]?|decide[sd]?|is|are|due|set|"
              r"expected|going)\s+to(?!\s+(?:a|an|the|this|that|these|those|its|their|his|her|"
              r"our|date)\b)")
_SCHEDULED = (r"(?<!the )(?<!an )(?<!a )(?:opens|begins|begin|starts|ends|closes|resumes|resume|"
              r"convenes|convene|meets|kicks?\s+off|gets?\s+under\s*way|takes?\s+(?:place|effect))"
              r"(?!\s+of\b)")
_FUTURE = re.compile(
    rf"\b(?:will|shall|would|won['’]t|{_INTENT_TO}|planned|planning|scheduled|to be held|"
    rf"upcoming|forthcoming|next\s+(?:meeting|round|session|summit|visit)|{_SCHEDULED})\b"
    r"|['’]ll\b",
    re.IGNORECASE,
)
# Past-tense markers for "this week/month/...": auxiliaries, irregular past forms of verbs news
# uses, and (checked in code against _NOT_PAST) words ending in "-ed". A participle after "be",
# "being", "is", "are" or "am" is passive voice, whose tense is the auxiliary's.
_PAST = re.compile(
    r"(?<![\w'’])(?:(?:was|were|had|did|been)|(?<!be )(?<!being )(?<!is )(?<!are )(?<!am )"
    r"(?:said|told|met|held|took|made|went|came|saw|gave|led|began|brought|caught|fought|sought|"
    r"bought|sent|spent|left|kept|found|won|lost|fled|struck|broke|rose|fell|grew|ran|stood|"
    r"became|drew|wrote|spoke|chose|flew|drove|knew|thought|paid|laid|heard|shot|stole|hid|"
    r"froze|sold|taught|swore|tore|threw|blew|hung|dug|bit|sat|lay|slid|sprang|stuck|swept|"
    r"meant|dealt|felt|lent|bent|sank|sang|rang|shook|forgave|arose|awoke|bore|beat|overtook|"
    r"withdrew|undertook|upheld|withheld|oversaw|[A-Za-z]{2,}ed))(?![\w'’])",
    re.IGNORECASE,
)
# "-ed" words that are seldom a past verb in news text (adjectives, nouns, "-eed" verbs).
_NOT_PAST = frozenset(
    "need speed seed feed bleed breed proceed exceed succeed indeed hundred red bed shed united "
    "related based alleged wanted armed organised organized limited advanced skilled interested "
    "concerned supposed proposed expected planned scheduled detailed dedicated experienced "
    "retired married so-called talented sophisticated coordinated".split()
)
_PRESENT = re.compile(r"(?<![\w'’])(?:is|are|am|remains?|continues?|runs)(?![\w'’])",
                      re.IGNORECASE)
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+(?:['’]s)?)[ \t\u00a0]+$")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s|\n")
_SLACK = _dt.timedelta(days=60)


def _alternation(words: list[str]) -> str:
    forms = {w for word in words for w in (word, word.upper())}
    return "|".join(sorted(forms, key=len, reverse=True))


_MONTH = (
    rf"(?:{_alternation(_FULL_MONTHS)})(?![A-Za-z])"
    rf"|(?:{_alternation(_ABBREVIATIONS)})(?![A-Za-z])\.?"
)
_WEEKDAY = rf"(?:{_alternation(_WEEKDAYS)})(?![A-Za-z])"


def _mon(group: str) -> str:
    return rf"(?<![\w.])(?P<{group}>{_MONTH})"


def _day(group: str) -> str:
    return rf"(?<![\w$£€/.,:])(?P<{group}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\w)(?![.:]\d)"


def _year(group: str, *, after_dash: bool = False) -> str:
    guard = r"(?<![\w$£€¥#/.])" if after_dash else r"(?<![\w$£€¥#/.-])"
    return rf"{guard}(?P<{group}>19\d\d|20\d\d|2100)(?![\w/%])(?![.,:]\d)"


_SEP_YEAR = r",?\s+"
_CONNECT = r"(?P<c>\s*[-–—‒]\s*|\s+(?i:to|until|till|through|thru|and)\s+)"
_DMY_ONE = r"{d}(?:\s+of)?\s+{m}(?:" + _SEP_YEAR + r"{y})?"
_MDY_ONE = r"{m}\s+{d}(?:" + _SEP_YEAR + r"{y})?"


def _fill(template: str, n: str) -> str:
    return template.format(d=_day("d" + n), m=_mon("m" + n), y=_year("y" + n))


def _month_end(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_interval(year: int, month: int, part: str | None = None) -> _Interval:
    first, last = _dt.date(year, month, 1), _month_end(year, month)
    if part in ("early", "beginning", "start"):
        return first, first.replace(day=10)
    if part in ("mid", "middle"):
        return first.replace(day=11), first.replace(day=20)
    if part in ("late", "end"):
        return first.replace(day=21), last
    return first, last


def _year_interval(year: int, part: str | None = None) -> _Interval:
    months = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}.get(part or "", (1, 12))
    return _dt.date(year, months[0], 1), _month_end(year, months[1])


def _quarter_interval(year: int, first_quarter: int, n_quarters: int = 1) -> _Interval:
    first_month = 3 * (first_quarter - 1) + 1
    return _dt.date(year, first_month, 1), _month_end(year, first_month + 3 * n_quarters - 1)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def _monday(day: _dt.date) -> _dt.date:
    return day - _dt.timedelta(days=day.weekday())


def _week_interval(monday: _dt.date, part: str | None = None) -> _Interval:
    first, last = {"early": (0, 1), "mid": (2, 3), "late": (4, 6)}.get(part or "", (0, 6))
    return monday + _dt.timedelta(days=first), monday + _dt.timedelta(days=last)


def _pick_year(make: Callable[[int], _Interval], published: _dt.date, future: bool) -> _Interval:
    """Apply the bare month/day year policy (module docstring) to ``make(year)``."""
    interval = make(published.year)
    if not future and interval[0] > published + _SLACK:
        return make(published.year - 1)
    if future and interval[1] < published - _SLACK:
        return make(published.year + 1)
    return interval


def _month_number(token: str) -> int:
    return _MONTH_NUMBER[token.rstrip(".").lower()]


def _previous_word(text: str, start: int) -> str:
    """The word right before ``start`` (separated by spaces only), or "" after punctuation."""
    match = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return match.group(1) if match else ""


def _is_name_part(text: str, start: int, cues: frozenset[str]) -> bool:
    """True when a capitalised word that is no cue word, month or possessive comes right before."""
    word = _previous_word(text, start)
    return bool(word) and word[0].isupper() and word.lower() not in cues and not (
        word.lower().endswith(("'s", "’s")) or word.rstrip(".").lower() in _MONTH_NUMBER
    )


@dataclass
class _Context:
    text: str
    published: _dt.date
    # Sentence ends of the whole text, found once on first use: searching the text up to each
    # date made a long paragraph quadratic in its number of dates.
    _starts: list[int] | None = field(default=None, repr=False)
    _ends: list[int] = field(default_factory=list, repr=False)
    _markers: dict[tuple[int, int | None], list[tuple[int, int, str]]] = field(
        default_factory=dict, repr=False)

    def future(self, start: int, end: int) -> bool:
        """True when the tense marker nearest ``text[start:end]`` in its sentence is a future
        one: in "talks that began in June end in October", June is past and October future."""
        return self.tense(start, end) == "future"

    def tense(self, start: int, end: int) -> str | None:
        """"past", "present" or "future": the tense marker nearest ``text[start:end]`` in its
        sentence; None when the sentence has none."""
        bounds = self._sentence(start, end)
        if bounds not in self._markers:
            first, sentence = bounds[0], self.text[bounds[0]:bounds[1]]
            found = [(first + m.start(), first + m.end(), "future")
                     for m in _FUTURE.finditer(sentence)]
            found += [(first + m.start(), first + m.end(), "present")
                      for m in _PRESENT.finditer(sentence)]
            found += [(first + m.start(), first + m.end(), "past")
                      for m in _PAST.finditer(sentence) if m[0].lower() not in _NOT_PAST]
            self._markers[bounds] = found
        markers = self._markers[bounds]
        before = [(b, kind) for a, b, kind in markers if b <= start]
        if before:
            # The nearest marker before the expression, where English puts the verb an adverb
            # of time belongs to ("arrested this week will face trial"; "will hold drills from
            # May 15 to 28, the ministry said" is future).
            return max(before)[1]
        after = [(a, kind) for a, b, kind in markers if a >= end]
        # A fronted expression takes the first marker after it ("In March, police arrested").
        return min(after)[1] if after else None

    def _sentence(self, start: int, end: int) -> tuple[int, int | None]:
        """Bounds of the sentence around ``text[start:end]``: from the end of the last sentence
        end (``_SENTENCE_END``) wholly before ``start`` to the start of the first one found
        from ``end`` on."""
        if self._starts is None:
            found = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(self.text)]
            self._starts = [a for a, _ in found]
            self._ends = [b for _, b in found]
        # Matches do not overlap, so starts and ends are both sorted.
        i = bisect.bisect_right(self._ends, start)
        first = self._ends[i - 1] if i else 0
        j = bisect.bisect_left(self._starts, end)
        last = self._starts[j] if j < len(self._starts) else None
        if j and self._ends[j - 1] > end:
            # A match that begins inside the date ("Sept.\n") can end with a line break that
            # is a sentence end of its own once the search starts at ``end``.
            inner = _SENTENCE_END.search(self.text, end, self._ends[j - 1])
            if inner is not None:
                last = inner.start()
        return first, last


_Result = tuple[_dt.date, _dt.date, str]
_Handler = Callable[[re.Match[str], _Context], "_Result | None"]


def _lists_two(m: re.Match[str], ctx: _Context) -> bool:
    """True for "X and Y" without "between": a list of two dates, not a range."""
    connector = (m.groupdict().get("c") or "").strip().lower()
    return connector == "and" and _previous_word(ctx.text, m.start()).lower() != "between"


def _resolve_span(m: re.Match[str], ctx: _Context) -> _Result | None:
    """Days, day ranges and month ranges: groups d1/m1/y1 (start), d2/m2/y2 (end), some absent."""
    groups = m.groupdict()
    if _lists_two(m, ctx):
        return None
    whole_months = "d1" not in groups
    d1 = 1 if whole_months else int(groups["d1"])
    d2 = int(groups.get("d2") or d1)
    m2 = _month_number(groups.get("m2") or groups["m1"])
    m1 = _month_number(groups["m1"]) if groups.get("m1") else m2
    y1, y2 = (int(groups[g]) if groups.get(g) else None for g in ("y1", "y2"))
    wraps = int(m2 < m1)  # "December 28 to January 3"

    def make(year: int, end_year: int | None = None) -> _Interval:
        end_year = year + wraps if end_year is None else end_year
        end = _month_end(end_year, m2) if whole_months else _dt.date(end_year, m2, d2)
        return _dt.date(year, m1, d1), end

    if y1 is not None:
        interval = make(y1, y2)
    elif y2 is not None:
        interval = make(y2 - wraps)
    else:
        interval = _pick_year(make, ctx.published, ctx.future(m.start(), m.end()))
    return (*interval, "month" if whole_months else "day") if interval[0] <= interval[1] else None


def _resolve_iso(m: re.Match[str], ctx: _Context) -> _Result | None:
    day = _dt.date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
    return day, day, "day"


def _resolve_month(m: re.Match[str], ctx: _Context) -> _Result | None:
    token, part, rel = m["m1"], (m["part"] or "").lower().split(), (m["rel"] or "").lower()
    month, part_word = _month_number(token), part[0] if part else None
    is_abbreviation = token.rstrip(".").lower() != _FULL_MONTHS[month - 1].lower()
    ambiguous = is_abbreviation or token.lower() in _AMBIGUOUS_MONTHS
    if not (m["y1"] or part or rel) and ambiguous and (
        _previous_word(ctx.text, m.start()).lower() not in _MONTH_CUES
    ):
        return None  # "May" the verb, "March" the walk, "Jun" of unclear sense
    pub = ctx.published
    if m["y1"]:
        year = int(m["y1"])
    elif rel == "last":
        year = pub.year if month < pub.month else pub.year - 1
    elif rel == "next":
        year = pub.year if month > pub.month else pub.year + 1
    elif rel == "this":
        year = pub.year
    else:
        future = ctx.future(m.start(), m.end())
        return (*_pick_year(lambda y: _month_interval(y, month, part_word), pub, future), "month")
    return (*_month_interval(year, month, part_word), "month")


def _year_in_context(text: str, start: int, end: int, *, cue_needed: bool = True) -> bool:
    """True when ``text[start:end]``, starting with four digits, reads as a year.

    Args:
        text: The whole text.
        start: Offset of the year.
        end: Offset just past the expression the year starts.
        cue_needed: Whether a lower-case word before the year must be a cue ("in", "the").
    """
    if re.match(r"[-–]\d", text[end:end + 2]) or (
        start > 1 and text[start - 1] == "," and text[start - 2].isdigit()
    ):
        return False  # "2024-25", "12,2025"
    following = re.match(r"\s+([A-Za-z]+)", text[end:end + 30])
    if following and following.group(1).lower() in _COUNT_NOUNS:
        return False
    word = _previous_word(text, start)
    if not word:
        return True  # start of text or after punctuation: "(2024)", ", 2023 was"
    if word.lower().endswith(("'s", "’s")):
        return True
    if _is_name_part(text, start, _YEAR_CUES):
        return False  # "Osaka World Expo 2025", "Vision 2030"
    return not cue_needed or word.lower() in _YEAR_CUES or word.lower() in _MONTH_NUMBER


def _resolve_year(m: re.Match[str], ctx: _Context) -> _Result | None:
    part = (m["part"] or "").lower() or None
    if part is None and (
        ctx.text[m.start() - 1:m.start()] == "-"  # "pre-2020", "COVID-2019"
        or not _year_in_context(ctx.text, m.start("y1"), m.end("y1"))
    ):
        return None
    return (*_year_interval(int(m["y1"]), part), "year")


def _resolve_year_range(m: re.Match[str], ctx: _Context) -> _Result | None:
    y1, y2 = int(m["y1"]), int(m["y2"])
    between = _previous_word(ctx.text, m.start()).lower() == "between"
    if y2 <= y1 or _lists_two(m, ctx):
        return None
    # A span of two years reads as years after any lower-case word: "over 2020-2022".
    if not (between or _year_in_context(ctx.text, m.start("y1"), m.end(), cue_needed=False)):
        return None
    return _dt.date(y1, 1, 1), _dt.date(y2, 12, 31), "year"


def _resolve_quarter(m: re.Match[str], ctx: _Context) -> _Result | None:
    groups = m.groupdict()
    if groups.get("kind"):
        kind, n = groups["kind"].upper(), int(groups["n"])
        half = kind == "H"
        if half and (n > 2 or not groups.get("y1")):
            return None  # "H3" is no half, a bare "H1" is more likely a visa or a heading
    else:
        half = groups["unit"].lower() == "half"
        n = _ORDINALS[groups["ord"].lower()]
        n = min(n, 2) if half else n
        has_clause = bool(groups.get("y1") or groups.get("rel"))
        if (half and not has_clause) or (groups["ord"].lower() == "last" and not has_clause) or (
            groups["ord"].lower() == "latter" and not half
        ):
            return None  # "last quarter" alone is relative: _resolve_relative handles it
    first, count = (2 * n - 1, 2) if half else (n, 1)
    rel, pub = (groups.get("rel") or "").lower(), ctx.published
    if groups.get("y1"):
        year = int(groups["y1"])
    elif rel:
        year = pub.year + {"last": -1, "next": 1}.get(rel, 0)
    else:
        future = ctx.future(m.start(), m.end())
        return (*_pick_year(lambda y: _quarter_interval(y, first, count), pub, future), "quarter")
    return (*_quarter_interval(year, first, count), "quarter")


def _resolve_relative(m: re.Match[str], ctx: _Context) -> _Result | None:
    """this/last/next week, weekend, month, quarter, year, with an optional modifier."""
    part, rel, unit = (m["part"] or "").lower() or None, m["rel"].lower(), m["unit"].lower()
    if part and part.endswith("of"):
        # "the end of the year", "the beginning of next month": the unit's part
        part = {"end": "late", "beginning": "early", "start": "early", "middle": "mid"}[
            part.split()[0]]
        rel = "this" if rel == "the" else rel
    elif rel == "the":
        return None
    if part in ("earlier", "later") and rel != "this":
        return None
    offset = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
    pub = ctx.published
    narrow = None if part in ("earlier", "later") else part
    if unit in ("week", "weekend"):
        monday = _monday(pub) + _dt.timedelta(weeks=offset)
        first, last = _week_interval(monday, narrow)
        if unit == "weekend":
            first, last = monday + _dt.timedelta(days=5), monday + _dt.timedelta(days=6)
        precision = "week"
    elif unit == "month":
        first, last = _month_interval(*_shift_month(pub.year, pub.month, offset), narrow)
        precision = "month"
    elif unit == "quarter":
        year, month = _shift_month(pub.year, pub.month, 3 * offset)
        first, last = _quarter_interval(year, (month - 1) // 3 + 1)
        precision = "quarter"
    else:
        first, last = _year_interval(pub.year + offset, narrow)
        precision = "year"
    if part is None and rel == "this":
        tense = ctx.tense(m.start(), m.end())
        if unit == "weekend" and tense == "past" and first > pub:
            first, last = first - _dt.timedelta(weeks=1), last - _dt.timedelta(weeks=1)
        elif tense == "past":
            part = "earlier"
        elif tense == "future":
            part = "later"
    if part == "earlier":
        last = min(last, pub)
    elif part == "later":
        first = max(first, pub)
    return first, last, precision


def _resolve_ago(m: re.Match[str], ctx: _Context) -> _Result | None:
    amount = m["n"].lower()
    n = int(amount) if amount.isdigit() else _NUMBER_WORDS[" ".join(amount.split())]
    unit, pub = m["unit"].lower(), ctx.published
    if unit == "day":
        day = pub - _dt.timedelta(days=n)
        return day, day, "day"
    if unit == "week":
        return (*_week_interval(_monday(pub - _dt.timedelta(weeks=n))), "week")
    if unit == "month":
        return (*_month_interval(*_shift_month(pub.year, pub.month, -n)), "month")
    return (*_year_interval(pub.year - n), "year")


def _resolve_decade(m: re.Match[str], ctx: _Context) -> _Result | None:
    """ "the 1990s", "the late 1990s", "the mid-2000s": the decade's years (early: 0-3, mid:
    4-6, late: 7-9), precision "year" like any span of years."""
    first = int(m["y1"])
    part = (m["part"] or "").lower()
    if not part and _is_name_part(ctx.text, m.start(), _YEAR_CUES):
        return None  # a name such as "Club 1990s"
    low, high = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(part, (0, 9))
    return _dt.date(first + low, 1, 1), _dt.date(first + high, 12, 31), "year"


def _resolve_rolling(m: re.Match[str], ctx: _Context) -> _Result | None:
    """ "the past three years", "the last two weeks", "the next six months", "the past year":
    the N units that end (or start) at publication, precision the unit's."""
    unit, rel, pub = m["unit"].lower(), m["rel"].lower(), ctx.published
    if m["n"] is None and (unit.endswith("s") or rel != "past"):
        return None  # "the past years" is vague; "last year" and "next week" are calendar units
    amount = (m["n"] or "1").lower()
    n = int(amount) if amount.isdigit() else _NUMBER_WORDS[" ".join(amount.split())]
    unit = unit.rstrip("s")
    if unit == "decade":
        unit, n = "year", 10 * n  # "the past decade": ten years, precision "year"
    if n < 1:
        return None
    if unit == "day":
        delta = _dt.timedelta(days=n)
        edge = pub - delta if rel in ("past", "last") else pub + delta
    elif unit == "week":
        delta = _dt.timedelta(weeks=n)
        edge = pub - delta if rel in ("past", "last") else pub + delta
    else:
        months = n * (12 if unit == "year" else 1)
        sign = -1 if rel in ("past", "last") else 1
        year, month = _shift_month(pub.year, pub.month, sign * months)
        edge = _dt.date(year, month, min(pub.day, calendar.monthrange(year, month)[1]))
    first, last = (edge, pub) if edge <= pub else (pub, edge)
    return first, last, unit


def _resolve_weekend(m: re.Match[str], ctx: _Context) -> _Result | None:
    """ "over the weekend": the latest weekend begun by publication, or in a future sentence
    the first one that ends on or after it."""
    pub = ctx.published
    saturday = _monday(pub) + _dt.timedelta(days=5)
    if ctx.future(m.start(), m.end()):
        first = saturday
    else:
        first = saturday if saturday <= pub else saturday - _dt.timedelta(weeks=1)
    return first, first + _dt.timedelta(days=1), "week"


def _resolve_deictic(m: re.Match[str], ctx: _Context) -> _Result | None:
    word = m.group(0)
    if word[0].isupper() and _is_name_part(ctx.text, m.start(), _YEAR_CUES):
        return None  # "USA Today"
    offset = {"yesterday": -1, "tomorrow": 1}.get(word.lower(), 0)
    day = ctx.published + _dt.timedelta(days=offset)
    return day, day, "day"


def _resolve_weekday(m: re.Match[str], ctx: _Context) -> _Result | None:
    if not m["rel"] and _is_name_part(ctx.text, m.start(), _YEAR_CUES):
        return None  # "Black Friday", "Cyber Monday"
    target, pub = _WEEKDAYS.index(m["wd"].capitalize()), ctx.published
    rel = (m["rel"] or "").lower()
    back = (pub.weekday() - target) % 7  # days since the latest such day, 0 = publication day
    if rel in ("last", "past"):
        day = pub - _dt.timedelta(days=back or 7)
    elif rel == "next":
        day = pub + _dt.timedelta(days=(target - pub.weekday()) % 7 or 7)
    elif rel == "this":
        day = _monday(pub) + _dt.timedelta(days=target)
    elif ctx.future(m.start(), m.end()):
        day = pub + _dt.timedelta(days=(target - pub.weekday()) % 7)
    else:
        day = pub - _dt.timedelta(days=back)
    return day, day, "day"


_WEEKDAY_PREFIX = rf"(?:(?<!\w){_WEEKDAY},?\s+)?"
_PART = r"(?P<part>(?i:early|mid|late|(?:end|beginning|start|middle)\s+of))"
_AMOUNT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)).replace(" ", r"\s+")
# (pattern, handler): every candidate is kept, then the longest non-overlapping ones win.
_HAS_MONTH, _HAS_DIGIT, _HAS_WEEKDAY = re.compile(_MONTH), re.compile(r"\d"), re.compile(_WEEKDAY)
# (trigger, pattern, handler): a rule runs only on texts where its trigger occurs, which spares
# most paragraphs most patterns. Every candidate is kept; the longest non-overlapping ones win.
_RULES: list[tuple[re.Pattern[str] | None, re.Pattern[str], _Handler]] = [
    (_HAS_DIGIT, re.compile(r"(?<![\w/.-])(?P<y1>19\d\d|20\d\d|2100)-(?P<m1>0[1-9]|1[0-2])"
                            r"-(?P<d1>0[1-9]|[12]\d|3[01])(?![\w/%-])"), _resolve_iso),
    (_HAS_MONTH, re.compile(_fill(_DMY_ONE, "1") + _CONNECT + _fill(_DMY_ONE, "2")), _resolve_span),
    (_HAS_MONTH, re.compile(_fill(_MDY_ONE, "1") + _CONNECT + _fill(_MDY_ONE, "2")), _resolve_span),
    (_HAS_MONTH, re.compile(_mon("m1") + r"\s+" + _day("d1") + _CONNECT + _day("d2")
                            + rf"(?:{_SEP_YEAR}{_year('y2')})?"), _resolve_span),
    (_HAS_MONTH, re.compile(_day("d1") + _CONNECT + _fill(_DMY_ONE, "2")), _resolve_span),
    (_HAS_MONTH, re.compile(_WEEKDAY_PREFIX + _fill(_MDY_ONE, "1")), _resolve_span),
    (_HAS_MONTH, re.compile(_WEEKDAY_PREFIX + _fill(_DMY_ONE, "1")), _resolve_span),
    (_HAS_MONTH, re.compile(_mon("m1") + rf"(?:\s+{_year('y1')})?" + _CONNECT + _mon("m2")
                            + rf"(?:{_SEP_YEAR}{_year('y2')})?"), _resolve_span),
    (_HAS_MONTH, re.compile(rf"(?:(?<!\w){_PART}[\s-]+|(?<!\w)(?P<rel>(?i:last|next|this))\s+)?"
                            + _mon("m1") + rf"(?:{_SEP_YEAR}{_year('y1')})?"), _resolve_month),
    (_HAS_DIGIT, re.compile(_year("y1") + _CONNECT + _year("y2", after_dash=True)),
     _resolve_year_range),
    (_HAS_DIGIT, re.compile(r"(?:(?<!\w)(?P<part>(?i:early|mid|late))[\s-]+)?"
                            + _year("y1", after_dash=True)), _resolve_year),
    (_HAS_DIGIT, re.compile(r"(?<!\w)(?P<kind>[QqHh])(?P<n>[1-4])(?!\w)"
                            rf"(?:\s+{_year('y1')})?"), _resolve_quarter),
    (None, re.compile(r"(?<!\w)(?P<ord>(?i:first|second|third|fourth|final|last|latter))\s+"
                      r"(?P<unit>(?i:quarter|half))(?!\w)(?:\s+(?i:of)\s+(?:" + _year("y1")
                      + r"|(?P<rel>(?i:this|last|next|the))\s+(?i:year)(?!\w)))?"),
     _resolve_quarter),
    (None, re.compile(r"(?<!\w)(?i:(?:(?P<part>earlier|later|early|mid|late|"
                      r"(?:end|beginning|start|middle)\s+of)[\s-]+)?"
                      r"(?P<rel>this|last|next|previous|coming|the)\s+"
                      r"(?P<unit>weekend|week|month|quarter|year))(?!\w)"), _resolve_relative),
    (_HAS_DIGIT, re.compile(r"(?:(?<!\w)(?P<part>(?i:early|mid|late))[\s-]+)?"
                            r"(?<![\w$£€¥#/.])(?P<y1>1[89]\d0|20\d0)['’]?s(?!\w)"),
     _resolve_decade),
    (None, re.compile(rf"(?<!\w)(?i:(?P<rel>past|last|next)\s+(?:(?P<n>\d{{1,2}}|{_AMOUNT})"
                      r"\s+)?(?P<unit>days|weeks|months|years|decades|week|month|year|"
                      r"decade))(?!\w)"
                      r"(?!\s+(?i:of|ago|before|after)\b)"), _resolve_rolling),
    (None, re.compile(r"(?:(?<=\b[Oo]ver the )|(?<=\b[Dd]uring the )|(?<=\b[Aa]t the ))"
                      r"weekend(?!\w)"), _resolve_weekend),
    (None, re.compile(rf"(?<!\w)(?i:(?P<n>\d{{1,2}}|{_AMOUNT})\s+(?P<unit>day|week|month|year)s?"
                      r"\s+ago)(?!\w)"), _resolve_ago),
    (None, re.compile(r"(?<!\w)(?i:yesterday|today|tomorrow|tonight)(?!\w)"), _resolve_deictic),
    (_HAS_WEEKDAY, re.compile(rf"(?:(?<!\w)(?P<rel>(?i:last|next|this|past))\s+)?(?<!\w)"
                              rf"(?P<wd>{_WEEKDAY})"), _resolve_weekday),
]


def find_dates(text: str, published: _dt.date) -> list[DateMention]:
    """Find and resolve every date expression in a text.

    Args:
        text: English text, usually one paragraph; offsets refer to it.
        published: The article's publication date, the anchor for relative expressions.

    Returns:
        Mentions sorted by ``start``, non-overlapping; where candidates overlap the longest wins
        (the earlier one on a tie). Resolution policies are in the module docstring.
    """
    ctx = _Context(text, published)
    candidates: list[tuple[int, int, int, _Result]] = []
    present: dict[re.Pattern[str] | None, bool] = {}
    for rank, (trigger, pattern, handler) in enumerate(_RULES):
        if trigger not in present:
            present[trigger] = trigger is None or trigger.search(text) is not None
        if not present[trigger]:
            continue
        pos = 0
        # Search from every match start + 1, not from its end, so a candidate rejected by its
        # handler ("and" without "between") does not hide a shorter one inside it.
        while (match := pattern.search(text, pos)) is not None:
            pos = match.start() + 1
            if match.end() == match.start():
                continue
            try:
                result = handler(match, ctx)
            except (ValueError, OverflowError):  # "February 30", dates past datetime's range
                result = None
            if result is not None:
                candidates.append((match.start(), match.end(), rank, result))
    # Longest first; the chosen spans stay sorted and disjoint, so a candidate can only
    # overlap its two neighbours in start order (n log n, where testing every chosen span
    # made a date-dense paragraph quadratic).
    starts: list[int] = []
    ends: list[int] = []
    results: list[_Result] = []
    for start, end, _, result in sorted(candidates, key=lambda c: (c[0] - c[1], c[0], c[2])):
        at = bisect.bisect_right(starts, start)
        if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
            continue
        starts.insert(at, start)
        ends.insert(at, end)
        results.insert(at, result)
    return [DateMention(start, end, text[start:end], *result)
            for start, end, result in zip(starts, ends, results)]


def normalise(expression: str, published: _dt.date) -> DateMention | None:
    """Resolve one date expression, such as "last week" or "will meet again in March".

    Args:
        expression: A short text holding a date expression; the rest of it (e.g. "will") is
            context for the year policy.
        published: The article's publication date.

    Returns:
        The longest mention in ``expression`` (offsets within it), or None when it holds no date.
    """
    mentions = find_dates(expression, published)
    return max(mentions, key=lambda m: (m.end - m.start, -m.start)) if mentions else None
