"""Tests for kit.dates: finding date expressions and resolving them against publication dates."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.dates import DateMention, find_dates, normalise

D = dt.date
SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_046c6d8a20023494.txt"
MON_29_SEP = D(2025, 9, 29)  # the seed's publication date, a Monday
SUN_28_SEP = D(2025, 9, 28)
THU_2_OCT = D(2025, 10, 2)
MID_JAN = D(2025, 1, 15)


def _only(sentence: str, published: dt.date) -> DateMention:
    mentions = find_dates(sentence, published)
    assert len(mentions) == 1, mentions
    return mentions[0]


def _check(sentence: str, published: dt.date, text: str, first: dt.date, last: dt.date,
           precision: str) -> None:
    mention = _only(sentence, published)
    assert (mention.text, mention.start_date, mention.end_date, mention.precision) == (
        text, first, last, precision
    )


@pytest.mark.parametrize(
    ("sentence", "published", "text", "day"),
    [
        ("Officers raided the compound on September 16.", MON_29_SEP, "September 16",
         D(2025, 9, 16)),
        ("The ministers met on 16 September in Tokyo.", MON_29_SEP, "16 September", D(2025, 9, 16)),
        ("The memorandum was signed on Sept. 16, 2025, in Bangkok.", MON_29_SEP,
         "Sept. 16, 2025", D(2025, 9, 16)),
        ("Talks opened on the 16th of September 2025.", MON_29_SEP, "16th of September 2025",
         D(2025, 9, 16)),
        ("The raid took place on 2025-09-16 at dawn.", MON_29_SEP, "2025-09-16", D(2025, 9, 16)),
        ("On Monday, September 15, the team arrived in Osaka.", MON_29_SEP,
         "Monday, September 15", D(2025, 9, 15)),
        ("Friday, 12 September 2025 saw the first joint patrol.", MON_29_SEP,
         "Friday, 12 September 2025", D(2025, 9, 12)),
        ("Arrests were made on Jan. 3, 2024, near Mae Sot.", D(2024, 2, 10), "Jan. 3, 2024",
         D(2024, 1, 3)),
        ("Customs seized the shipment on May 5.", MON_29_SEP, "May 5", D(2025, 5, 5)),
        ("The suspects were handed over on March 31st.", D(2025, 4, 8), "March 31st",
         D(2025, 3, 31)),
    ],
)
def test_dates_explicit_day(sentence: str, published: dt.date, text: str, day: dt.date) -> None:
    _check(sentence, published, text, day, day, "day")


@pytest.mark.parametrize(
    ("sentence", "published", "day"),
    [
        # Bare day more than two months after publication: last year's.
        ("Rescuers found the boat on December 20.", MID_JAN, D(2024, 12, 20)),
        # Within two months after publication: stays in the publication year.
        ("The court set a hearing for February 10.", MID_JAN, D(2025, 2, 10)),
        ("Thai and Lao officers met on 30 June.", MON_29_SEP, D(2025, 6, 30)),
    ],
)
def test_dates_bare_day_year_policy(sentence: str, published: dt.date, day: dt.date) -> None:
    mention = _only(sentence, published)
    assert (mention.start_date, mention.end_date) == (day, day)


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last", "precision"),
    [
        ("From September 16 to 21, the delegation toured Osaka.", MON_29_SEP,
         "September 16 to 21", D(2025, 9, 16), D(2025, 9, 21), "day"),
        ("The drill ran September 16-21 near the border.", MON_29_SEP, "September 16-21",
         D(2025, 9, 16), D(2025, 9, 21), "day"),
        ("Exercises were held 16–21 September 2025 in Chonburi.", MON_29_SEP,
         "16–21 September 2025", D(2025, 9, 16), D(2025, 9, 21), "day"),
        ("Inspections took place between 3 and 5 May.", MON_29_SEP, "3 and 5 May",
         D(2025, 5, 3), D(2025, 5, 5), "day"),
        ("The fair ran from September 28 to October 2.", D(2025, 10, 10),
         "September 28 to October 2", D(2025, 9, 28), D(2025, 10, 2), "day"),
        ("The campaign runs Sept 16 to Oct 2, 2025, nationwide.", MON_29_SEP,
         "Sept 16 to Oct 2, 2025", D(2025, 9, 16), D(2025, 10, 2), "day"),
        ("Patrols continued from 28 September to 2 October 2025.", MON_29_SEP,
         "28 September to 2 October 2025", D(2025, 9, 28), D(2025, 10, 2), "day"),
        ("The amnesty ran from December 28 to January 3.", D(2025, 1, 10),
         "December 28 to January 3", D(2024, 12, 28), D(2025, 1, 3), "day"),
        ("Between June and August, arrests doubled.", MON_29_SEP, "June and August",
         D(2025, 6, 1), D(2025, 8, 31), "month"),
        ("The programme ran from March to May 2024.", MON_29_SEP, "March to May 2024",
         D(2024, 3, 1), D(2024, 5, 31), "month"),
        ("The treaty was reviewed from 2019 to 2021.", MON_29_SEP, "2019 to 2021",
         D(2019, 1, 1), D(2021, 12, 31), "year"),
        ("Cases rose sharply over 2020-2022, officials said.", MON_29_SEP, "2020-2022",
         D(2020, 1, 1), D(2022, 12, 31), "year"),
    ],
)
def test_dates_range(sentence: str, published: dt.date, text: str, first: dt.date,
                     last: dt.date, precision: str) -> None:
    _check(sentence, published, text, first, last, precision)


def test_dates_and_without_between_lists_two_days() -> None:
    mentions = find_dates("Hearings were held on September 3 and 5 September.", MON_29_SEP)
    assert [(m.text, m.start_date) for m in mentions] == [
        ("September 3", D(2025, 9, 3)), ("5 September", D(2025, 9, 5))
    ]


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last"),
    [
        ("China reaffirmed its commitment earlier in June 2025.", MON_29_SEP, "June 2025",
         D(2025, 6, 1), D(2025, 6, 30)),
        ("The agreement was signed in June.", MON_29_SEP, "June", D(2025, 6, 1), D(2025, 6, 30)),
        ("The agreement was signed in November.", MID_JAN, "November", D(2024, 11, 1),
         D(2024, 11, 30)),
        ("Seizures rose last month, police said.", MID_JAN, "last month", D(2024, 12, 1),
         D(2024, 12, 31)),
        ("Seizures rose last month, police said.", D(2024, 3, 20), "last month", D(2024, 2, 1),
         D(2024, 2, 29)),
        ("Police said earlier this month that the ring had grown.", MON_29_SEP,
         "earlier this month", D(2025, 9, 1), D(2025, 9, 29)),
        # Reported in the past: the month so far, not days after publication.
        ("Arrests peaked this month.", D(2025, 2, 14), "this month", D(2025, 2, 1), D(2025, 2, 14)),
        ("Rents are high this month.", D(2025, 2, 14), "this month", D(2025, 2, 1), D(2025, 2, 28)),
        ("A new cyber unit will open next month.", D(2025, 12, 5), "next month", D(2026, 1, 1),
         D(2026, 1, 31)),
        ("Flooding hit the province in early June.", MON_29_SEP, "early June", D(2025, 6, 1),
         D(2025, 6, 10)),
        ("The task force was formed in mid-July.", MON_29_SEP, "mid-July", D(2025, 7, 11),
         D(2025, 7, 20)),
        ("By late August, 40 suspects had been charged.", MON_29_SEP, "late August",
         D(2025, 8, 21), D(2025, 8, 31)),
        ("The pilot scheme closes at the end of October.", MON_29_SEP, "end of October",
         D(2025, 10, 21), D(2025, 10, 31)),
        ("Talks resumed in March after a pause.", D(2025, 9, 12), "March", D(2025, 3, 1),
         D(2025, 3, 31)),
        ("The ministers will meet again in March.", D(2025, 9, 12), "March", D(2026, 3, 1),
         D(2026, 3, 31)),
        ("Officials met last June in Hanoi.", MON_29_SEP, "last June", D(2025, 6, 1),
         D(2025, 6, 30)),
        ("Officials met last June in Hanoi.", D(2025, 6, 10), "last June", D(2024, 6, 1),
         D(2024, 6, 30)),
        ("Inflows have fallen since May.", MON_29_SEP, "May", D(2025, 5, 1), D(2025, 5, 31)),
        ("The summit is planned for next February.", MON_29_SEP, "next February", D(2026, 2, 1),
         D(2026, 2, 28)),
    ],
)
def test_dates_month(sentence: str, published: dt.date, text: str, first: dt.date,
                     last: dt.date) -> None:
    _check(sentence, published, text, first, last, "month")


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last"),
    [
        ("A high-level visit to Osaka took place last week.", MON_29_SEP, "last week",
         D(2025, 9, 22), D(2025, 9, 28)),
        ("A high-level visit to Osaka took place last week.", SUN_28_SEP, "last week",
         D(2025, 9, 15), D(2025, 9, 21)),
        ("Last week, customs officers seized 3 tonnes of ketamine.", D(2026, 1, 1), "Last week",
         D(2025, 12, 22), D(2025, 12, 28)),
        ("The envoy arrived this week.", SUN_28_SEP, "this week", D(2025, 9, 22), D(2025, 9, 28)),
        ("Talks will continue next week.", SUN_28_SEP, "next week", D(2025, 9, 29),
         D(2025, 10, 5)),
        ("Officials met earlier this week.", THU_2_OCT, "earlier this week", D(2025, 9, 29),
         D(2025, 10, 2)),
        ("The raids happened three weeks ago.", MON_29_SEP, "three weeks ago", D(2025, 9, 8),
         D(2025, 9, 14)),
        ("Dozens were detained over the previous week.", THU_2_OCT, "previous week",
         D(2025, 9, 22), D(2025, 9, 28)),
        ("Protests spread last weekend.", MON_29_SEP, "last weekend", D(2025, 9, 27),
         D(2025, 9, 28)),
    ],
)
def test_dates_week(sentence: str, published: dt.date, text: str, first: dt.date,
                    last: dt.date) -> None:
    _check(sentence, published, text, first, last, "week")


@pytest.mark.parametrize(
    ("sentence", "published", "text", "day"),
    [
        ("Police announced the arrests yesterday.", D(2025, 3, 1), "yesterday", D(2025, 2, 28)),
        ("The minister said today that the ring was broken.", MID_JAN, "today", MID_JAN),
        ("Rain is expected tomorrow.", D(2024, 12, 31), "tomorrow", D(2025, 1, 1)),
        ("The team met on Monday.", THU_2_OCT, "Monday", D(2025, 9, 29)),
        ("The team met on Thursday.", THU_2_OCT, "Thursday", THU_2_OCT),
        ("The team met last Thursday.", THU_2_OCT, "last Thursday", D(2025, 9, 25)),
        ("The delegation will arrive on Friday.", THU_2_OCT, "Friday", D(2025, 10, 3)),
        ("A verdict is due next Monday.", MON_29_SEP, "next Monday", D(2025, 10, 6)),
        ("Police said Tuesday the suspects had fled.", THU_2_OCT, "Tuesday", D(2025, 9, 30)),
        ("The suspect surrendered two days ago.", D(2025, 3, 1), "two days ago", D(2025, 2, 27)),
        ("The boat sank 10 days ago.", MON_29_SEP, "10 days ago", D(2025, 9, 19)),
    ],
)
def test_dates_relative_day(sentence: str, published: dt.date, text: str, day: dt.date) -> None:
    _check(sentence, published, text, day, day, "day")


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last", "precision"),
    [
        ("The law took effect a month ago.", MID_JAN, "a month ago", D(2024, 12, 1),
         D(2024, 12, 31), "month"),
        ("The unit was formed 3 years ago.", MON_29_SEP, "3 years ago", D(2022, 1, 1),
         D(2022, 12, 31), "year"),
        ("Cases surged in 2023.", MON_29_SEP, "2023", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("The 2024 budget doubled spending on cybercrime.", MON_29_SEP, "2024", D(2024, 1, 1),
         D(2024, 12, 31), "year"),
        ("Thailand's 2024 report named five hubs.", MON_29_SEP, "2024", D(2024, 1, 1),
         D(2024, 12, 31), "year"),
        ("Crime fell last year.", MON_29_SEP, "last year", D(2024, 1, 1), D(2024, 12, 31), "year"),
        ("The treaty was ratified the previous year.", MID_JAN, "previous year", D(2024, 1, 1),
         D(2024, 12, 31), "year"),
        ("Japan plans to expand the programme next year.", MON_29_SEP, "next year",
         D(2026, 1, 1), D(2026, 12, 31), "year"),
        ("This year, arrests rose by a third.", MID_JAN, "This year", D(2025, 1, 1),
         MID_JAN, "year"),
        ("This year marks fifty years of ties.", MID_JAN, "This year", D(2025, 1, 1),
         D(2025, 12, 31), "year"),
        ("The scheme started earlier this year.", D(2025, 5, 20), "earlier this year",
         D(2025, 1, 1), D(2025, 5, 20), "year"),
        ("A new centre opens in early 2026.", MON_29_SEP, "early 2026", D(2026, 1, 1),
         D(2026, 4, 30), "year"),
        ("Production resumed by mid-2024 (officials said).", MON_29_SEP, "mid-2024",
         D(2024, 5, 1), D(2024, 8, 31), "year"),
    ],
)
def test_dates_relative_and_year(sentence: str, published: dt.date, text: str, first: dt.date,
                                 last: dt.date, precision: str) -> None:
    _check(sentence, published, text, first, last, precision)


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last"),
    [
        ("Fraud losses fell in Q3 2025.", MON_29_SEP, "Q3 2025", D(2025, 7, 1), D(2025, 9, 30)),
        ("Seizures peaked in the third quarter of 2025.", MON_29_SEP, "third quarter of 2025",
         D(2025, 7, 1), D(2025, 9, 30)),
        ("Arrests fell in the first half of 2025.", MON_29_SEP, "first half of 2025",
         D(2025, 1, 1), D(2025, 6, 30)),
        ("Work starts in the second half of next year.", MON_29_SEP,
         "second half of next year", D(2026, 7, 1), D(2026, 12, 31)),
        ("Revenue rose in H2 2024.", MON_29_SEP, "H2 2024", D(2024, 7, 1), D(2024, 12, 31)),
        ("Exports rose last quarter.", MON_29_SEP, "last quarter", D(2025, 4, 1), D(2025, 6, 30)),
        ("Exports rose last quarter.", D(2025, 2, 10), "last quarter", D(2024, 10, 1),
         D(2024, 12, 31)),
        ("Figures for the last quarter of 2024 were revised.", MON_29_SEP,
         "last quarter of 2024", D(2024, 10, 1), D(2024, 12, 31)),
    ],
)
def test_dates_quarter(sentence: str, published: dt.date, text: str, first: dt.date,
                       last: dt.date) -> None:
    _check(sentence, published, text, first, last, "quarter")


@pytest.mark.parametrize(
    "sentence",
    [
        "The trip marks the 50th anniversary of diplomatic relations.",
        "More than 2,000 officers joined the operation.",
        "Travel rules eased after COVID-19 restrictions ended.",
        "A nine-member delegation travelled to Beijing.",
        "Officials said she may travel to Vientiane.",
        "Thousands of protesters march through the capital.",
        "The council adopted Resolution 2024/15 unanimously.",
        "Victims can call the 24/7 hotline.",
        "The pipeline stretches 1,500 km across the region.",
        "The delegation visited the Osaka World Expo 2025 pavilion.",
        "Bangkok unveiled its Vision 2030 strategy.",
        "The suspect was held in room 2024 of the hotel.",
        "Each ticket cost $2025 on the black market.",
        "Figures for the 2024-25 season are pending.",
        "Crowds filled shopping malls for Black Friday sales.",
        "A reporter for USA Today asked about the case.",
        "The two sides may sign a deal, and police march on.",
        "Guests met at Mar-a-Lago.",
        "Some 2000 troops were deployed.",
    ],
)
def test_dates_non_dates_yield_nothing(sentence: str) -> None:
    assert find_dates(sentence, MON_29_SEP) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("In March 2024 she may travel to Laos.", ["March 2024"]),
        ("Lawmakers march to parliament every May 1.", ["May 1"]),
        ("The plan, due by March, may change.", ["March"]),
        ("March saw protests, then in August talks began.", ["August"]),
    ],
)
def test_dates_ambiguous_month_words(sentence: str, expected: list[str]) -> None:
    assert [m.text for m in find_dates(sentence, MON_29_SEP)] == expected


def _seed_paragraphs() -> tuple[dt.date, list[str]]:
    raw = SEED.read_text(encoding="utf-8").strip()
    header = re.match(r"date\s+(\d{4}-\d{2}-\d{2})\s*", raw)
    assert header, f"{SEED} should open with a 'date YYYY-MM-DD' header"
    body = raw[header.end():]
    return D.fromisoformat(header.group(1)), [p.strip() for p in re.split(r"\n\s*\n", body)]


def test_dates_seed_article_exact() -> None:
    published, paragraphs = _seed_paragraphs()
    assert published == MON_29_SEP
    found = [
        (i, m.text, m.start_date, m.end_date, m.precision)
        for i, paragraph in enumerate(paragraphs)
        for m in find_dates(paragraph, published)
    ]
    assert found == [
        (0, "last week", D(2025, 9, 22), D(2025, 9, 28), "week"),
        (1, "September 16 to 21", D(2025, 9, 16), D(2025, 9, 21), "day"),
        (6, "June 2025", D(2025, 6, 1), D(2025, 6, 30), "month"),
    ]
    assert len(paragraphs) == 9


@pytest.mark.parametrize(
    ("fragment", "paragraph"),
    [("Osaka World Expo 2025", 5), ("nine-member", 7), ("50th anniversary", 8)],
)
def test_dates_seed_names_and_numbers_are_not_dates(fragment: str, paragraph: int) -> None:
    published, paragraphs = _seed_paragraphs()
    text = paragraphs[paragraph]
    assert fragment in text
    start = text.index(fragment)
    assert all(
        m.end <= start or m.start >= start + len(fragment) for m in find_dates(text, published)
    )


@pytest.mark.parametrize(
    ("expression", "published", "first", "last", "precision"),
    [
        ("last week", MON_29_SEP, D(2025, 9, 22), D(2025, 9, 28), "week"),
        ("in June", MON_29_SEP, D(2025, 6, 1), D(2025, 6, 30), "month"),
        ("will meet again in March", D(2025, 9, 12), D(2026, 3, 1), D(2026, 3, 31), "month"),
        ("From September 16 to 21", MON_29_SEP, D(2025, 9, 16), D(2025, 9, 21), "day"),
        ("the previous year", MON_29_SEP, D(2024, 1, 1), D(2024, 12, 31), "year"),
    ],
)
def test_dates_normalise_one_expression(expression: str, published: dt.date, first: dt.date,
                                        last: dt.date, precision: str) -> None:
    mention = normalise(expression, published)
    assert mention is not None
    assert (mention.start_date, mention.end_date, mention.precision) == (first, last, precision)
    assert expression[mention.start:mention.end] == mention.text


@pytest.mark.parametrize("expression", ["", "the Osaka Expo", "nine-member", "room 2024"])
def test_dates_normalise_none_without_date(expression: str) -> None:
    assert normalise(expression, MON_29_SEP) is None


def test_dates_invalid_day_gives_no_invented_day() -> None:
    mentions = find_dates("The vote on February 30 was void.", MON_29_SEP)
    assert all(m.precision != "day" for m in mentions)


def test_dates_longest_match_wins_and_sorted() -> None:
    text = "On Monday, September 15, 2025 and again last week, then in 2026."
    mentions = find_dates(text, MON_29_SEP)
    assert [m.text for m in mentions] == ["Monday, September 15, 2025", "last week", "2026"]


WED_17_SEP = D(2025, 9, 17)


@pytest.mark.parametrize(
    ("sentence", "published", "first", "last", "precision"),
    [
        # Past tense: the unit so far. Precision stays the unit's.
        ("Customs officers seized 200 kg of ketamine this week.", WED_17_SEP, D(2025, 9, 15),
         WED_17_SEP, "week"),
        ("Vietnamese police have detained 31 suspects this month.", WED_17_SEP, D(2025, 9, 1),
         WED_17_SEP, "month"),
        ("This quarter, Malaysia deported 400 foreigners.", WED_17_SEP, D(2025, 7, 1),
         WED_17_SEP, "quarter"),
        ("The two sides met twice this year, officials said.", WED_17_SEP, D(2025, 1, 1),
         WED_17_SEP, "year"),
        ("Three call centres were raided in Poipet this week.", WED_17_SEP, D(2025, 9, 15),
         WED_17_SEP, "week"),
        # The weekend reported on a Wednesday is the one just past.
        ("Police raided a casino this weekend.", WED_17_SEP, D(2025, 9, 13), D(2025, 9, 14),
         "week"),
        # Future: from publication on, passive voice included.
        ("The ministers will sign the MoU this month.", WED_17_SEP, WED_17_SEP, D(2025, 9, 30),
         "month"),
        ("A joint exercise is scheduled for this week.", WED_17_SEP, WED_17_SEP, D(2025, 9, 21),
         "week"),
        ("The agreement will be signed this week.", WED_17_SEP, WED_17_SEP, D(2025, 9, 21),
         "week"),
        ("Police, who arrested five men, will hold talks this week.", WED_17_SEP, WED_17_SEP,
         D(2025, 9, 21), "week"),
        # Present tense or no verb: the whole unit.
        ("The expo is held in Osaka this month.", WED_17_SEP, D(2025, 9, 1), D(2025, 9, 30),
         "month"),
        ("Cambodia chairs the forum this year.", WED_17_SEP, D(2025, 1, 1), D(2025, 12, 31),
         "year"),
        # The nearest marker decides: the arrests were this week, the trial comes later.
        ("Five suspects arrested this week will face trial in Bangkok.", WED_17_SEP,
         D(2025, 9, 15), WED_17_SEP, "week"),
    ],
)
def test_dates_this_unit_follows_the_tense(sentence: str, published: dt.date, first: dt.date,
                                           last: dt.date, precision: str) -> None:
    mention = _only(sentence, published)
    assert (mention.start_date, mention.end_date, mention.precision) == (first, last, precision)


@settings(deadline=None, max_examples=100)
@given(
    verb=st.sampled_from(["arrested", "seized", "met", "held", "deported", "were detained",
                          "had signed", "caught", "fled", "made"]),
    unit=st.sampled_from(["week", "month", "quarter", "year", "weekend"]),
    published=st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)),
)
def test_dates_past_this_unit_never_ends_after_publication(verb: str, unit: str,
                                                           published: dt.date) -> None:
    mention = _only(f"Officials {verb} the suspects this {unit}.", published)
    assert mention.start_date <= mention.end_date <= published


def test_dates_future_rule_reads_each_sentence_of_a_long_paragraph() -> None:
    # One long paragraph of alternating past and future sentences: each bare month takes its
    # year from its own sentence, however far into the paragraph it is.
    pairs = [("The envoys met in March.", D(2025, 3, 1)),
             ("They will meet again in March!", D(2026, 3, 1)),
             ("Officers trained in Osaka in February?", D(2025, 2, 1)),
             ('"Talks are scheduled for February."', D(2026, 2, 1))]
    text = " ".join(sentence for _ in range(150) for sentence, _ in pairs)
    mentions = find_dates(text, MON_29_SEP)
    assert [m.start_date for m in mentions] == [day for _ in range(150) for _, day in pairs]


def test_dates_sentence_can_end_inside_an_abbreviation() -> None:
    # "Sept.\n": the line break ends the sentence although the "." belongs to the date.
    mentions = find_dates("The team met in Sept.\nIt will meet again.", D(2025, 1, 10))
    assert [(m.text, m.start_date) for m in mentions] == [("Sept.", D(2024, 9, 1))]
    mentions = find_dates("The team will meet in Sept.\nIt met before.", D(2026, 1, 10))
    assert [(m.text, m.start_date) for m in mentions] == [("Sept.", D(2026, 9, 1))]


def test_dates_overlapping_candidates_in_a_long_paragraph() -> None:
    # Ranges and their parts in one long text: the longest wins, everywhere.
    unit = "From September 16 to 21, 2025, and on 22 September, then late June 2025. "
    mentions = find_dates(unit * 300, MON_29_SEP)
    assert [m.text for m in mentions] == ["September 16 to 21, 2025", "22 September",
                                          "late June 2025"] * 300


WED_10_SEP = D(2025, 9, 10)


@pytest.mark.parametrize(
    ("sentence", "published", "text", "first", "last", "precision"),
    [
        # Decades: their years, precision "year"; early/mid/late narrow them.
        ("Trade grew sharply in the 1990s.", WED_10_SEP, "1990s", D(1990, 1, 1),
         D(1999, 12, 31), "year"),
        ("Ties improved in the mid-2000s.", WED_10_SEP, "mid-2000s", D(2004, 1, 1),
         D(2006, 12, 31), "year"),
        ("The feud dates back to the late 1980's.", WED_10_SEP, "late 1980's", D(1987, 1, 1),
         D(1989, 12, 31), "year"),
        # Rolling spans end (or start) at publication.
        ("Arrests have doubled over the past three years.", WED_10_SEP, "past three years",
         D(2022, 9, 10), WED_10_SEP, "year"),
        ("Scam losses rose in the last two weeks.", WED_10_SEP, "last two weeks",
         D(2025, 8, 27), WED_10_SEP, "week"),
        ("Losses rose in the past year.", WED_10_SEP, "past year", D(2024, 9, 10), WED_10_SEP,
         "year"),
        ("Ties have deepened over the past decade.", WED_10_SEP, "past decade", D(2015, 9, 10),
         WED_10_SEP, "year"),
        ("The hotline will open within the next six months.", WED_10_SEP, "next six months",
         WED_10_SEP, D(2026, 3, 10), "month"),
        # The end / beginning of the year, month or week.
        ("The MoU will be signed by the end of the year.", WED_10_SEP, "end of the year",
         D(2025, 9, 1), D(2025, 12, 31), "year"),
        ("The database should run by the end of this year.", WED_10_SEP, "end of this year",
         D(2025, 9, 1), D(2025, 12, 31), "year"),
        ("The bill passed at the end of last month.", WED_10_SEP, "end of last month",
         D(2025, 8, 21), D(2025, 8, 31), "month"),
        ("Talks resume at the beginning of next month.", WED_10_SEP, "beginning of next month",
         D(2025, 10, 1), D(2025, 10, 10), "month"),
        # "over the weekend": the one just past, or in the future the next one.
        ("Police raided the compound over the weekend.", WED_10_SEP, "weekend", D(2025, 9, 6),
         D(2025, 9, 7), "week"),
        ("The ministers will meet over the weekend.", WED_10_SEP, "weekend", D(2025, 9, 13),
         D(2025, 9, 14), "week"),
    ],
)
def test_dates_decades_rolling_spans_and_parts(sentence: str, published: dt.date, text: str,
                                               first: dt.date, last: dt.date,
                                               precision: str) -> None:
    _check(sentence, published, text, first, last, precision)


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # News puts scheduled events in the present tense: the next such day.
        ("The four-day patrol, which ends on Thursday, covers 300 km.", D(2025, 1, 20),
         [("Thursday", D(2025, 1, 23))]),
        ("Officials said on Thursday the summit opens on Monday.", WED_10_SEP,
         [("Thursday", D(2025, 9, 4)), ("Monday", D(2025, 9, 15))]),
        # An intention is future, an agreement to a thing is not.
        ("Both sides agreed to hold the next meeting in Moscow in March.", D(2025, 12, 3),
         [("March", D(2026, 3, 1))]),
        ("Both sides agreed to a deal in March.", WED_10_SEP, [("March", D(2025, 3, 1))]),
        ("The minister is to visit Japan in March.", WED_10_SEP, [("March", D(2026, 3, 1))]),
        # Each date takes the tense of its own verb ...
        ("Talks that began in June end in October.", WED_10_SEP,
         [("June", D(2025, 6, 1)), ("October", D(2025, 10, 1))]),
        ("The hotline, which opened in March, will be expanded.", WED_10_SEP,
         [("March", D(2025, 3, 1))]),
        # ... not that of a reporting clause after it ...
        ("Cambodia and China will hold drills from May 15 to 28, the ministry said on Thursday.",
         D(2026, 1, 8), [("May 15 to 28", D(2026, 5, 15)), ("Thursday", D(2026, 1, 8))]),
        # ... and a fronted date the tense of the verb after it.
        ("In June, Thailand will host the talks.", WED_10_SEP, [("June", D(2026, 6, 1))]),
        ("In March, police arrested 40 suspects.", WED_10_SEP, [("March", D(2025, 3, 1))]),
    ],
)
def test_dates_tense_of_each_expression(sentence: str, published: dt.date,
                                        expected: list[tuple[str, dt.date]]) -> None:
    assert [(m.text, m.start_date) for m in find_dates(sentence, published)] == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The talks were held over the past few days.", []),
        ("They were arrested in the last two weeks of June.", ["June"]),
        ("He had visited the year before.", []),
        ("Club 1990s opened a new branch.", []),
        ("The agreement was signed in 1990.", ["1990"]),
    ],
)
def test_dates_vague_or_named_spans_are_left_out(sentence: str, expected: list[str]) -> None:
    assert [m.text for m in find_dates(sentence, WED_10_SEP)] == expected


_FRAGMENTS = [
    "September 16", "16 September", "to", "21", "-", "–", "and", "between", "last", "week",
    "in", "June", "2025", "May", "March", "Q3", "third quarter of", "ago", "two", "days",
    "Expo", "Monday", ",", ".", "2,000", "COVID-19", "$", "/", "earlier this month", "next",
    "2024-25", "the", "of", "mid-", "late", "Sept.", "yesterday", "will", "H1",
    "1990s", "past", "weekend", "end of", "over the", "agreed to", "opens",
]


@settings(deadline=None, max_examples=200)
@given(
    parts=st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=25),
    published=st.dates(min_value=D(1901, 1, 1), max_value=D(2099, 12, 31)),
)
def test_dates_offsets_hold_on_random_text(parts: list[str], published: dt.date) -> None:
    text = " ".join(parts)
    mentions = find_dates(text, published)
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text
        assert mention.start_date <= mention.end_date
        assert mention.precision in {"day", "week", "month", "quarter", "year"}
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))


def test_dates_extreme_publication_dates_do_not_raise() -> None:
    for published in (D(1, 1, 1), D(9999, 12, 31)):
        mentions = find_dates("yesterday, next year, in June, last week, 3 days ago", published)
        assert all(m.start_date <= m.end_date for m in mentions)


def test_dates_import_is_quiet_and_lazy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys, kit.dates; print('dateparser' in sys.modules)"],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], check=True,
    )
    assert (result.stdout, result.stderr) == ("False\n", "")
