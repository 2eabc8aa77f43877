"""Generate a deterministic synthetic corpus of news articles for benchmarks and scale tests.

Articles follow the seed's shape: a lead paragraph on a bilateral visit or agreement between the
focus country and a partner, follow-up paragraphs with people, agencies, dates and topics, at
times an illustrative list of other countries, and sometimes a second story opened by "In a
related story". Every name comes from the codebook (countries with their demonyms and cities,
actors, topic labels), and each sentence is built from a grammatical template, so the text reads
like news and exercises the same rules as real articles.

Article *i* depends only on ``(seed, i)``: the first 20 articles of a 100,000-article corpus are
the 20 articles of ``generate(20, ...)``, and a rerun writes the same bytes.

Usage::

    python bench/generate.py 10000 /tmp/corpus --seed 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__":
    # Run as a script from a checkout: make `kit` importable without installing it.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kit.codebook import Codebook, load_codebook
from kit.corpus import format_article, write_article

__all__ = ["Article", "articles", "generate", "main", "texts"]

#: Upper bound of ``n`` (the names are zero-padded to six digits).
MAX_ARTICLES = 1_000_000
_MIN_WORDS, _MAX_WORDS = 300, 900
_FIRST_DAY, _LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
# Partners drawn more often, as in the kit's domain (Southeast Asian security cooperation);
# every other country of the codebook still appears now and then.
_REGIONAL = ("JPN", "CHN", "USA", "KHM", "LAO", "MMR", "MYS", "VNM", "SGP", "IDN", "PHL",
             "KOR", "IND", "AUS", "GBR", "FRA", "DEU", "RUS", "BRN", "TWN", "NZL", "CAN")
_REGIONAL_WEIGHT = 25
_RELATED_STORY = 0.35
# Outlets are invented: the generator must not attribute made-up stories to real newspapers.
_SOURCES = ("Synthetic Daily", "The Example Post", "Mekong Wire (synthetic)",
            "Regional Security Monitor (synthetic)")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_ORDINALS = ("second", "third", "fourth", "fifth", "sixth", "tenth", "twelfth")
# Country names that read with a definite article ("in the Philippines").
_THE_WORDS = ("United", "Republic", "Kingdom", "Islands", "Emirates", "Federation", "States")
_THE_NAMES = frozenset({"Philippines", "Netherlands", "Bahamas", "Maldives", "Comoros",
                        "Gambia", "Holy See", "Vatican"})


@dataclass(frozen=True)
class Article:
    """One synthetic article: what :func:`kit.corpus.format_article` needs, plus its id."""

    article_id: str
    date: dt.date
    title: str
    source: str
    paragraphs: tuple[str, ...]

    def text(self) -> str:
        """The article in the kit's file format."""
        return format_article(list(self.paragraphs), date=self.date, title=self.title,
                              source=self.source)


@dataclass(frozen=True)
class _Country:
    id: str
    name: str
    demonym: str
    cities: tuple[str, ...]
    actors: tuple[str, ...]   # phrases naming the country's people and agencies

    @property
    def the_name(self) -> str:
        needs_the = self.name in _THE_NAMES or any(w in self.name.split() for w in _THE_WORDS)
        return f"the {self.name}" if needs_the else self.name

    def city(self, rng: random.Random) -> str:
        return rng.choice(self.cities) if self.cities else self.the_name


@dataclass(frozen=True)
class _Vocabulary:
    focus: _Country
    partners: tuple[_Country, ...]
    weights: tuple[int, ...]
    crimes: tuple[str, ...]       # phrases for "combat ...", "cases linked to ..."
    subjects: tuple[str, ...]     # phrases for "talks on ...", "cooperation on ..."
    mechanisms: tuple[str, ...]   # phrases for "step up ..."
    international: tuple[str, ...]

    def partner(self, rng: random.Random, *, other_than: Sequence[str] = ()) -> _Country:
        while True:
            country = rng.choices(self.partners, weights=self.weights)[0]
            if country.id not in other_than:
                return country


def articles(n: int, *, seed: int = 0, codebook: Codebook | None = None,
             focus: str = "THA") -> Iterator[Article]:
    """Yield *n* synthetic articles, deterministically for a given seed and codebook.

    Args:
        n: Number of articles (0 to 1,000,000).
        seed: Seed of the random choices; article *i* depends only on ``(seed, i)``.
        codebook: Codebook to draw names from; the bundled one by default.
        focus: ISO3 code of the focus country every lead story involves.

    Returns:
        An iterator of :class:`Article`, ids ``000000_<hash>`` ... in order.
    """
    if not 0 <= n <= MAX_ARTICLES:
        raise ValueError(f"n must be between 0 and {MAX_ARTICLES:,}, not {n!r}")
    vocab = _vocabulary(codebook if codebook is not None else load_codebook(), focus.upper())
    for i in range(n):
        # A string seed is hashed with SHA-512 by random.Random: stable across runs and
        # platforms, unlike hash() of a tuple.
        rng = random.Random(f"kit-bench:{seed}:{i}")
        yield _article(i, rng, vocab)


def texts(n: int, *, seed: int = 0, codebook: Codebook | None = None) -> list[str]:
    """Return the file text of *n* synthetic articles, in memory (see :func:`articles`)."""
    return [a.text() for a in articles(n, seed=seed, codebook=codebook)]


def generate(n: int, out_dir: str | Path, *, seed: int = 0,
             codebook: Codebook | None = None, overwrite: bool = True) -> list[Path]:
    """Write *n* synthetic articles as ``out_dir/<article_id>.txt``.

    Args:
        n: Number of articles (0 to 1,000,000).
        out_dir: Destination folder; created if missing.
        seed: Seed of the random choices (see :func:`articles`).
        codebook: Codebook to draw names from; the bundled one by default.
        overwrite: Replace files of the same name (a rerun with the same seed writes the same
            bytes); False refuses to replace one.

    Returns:
        The paths written, in article order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_article(out / f"{a.article_id}.txt", a.text(), overwrite=overwrite)
            for a in articles(n, seed=seed, codebook=codebook)]


# --------------------------------------------------------------------------- vocabulary


def _vocabulary(cb: Codebook, focus: str) -> _Vocabulary:
    if focus not in cb.countries:
        raise ValueError(f"focus country {focus!r} is not in the codebook; pass an ISO3 id "
                         f"such as 'THA'")
    people: dict[str, list[str]] = {}
    international: list[str] = []
    for actor in sorted(cb.actors.values(), key=lambda a: a.id):
        if actor.type == "EVENT":
            continue
        phrase = _person(actor.name, actor.role) if actor.type == "PERSON" else \
            _org(actor.name)
        if actor.country is None:
            international.append(phrase)
        else:
            people.setdefault(actor.country, []).append(phrase)
    countries = []
    for c in sorted(cb.countries.values(), key=lambda c: c.id):
        if not c.demonyms:
            continue
        countries.append(_Country(id=c.id, name=c.name, demonym=c.demonyms[0],
                                  cities=tuple(c.cities[:6]),
                                  actors=tuple(people.get(c.id, ()))))
    by_id = {c.id: c for c in countries}
    if focus not in by_id:
        raise ValueError(f"focus country {focus!r} has no demonym in the codebook; add one")
    partners = tuple(c for c in countries if c.id != focus)
    topics = sorted(cb.topics.values(), key=lambda t: t.id)

    def labels(categories: set[str] | None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_topic_phrase(t.label) for t in topics
                                   if categories is None or t.category in categories))

    everything = labels(None) or ("transnational crime",)
    return _Vocabulary(
        focus=by_id[focus],
        partners=partners,
        weights=tuple(_REGIONAL_WEIGHT if c.id in _REGIONAL else 1 for c in partners),
        crimes=labels({"crime"}) or everything,
        subjects=labels({"crime", "technology", "economy"}) or everything,
        mechanisms=labels({"cooperation", "diplomacy"}) or everything,
        international=tuple(international) or ("Interpol",),
    )


def _person(name: str, role: str | None) -> str:
    if not role:
        return name
    role = role.split(";")[0].strip()
    if "," in role:
        # "Commissioner, Central Investigation Bureau" -> "..., Commissioner of the Central ..."
        post, _, body = role.partition(",")
        return f"{name}, {post.strip()} of the {body.strip()},"
    return f"{role} {name}"


def _org(name: str) -> str:
    # "the Royal Thai Police", but "Interpol", "ASEAN".
    return name if len(name.split()) == 1 or name.startswith("The ") else f"the {name}"


def _topic_phrase(label: str) -> str:
    # "Scams and fraud (any)" -> "scams and fraud"; keep acronyms ("AI-equipped CCTV").
    label = re.sub(r"\s*\([^)]*\)", "", label).strip()
    first = label.split()[0] if label.split() else label
    return label if first[1:2].isupper() else label[:1].lower() + label[1:]


# --------------------------------------------------------------------------- articles

# Sentence templates. Placeholders: F/P the focus and partner country (with "the" where it
# reads so), Fd/Pd their demonyms, Fc/Pc a city, Fa/Pa a person or agency of the country,
# X/Xd a third country, L a list of other countries, I an international body, c a crime,
# s a subject, m a cooperation mechanism, when a date expression (or nothing), later a future one.
_LEADS = (
    ("{Fd} police are stepping up cross-border efforts with {Pd} authorities to combat {c}. "
     "The partnership between {F} and {P} took a step forward following a high-level visit "
     "to {Pc}{when}."),
    "{Fd} police {met} {Pd} officials in {Pc}{when} to discuss {c} and {s}.",
    "{Fa} led a {Fd} delegation to {Pc}{when} to exchange ideas on {c}.",
    "{P} and {F} agreed{when} to deepen cooperation on {s}, officials in {Fc} said.",
    "{Pd} and {Fd} officials signed a memorandum of understanding on {c} in {Fc}{when}.",
    "{Pa} {received} a {Fd} delegation in {Pc}{when} for talks on {s}.",
    "{F} and {P} will step up {m} to fight {c}, {Fa} said after talks in {Fc}{when}.",
    "{Pd} investigators arrived in {Fc}{when} for a week of joint work with {Fd} police on {c}.",
)
_BODY = (
    "{Fa} announced a new push for closer intelligence sharing with {Pd} law enforcement.",
    "Discussions focused on {c}, a key concern for both countries.",
    "The {Pd} side was represented by {Pa}.",
    "Both sides will exchange criminal data to improve cross-border investigations into {c}.",
    "{Fd} authorities are also considering adopting {Pd} technology for {s}.",
    "Officials said the two countries would set up a joint working group on {c}.",
    "{Pa} said {P} was ready to support {F} in the fight against {c}.",
    "The meeting in {Pc} was the {nth} of its kind since {year}.",
    "A follow-up meeting will take place {later} in {Fc}.",
    "Police said the number of cases involving {c} had risen sharply over the past year.",
    "Analysts said the agreement could speed up the handling of cases linked to {c}.",
    "{Fa} told reporters that cooperation with {P} had already led to several arrests.",
    "The talks{when} also covered training for officers working on {c}.",
    "{I} is expected to join future operations against {c}, according to the statement.",
    "The officials did not give further details of the operation.",
    "{Fd} investigators {verb} their {Pd} counterparts in {Pc}{when}.",
    "The two countries marked {years} years of diplomatic relations{when}.",
    "{Pd} officials praised {F} for its efforts against {c}.",
    "Police arrested {n} {Xd} nationals suspected of {c} in {Fc}{when}.",
    "The suspects, who include {Xd} and {Yd} citizens, are believed to have fled to {X}.",
    "{Fd} and {Pd} officials also discussed {m} and {s}.",
    "A spokesman for {Fa} said the {nth} round of talks would focus on {m}.",
    "Under the plan, {Pd} liaison officers will be posted to {Fc} to help track suspects.",
    "{F}, {P} and {X} held a trilateral meeting in {Pc}{when} on {c}.",
    "Officers from {F}, {P}, {X} and {Y} took part in a joint operation against {c}{when}.",
    "The agreement builds on a visit by {Pa} to {Fc} {lastyear}.",
    "Critics said more resources were needed to tackle {c} effectively.",
    "Local media reported that the operation had been planned for months.",
    "{Pd} experts will train {Fd} officers in {s} under the programme.",
    "Exhibits from countries such as {L} offered insights for future {Fd} police work.",
    "Victims came from several countries, including {L}, police said.",
    "Delegates from countries like {L} also attended the conference.",
)
_TITLES = (
    "{F} and {P} step up cooperation on {c}",
    "{Fd} police work with {Pd} partners on {c}",
    "{P} and {F} agree closer ties on {s}",
    "{Fd}-{Pd} talks focus on {c}",
    "{Pd} delegation visits {F} for talks on {s}",
)


def _article(i: int, rng: random.Random, vocab: _Vocabulary) -> Article:
    published = _FIRST_DAY + dt.timedelta(days=rng.randrange((_LAST_DAY - _FIRST_DAY).days + 1))
    partner = vocab.partner(rng)
    target = rng.randint(_MIN_WORDS, _MAX_WORDS)
    related = rng.random() < _RELATED_STORY
    first_target = target if not related else int(target * rng.uniform(0.55, 0.75))
    ctx = _Context.of(rng, vocab, partner, published)
    paragraphs, words = _story(ctx, first_target, budget=_MAX_WORDS, opener=None)
    if related:
        second = _Context.of(rng, vocab, vocab.partner(rng, other_than=(partner.id,)), published)
        more, _ = _story(second, target - words, budget=_MAX_WORDS - words,
                         opener=rng.choice(("In a related story,", "In a related development,")))
        paragraphs += more
    title = ctx.fill(rng.choice(_TITLES))
    text = "\n\n".join(paragraphs)
    digest = hashlib.sha256(f"{published}\n{title}\n{text}".encode()).hexdigest()[:16]
    return Article(article_id=f"{i:06d}_{digest}", date=published, title=title,
                   source=rng.choice(_SOURCES), paragraphs=tuple(paragraphs))


def _story(ctx: _Context, target: int, *, budget: int,
           opener: str | None) -> tuple[list[str], int]:
    """Paragraphs of one story of about *target* words (never more than *budget*)."""
    rng = ctx.rng
    lead = ctx.fill(rng.choice(_LEADS))
    # After an opener the sentence keeps its own case: "In a related story, the Philippines
    # and ..." but "In a related story, Chinese officials ...".
    lead = f"{opener} {lead}" if opener else _capitalise(lead)
    paragraphs = [lead]
    words = len(lead.split())
    # Draw body templates like cards from a shuffled deck, so that an article repeats a
    # sentence pattern only after using the others.
    deck: list[str] = []
    while words < target:
        sentences: list[str] = []
        for _ in range(rng.randint(2, 5)):
            if not deck:
                deck = list(_BODY)
                rng.shuffle(deck)
            sentence = _capitalise(ctx.fill(deck.pop()))
            if words + len(sentence.split()) > budget:
                break
            sentences.append(sentence)
            words += len(sentence.split())
            if words >= target:
                break
        if not sentences:
            break
        paragraphs.append(" ".join(sentences))
    return paragraphs, words


@dataclass
class _Context:
    """One story's cast (focus, partner, topics, date) and its random source."""

    rng: random.Random
    vocab: _Vocabulary
    partner: _Country
    crimes: list[str]
    subjects: list[str]
    published: dt.date

    @classmethod
    def of(cls, rng: random.Random, vocab: _Vocabulary, partner: _Country,
           published: dt.date) -> _Context:
        # A story keeps to a few topics, as real reports do.
        return cls(rng, vocab, partner,
                   rng.sample(vocab.crimes, k=min(2, len(vocab.crimes))),
                   rng.sample(vocab.subjects, k=min(2, len(vocab.subjects))), published)

    def fill(self, template: str) -> str:
        rng, F, P = self.rng, self.vocab.focus, self.partner
        values: dict[str, object] = {}
        for name in _FIELDS.findall(template):
            if name in values:
                continue
            values[name] = self._value(name, rng, F, P, values)
        return _tidy(template.format(**values))

    def _value(self, name: str, rng: random.Random, F: _Country, P: _Country,
               values: dict[str, object]) -> object:
        if name in ("X", "Xd", "Y", "Yd"):
            key = name[0]
            if f"_{key}" not in values:
                taken = (P.id, *(c.id for k, c in values.items()  # type: ignore[union-attr]
                                  if k.startswith("_")))
                values[f"_{key}"] = self.vocab.partner(rng, other_than=taken)
            country = values[f"_{key}"]
            assert isinstance(country, _Country)
            return country.demonym if name.endswith("d") else country.the_name
        simple = {
            "F": lambda: F.the_name, "P": lambda: P.the_name,
            "Fd": lambda: F.demonym, "Pd": lambda: P.demonym,
            "Fc": lambda: F.city(rng), "Pc": lambda: P.city(rng),
            "Fa": lambda: self._actor(F, f"a senior {F.demonym} police officer"),
            "Pa": lambda: self._actor(P, f"a senior {P.demonym} official"),
            "I": lambda: rng.choice(self.vocab.international),
            "c": lambda: rng.choice(self.crimes), "s": lambda: rng.choice(self.subjects),
            "m": lambda: rng.choice(self.vocab.mechanisms),
            "L": lambda: self._listed(),
            "when": lambda: self._when(), "later": lambda: self._later(),
            "met": lambda: rng.choice(("met", "held talks with", "hosted", "welcomed")),
            "received": lambda: rng.choice(("received", "welcomed", "hosted")),
            "verb": lambda: rng.choice(("met", "visited", "briefed", "trained with", "hosted")),
            "nth": lambda: rng.choice(_ORDINALS),
            "year": lambda: self.published.year - rng.randint(2, 12),
            "lastyear": lambda: rng.choice(("last year", f"in {self.published.year - 1}")),
            "years": lambda: rng.choice((20, 25, 30, 40, 50, 60, 70)),
            "n": lambda: rng.choice(("two", "three", "four", "five", "seven", "12", "20")),
        }
        return simple[name]()

    def _actor(self, country: _Country, fallback: str) -> str:
        if country.actors and self.rng.random() < 0.6:
            return self.rng.choice(country.actors)
        return fallback

    def _listed(self) -> str:
        # An illustrative list of other countries: incidental, never a thread.
        taken = [self.partner.id]
        names = []
        for _ in range(self.rng.randint(2, 4)):
            country = self.vocab.partner(self.rng, other_than=taken)
            taken.append(country.id)
            names.append(country.the_name)
        return ", ".join(names[:-1]) + f" and {names[-1]}"

    def _when(self) -> str:
        rng, p = self.rng, self.published
        past = p - dt.timedelta(days=rng.randint(3, 40))
        choice = rng.randrange(8)
        if choice == 0:
            return " last week"
        if choice == 1:
            return f" on {rng.choice(_WEEKDAYS)}"
        if choice == 2:
            end = min(past + dt.timedelta(days=rng.randint(2, 5)), p)
            if end.month == past.month and end > past:
                return f" from {_MONTHS[past.month - 1]} {past.day} to {end.day}"
            return f" on {_MONTHS[past.month - 1]} {past.day}"
        if choice == 3:
            return f" in {_MONTHS[past.month - 1]} {past.year}"
        if choice == 4:
            return " earlier this month"
        return ""

    def _later(self) -> str:
        future = self.published + dt.timedelta(days=self.rng.randint(20, 200))
        return self.rng.choice((f"in {_MONTHS[future.month - 1]}", "next year",
                                f"in {_MONTHS[future.month - 1]} {future.year}", "next month"))


_FIELDS = re.compile(r"\{(\w+)\}")


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _tidy(sentence: str) -> str:
    # A person's appositive ("X, Chief of the Y,") may meet the full stop or another comma.
    return sentence.replace(",.", ".").replace(",,", ",")


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python bench/generate.py N OUT_DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description="Write N synthetic articles to OUT_DIR.")
    parser.add_argument("n", type=int, help="number of articles (up to 1,000,000)")
    parser.add_argument("out_dir", type=Path, help="destination folder (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.n, args.out_dir, seed=args.seed)
    except ValueError as err:
        parser.error(str(err))
    print(f"wrote {len(paths):,} articles to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
