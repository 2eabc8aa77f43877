"""Tests for kit.codebook: the bundled data, validation, merging and the compiled patterns."""

from __future__ import annotations

import hashlib
import importlib.util
import pickle
import re
import textwrap
from pathlib import Path

import pytest
import spacy

from kit.codebook import (
    Codebook,
    CodebookError,
    cue_patterns,
    entity_patterns,
    load_codebook,
    topic_patterns,
)

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "kit" / "codebook"

# The 5 non-members the kit needs besides the 193 UN member states.
EXTRAS = {"TWN", "HKG", "MAC", "PSE", "XKX"}


@pytest.fixture(autouse=True)
def _no_env_codebook(monkeypatch: pytest.MonkeyPatch) -> None:
    """A KIT_CODEBOOK in the developer's shell must not change what these tests load."""
    monkeypatch.delenv("KIT_CODEBOOK", raising=False)


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="module")
def nlp(cb: Codebook) -> spacy.language.Language:
    """The codebook compiled into the codebook-only pipeline of kit.pipeline."""
    from kit.pipeline import load_pipeline

    return load_pipeline("blank", codebook=cb)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- bundled data


def test_codebook_bundled_counts(cb: Codebook) -> None:
    ids = list(cb.countries)
    assert len(ids) >= 193 + len(EXTRAS)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Z]{3}", i) for i in ids)
    assert EXTRAS <= set(ids)
    assert cb.countries["XKX"].iso2 == "XK"
    assert len(cb.actors) >= 40 and len(cb.topics) >= 30 and len(cb.cues) >= 8
    assert {"crime", "cooperation", "technology", "economy", "diplomacy"} <= set(cb.categories)
    assert [s.rsplit("/", 1)[-1] for s in cb.sources] == [
        "countries.yml", "actors.yml", "topics.yml", "cues.yml", "regions.yml"]


def test_codebook_every_country_has_a_demonym(cb: Codebook) -> None:
    assert [c.id for c in cb.countries.values() if not c.demonyms] == []


@pytest.mark.parametrize("iso3, name", [
    ("CHN", "China"), ("KOR", "South Korea"), ("PRK", "North Korea"), ("LAO", "Laos"),
    ("VNM", "Vietnam"), ("RUS", "Russia"), ("IRN", "Iran"), ("SYR", "Syria"),
    ("MMR", "Myanmar"), ("USA", "United States"), ("GBR", "United Kingdom"),
    ("TWN", "Taiwan"), ("MAC", "Macau"), ("PSE", "Palestine"), ("XKX", "Kosovo"),
])
def test_codebook_common_country_names(cb: Codebook, iso3: str, name: str) -> None:
    assert cb.countries[iso3].name == name
    assert "," not in name


@pytest.mark.parametrize("iso3, field, value", [
    ("USA", "names", "U.S."), ("USA", "names", "America"), ("GBR", "names", "Britain"),
    ("CHN", "names", "PRC"), ("MMR", "names", "Burma"), ("KOR", "names", "Korea"),
    ("PRK", "names", "DPRK"), ("LAO", "names", "Lao PDR"), ("VNM", "names", "Viet Nam"),
    ("THA", "names", "Kingdom of Thailand"), ("KHM", "demonyms", "Khmer"),
    ("MMR", "demonyms", "Burmese"), ("LAO", "demonyms", "Laotian"), ("THA", "demonyms", "Thais"),
    ("PHL", "demonyms", "Filipino"), ("THA", "cities", "Mae Sot"), ("KHM", "cities", "Poipet"),
    ("MMR", "cities", "Myawaddy"), ("MMR", "cities", "Nay Pyi Taw"), ("JPN", "cities", "Osaka"),
    ("CHN", "cities", "Kunming"), ("USA", "cities", "Washington"),
])
def test_codebook_country_strings(cb: Codebook, iso3: str, field: str, value: str) -> None:
    assert value in getattr(cb.countries[iso3], field)


def test_codebook_bare_korea_is_south_korea_only(cb: Codebook) -> None:
    owners = [c.id for c in cb.countries.values()
              if "Korea" in (c.name, *c.names, *c.demonyms, *c.cities)]
    assert owners == ["KOR"]


@pytest.mark.parametrize("actor_id, name, type_, country, role", [
    ("jirabhop_bhuridej", "Jirabhop Bhuridej", "PERSON", "THA",
     "Commissioner, Central Investigation Bureau"),
    ("iwashita_tsuyoshi", "Iwashita Tsuyoshi", "PERSON", "JPN", "Chief, Osaka Prefectural Police"),
    ("tej_bunnag", "Tej Bunnag", "PERSON", "THA",
     "Secretary General, Thai Red Cross Society; former foreign minister"),
    ("sun_weidong", "Sun Weidong", "PERSON", "CHN", "Vice Foreign Minister"),
    ("central_investigation_bureau", "Central Investigation Bureau", "ORG", "THA", None),
    ("osaka_prefectural_police", "Osaka Prefectural Police", "ORG", "JPN", None),
    ("npa_japan", "National Police Agency", "ORG", "JPN", None),
    ("thai_red_cross_society", "Thai Red Cross Society", "ORG", "THA", None),
    ("osaka_expo_2025", "Osaka World Expo 2025", "EVENT", "JPN", None),
    ("interpol", "Interpol", "ORG", None, None),
    ("unodc", "United Nations Office on Drugs and Crime", "ORG", None, None),
])
def test_codebook_seed_actors(cb: Codebook, actor_id: str, name: str, type_: str,
                              country: str | None, role: str | None) -> None:
    actor = cb.actors[actor_id]
    assert (actor.name, actor.type, actor.country) == (name, type_, country)
    if role is not None:
        assert actor.role == role


@pytest.mark.parametrize("alias, actor_id", [
    ("CIB", "central_investigation_bureau"), ("Jirabhop", "jirabhop_bhuridej"),
    ("Pol Lt Gen Jirabhop Bhuridej", "jirabhop_bhuridej"), ("Lt Gen Jirabhop", "jirabhop_bhuridej"),
    ("NPA", "npa_japan"), ("Japan's National Police Agency", "npa_japan"),
    ("KNPA", "knpa"), ("Expo 2025", "osaka_expo_2025"), ("Osaka Expo", "osaka_expo_2025"),
    ("CCIB", "ccib"), ("DSI", "dsi"), ("ONCB", "oncb"), ("AMLO", "amlo"), ("FBI", "fbi"),
    ("ASEAN", "asean"), ("Lancang-Mekong Cooperation", "mekong_lancang_cooperation"),
    ("Chinese Foreign Ministry", "mfa_china"), ("JICA", "jica"),
])
def test_codebook_alias_lookup(cb: Codebook, alias: str, actor_id: str) -> None:
    owners = [a.id for a in cb.actors.values() if alias in (a.name, *a.aliases)]
    assert owners == [actor_id]


@pytest.mark.parametrize("ambiguous", ["Ministry of Foreign Affairs", "Foreign Ministry",
                                       "Ministry of Public Security", "MPS", "MOFA"])
def test_codebook_ambiguous_strings_belong_to_no_actor(cb: Codebook, ambiguous: str) -> None:
    assert [a.id for a in cb.actors.values() if ambiguous in (a.name, *a.aliases)] == []


def test_codebook_tables(cb: Codebook) -> None:
    actors = cb.actors_table()
    assert list(actors.columns[:6]) == ["id", "name", "type", "country", "role", "aliases"]
    assert len(actors) == len(cb.actors)
    row = actors.set_index("id").loc["jirabhop_bhuridej"]
    assert row["country"] == "THA" and "Jirabhop; " in row["aliases"]
    countries = cb.countries_table()
    assert len(countries) == len(cb.countries)
    assert countries.set_index("id").loc["KOR", "name"] == "South Korea"
    topics = cb.topics_table()
    assert list(topics.columns) == ["topic_id", "topic", "category_id", "category", "patterns"]
    assert topics.set_index("topic_id").loc["human_trafficking", "category"] == "Crime"


@pytest.mark.parametrize("thread, label", [
    ("THA-JPN", "Thailand\u2013Japan"), ("THA-CHN", "Thailand\u2013China"),
    ("KHM-KOR", "Cambodia\u2013South Korea"), ("MULTI", "Multilateral"),
])
def test_codebook_thread_label(cb: Codebook, thread: str, label: str) -> None:
    assert cb.thread_label(thread) == label


def test_codebook_thread_label_unknown_country(cb: Codebook) -> None:
    with pytest.raises(CodebookError, match="'XYZ'"):
        cb.thread_label("THA-XYZ")


def test_codebook_is_read_only_and_picklable(cb: Codebook) -> None:
    with pytest.raises(TypeError):
        cb.actors["x"] = cb.actors["fbi"]  # type: ignore[index]
    raw = next(p for cue in cb.cues.values() for p in cue.patterns if not isinstance(p, str))
    with pytest.raises(TypeError):
        raw[0]["LOWER"] = "x"
    copy = pickle.loads(pickle.dumps(cb))
    assert copy == cb and copy.fingerprint == cb.fingerprint
    assert copy.actors["sun_weidong"] == cb.actors["sun_weidong"]
    assert copy.regions == cb.regions and copy.regions["latin_america"].name == "Latin America"


def test_codebook_compiled_patterns_are_fresh_copies(cb: Codebook) -> None:
    patterns = cue_patterns(cb)
    token = next(p for p in patterns if "pattern" in p)
    token["pattern"][0]["LOWER"] = "changed"
    phrase = next(p for p in patterns if "phrase" in p)
    phrase["phrase"][0] = "changed"
    again = cue_patterns(cb)
    assert next(p for p in again if "pattern" in p)["pattern"][0]["LOWER"] != "changed"
    assert next(p for p in again if "phrase" in p)["phrase"][0] != "changed"


def test_codebook_finite_phrase_expands_to_token_sequences(cb: Codebook) -> None:
    phrases = {tuple(p["phrase"]) for p in topic_patterns(cb)
               if p["label"] == "call_centre_scams" and "phrase" in p}
    # 'scam (?:calls?|callers?)', with the optional hyphen or en dash between the words
    assert {("scam", "calls"), ("scam", "-", "caller"), ("scam", "–", "call")} <= phrases


def test_codebook_open_ended_word_stays_a_token_pattern(cb: Codebook) -> None:
    # '(?:strengthen|...)\\w*' has no finite language: it stays a regular expression.
    tokens = [p["pattern"] for p in topic_patterns(cb)
              if p["label"] == "ties_relations" and "pattern" in p]
    assert any("REGEX" in str(t[0]) and "\\w*" in str(t[0]) for t in tokens)


def test_codebook_countries_file_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("build_countries",
                                                  REPO / "tools" / "build_countries.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    assert module.main(["--check"]) == 0, "run: python tools/build_countries.py"


# --------------------------------------------------------------------------- user files


SUN_OVERRIDE = """\
actors:
- id: sun_weidong
  name: Sun Weidong
  type: PERSON
  country: CHN
  role: Ambassador
  aliases: [Mr Sun Weidong]
- id: thai_tourist_police
  name: Tourist Police Bureau
  type: ORG
  country: THA
  aliases: [Thai Tourist Police]
  valid_from: 2005-01-01
"""


def test_codebook_user_file_overrides_by_id(tmp_path: Path, cb: Codebook) -> None:
    before = digest(BUNDLED)
    path = write(tmp_path, "mine.yml", SUN_OVERRIDE)
    merged = load_codebook(path)
    assert merged.actors["sun_weidong"].role == "Ambassador"
    assert merged.actors["sun_weidong"].aliases == ("Mr Sun Weidong",)  # replaced, not merged
    assert merged.actors["thai_tourist_police"].valid_from.isoformat() == "2005-01-01"
    assert len(merged.actors) == len(cb.actors) + 1
    assert merged.sources[-1] == str(path)
    assert merged.fingerprint != cb.fingerprint
    assert cb.actors["sun_weidong"].role == "Vice Foreign Minister"  # the cached one is untouched
    assert digest(BUNDLED) == before


def test_codebook_env_variable_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(tmp_path, "a.yml", SUN_OVERRIDE)
    second = write(tmp_path, "b.yml", """\
        topics:
        - id: piracy
          category: crime
          label: Piracy
          patterns: ['pira(?:cy|tes?)']
        """)
    monkeypatch.setenv("KIT_CODEBOOK", f"{first}{__import__('os').pathsep}{second}")
    merged = load_codebook()
    assert merged.actors["sun_weidong"].role == "Ambassador"
    assert merged.topics["piracy"].category == "crime"
    assert merged.sources[-2:] == (str(first), str(second))


def test_codebook_later_file_wins(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yml", SUN_OVERRIDE)
    second = write(tmp_path, "b.yml", """\
        actors:
        - {id: sun_weidong, name: Sun Weidong, type: PERSON, country: CHN, role: Minister}
        """)
    assert load_codebook(first, second).actors["sun_weidong"].role == "Minister"


def test_codebook_fingerprint_depends_on_content_only(tmp_path: Path, cb: Codebook) -> None:
    same = write(tmp_path, "same.yml", """\
        categories:
        - {id: crime, label: Crime}
        """)
    assert load_codebook(same).fingerprint == cb.fingerprint


def test_codebook_without_bundled(tmp_path: Path) -> None:
    path = write(tmp_path, "small.yml", """\
        countries:
        - {id: THA, iso2: TH, name: Thailand, demonyms: [Thai]}
        actors:
        - {id: rtp, name: Royal Thai Police, type: ORG, country: THA}
        """)
    small = load_codebook(path, bundled=False)
    assert list(small.countries) == ["THA"] and list(small.actors) == ["rtp"]
    assert small.topics_table().empty and list(small.topics_table().columns)[0] == "topic_id"


# --------------------------------------------------------------------------- validation errors


@pytest.mark.parametrize("text, expected", [
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, country: THA, nmae: typo}
        """, ["actors entry 'x_agency'", "unknown field 'nmae'", "allowed fields: id, name"],
        id="unknown-field"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency}
        """, ["actors entry 'x_agency'", "missing required field 'type'"], id="missing-field"),
    pytest.param("""\
        countries:
        - {id: NRX, iso2: NO, name: Norwayland, demonyms: [Norwaylander]}
        """, ["countries entry 'NRX'", "field 'iso2'", "must be a string", "quote"],
        id="yaml-boolean"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, aliases: X}
        """, ["actors entry 'x_agency'", "field 'aliases'", "must be a list"], id="wrong-type"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: AGENCY}
        """, ["field 'type'", "PERSON, ORG, EVENT"], id="bad-type"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, country: Thailand}
        """, ["actors entry 'x_agency'", "field 'country'", "alpha-3"], id="country-not-iso3"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, country: XYZ}
        """, ["actors entry 'x_agency'", "field 'country'", "unknown country 'XYZ'"],
        id="unknown-country"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, valid_from: '2025-02-30'}
        """, ["actors entry 'x_agency'", "field 'valid_from'", "YYYY-MM-DD"], id="bad-date"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, valid_from: 2025-03-01,
           valid_to: 2024-01-01}
        """, ["actors entry 'x_agency'", "'valid_to'", "before"], id="dates-reversed"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG, valid_to: 2024-13-01}
        """, ["actors entry 'x_agency'", "field 'valid_to'", "'2024-13-01'"],
        id="bad-unquoted-date"),
    pytest.param("""\
        cues: visit
        """, ["section 'cues' must be a list"], id="section-not-list"),
    pytest.param("""\
        topics:
        - {id: piracy, category: sea_crime, label: Piracy, patterns: [piracy]}
        """, ["topics entry 'piracy'", "field 'category'", "unknown category 'sea_crime'"],
        id="unknown-category"),
    pytest.param("""\
        cues:
        - {id: visit, label: Visits, patterns: [visit]}
        - {id: visit, label: Visits again, patterns: [visits]}
        """, ["cues id 'visit'", "twice", "line 3"], id="duplicate-id"),
    pytest.param("""\
        topics:
        - {id: piracy, category: crime, label: Piracy, patterns: ['pira(cy']}
        """, ["topics entry 'piracy'", "field 'patterns'", "not a valid regular expression"],
        id="bad-regex"),
    pytest.param("""\
        topics:
        - {id: piracy, category: crime, label: Piracy,
           patterns: ['(?:sea|ship) (?:armed robbery|piracy)']}
        """, ["field 'patterns'", "cannot hold a space"], id="space-in-group"),
    pytest.param("""\
        topics:
        - {id: cyber, category: crime, label: Cyber, patterns: ['cyber-?crime']}
        """, ["topics entry 'cyber'", "hyphen"], id="hyphen-in-word"),
    pytest.param("""\
        topics:
        - {id: ai2, category: technology, label: AI, patterns: ['AI']}
        """, ["topics entry 'ai2'", "lower case"], id="upper-case-word"),
    pytest.param("""\
        cues:
        - {id: hosting2, label: Hosting, patterns: [[{LOWR: hosted}]]}
        """, ["cues entry 'hosting2'", "not a valid spaCy token pattern", "LOWR"],
        id="bad-token-pattern"),
    pytest.param("""\
        actors:
        - {id: npa_philippines, name: New People's Army, type: ORG, country: PHL, aliases: [NPA]}
        """, ["'NPA' is claimed by two entries", "actors entry 'npa_japan'",
              "actors entry 'npa_philippines'", "mine.yml"], id="alias-two-actors"),
    pytest.param("""\
        actors:
        - {id: thai_gov, name: Thai Government, type: ORG, country: THA, aliases: [Thailand]}
        """, ["'Thailand' is claimed by two entries", "countries entry 'THA'",
              "actors entry 'thai_gov'"], id="alias-is-country-name"),
    pytest.param("""\
        actors:
        - {id: x, name: X, type: ORG}
        people: []
        """, ["unknown section 'people'", "allowed sections"], id="unknown-section"),
    pytest.param("actors:\n- {id: x, name: X, type: ORG\n", ["not valid YAML", "line"],
                 id="invalid-yaml"),
    pytest.param("""\
        actors:
        - id: x_agency
          name: X Agency
          name: Y Agency
          type: ORG
        """, ["duplicate key 'name'"], id="duplicate-key"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG}
        - {id: y_agency, ? [name, alias] : Y Agency, type: ORG}
        """, ["line 3", "a list is used as a key"], id="list-as-key"),
    pytest.param("actors:\n- " + "[" * 500 + "]" * 500 + "\n", ["nested too deeply"],
                 id="deep-nesting"),
    pytest.param("""\
        actors:
        - {id: x_agency, name: X Agency, type: ORG}
        - {id: y_agency, name: "Y \\ud800 Agency", type: ORG}
        """, ["line 3", "\\ud800", "surrogate"], id="lone-surrogate"),
    pytest.param("""\
        topics:
        - {id: seizure, category: crime, label: Seizures,
           patterns: [[{LOWER: seized}, {OP: '{3,1}'}, {LOWER: drugs}]]}
        """, ["topics entry 'seizure'", "field 'patterns'", "E011", "'{3,1}'"],
        id="reversed-quantifier"),
    pytest.param("""\
        cues:
        - {id: hosting2, label: Hosting, patterns: [[{LOWER: hosted}, {_: {is_envoy: true}}]]}
        """, ["cues entry 'hosting2'", "E046", "is_envoy"], id="unregistered-extension"),
    pytest.param("""\
        topics:
        - {id: seizure, category: crime, label: Seizures,
           patterns: [[{LEMMA: seize}, {POS: NOUN}]]}
        """, ["topics entry 'seizure'", "token 0 matches on LEMMA", "lemmatizer",
              "codebook-only"], id="needs-a-model"),
])
def test_codebook_validation_errors(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, "mine.yml", text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    message = str(info.value)
    assert "mine.yml" in message
    for part in expected:
        assert part in message


def test_codebook_reports_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yml", """\
        actors:
        - {id: a_one, name: A One, type: ORG, country: XYZ}
        - {id: a_two, name: A Two}
        """)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert len(info.value.problems) == 2
    assert "2 problems" in str(info.value)


def test_codebook_loads_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", SUN_OVERRIDE)
    write(tmp_path, "b.yaml", """\
        cues:
        - {id: visit, label: Visits only, patterns: ['visit(?:s|ed)?']}
        """)
    merged = load_codebook(tmp_path)
    assert merged.actors["sun_weidong"].role == "Ambassador"
    assert merged.cues["visit"].label == "Visits only"
    assert merged.sources[-2:] == (str(tmp_path / "a.yml"), str(tmp_path / "b.yaml"))


def test_codebook_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="not found"):
        load_codebook(tmp_path / "nope.yml")


def test_codebook_loading_leaves_bundled_files_unchanged(tmp_path: Path) -> None:
    before = digest(BUNDLED)
    load_codebook()
    load_codebook(write(tmp_path, "mine.yml", SUN_OVERRIDE))
    with pytest.raises(CodebookError):
        load_codebook(write(tmp_path, "bad.yml", "actors: [{id: x}]\n"))
    assert digest(BUNDLED) == before


# --------------------------------------------------------------------------- compiled patterns


@pytest.mark.parametrize("sentence, expected, absent", [
    ("Police raided a call-center gang in Poipet.", {"call_centre_scams", "arrests"}, set()),
    ("Three scammers were arrested at the border.", {"fraud", "arrests"}, {"call_centre_scams"}),
    ("Victims lost money to telephone scams and call centres scams.", {"call_centre_scams"}, set()),
    ("Cyber-crime and cyber crimes are rising; cybercriminals adapt.", {"cybercrime"}, set()),
    ("A memorandum of understanding was signed.", {"agreements_mous"}, set()),
    ("The agencies signed two MoUs.", {"agreements_mous"}, set()),
    ("They signed an MoU.", {"agreements_mous"}, set()),
    ("Organized crime and organised crime syndicates thrive.", {"organised_crime"}, set()),
    ("The suspect was extradited to China.", {"extradition"}, set()),
    ("More than 200 workers were repatriated after the deportation order.",
     {"deportation_repatriation"}, set()),
    ("Mule accounts were used to launder the proceeds.", {"money_laundering"}, set()),
    ("Illegal online gambling dens were closed.", {"online_gambling"}, set()),
    ("Pig-butchering romance scams target lonely people.", {"romance_scams", "fraud"}, set()),
    ("Women were trafficked; people smuggling and human-trafficking networks grew.",
     {"human_trafficking"}, set()),
    ("Officers seized methamphetamine pills and other narcotics.", {"drug_trafficking"}, {"trade"}),
    ("The drug trade funds the militia.", {"drug_trafficking"}, {"trade"}),
    ("Police will exchange criminal records and share intelligence.",
     {"criminal_data_exchange", "intelligence_sharing"}, set()),
    ("Investigators are tracking down fugitives in a joint operation.",
     {"joint_investigations"}, set()),
    ("A police liaison officer was posted to the embassy.", {"liaison_officers"}, set()),
    ("Cambodian officers received training in digital forensics.",
     {"training", "digital_forensics"}, set()),
    ("The ministers made an official visit and a high level meeting followed.",
     {"high_level_visits"}, set()),
    ("Artificial intelligence and AI-powered cameras help police.",
     {"ai", "ai_cctv"}, set()),
    ("AI-equipped CCTV was installed.", {"ai", "ai_cctv", "surveillance"}, set()),
    ("New CCTV cameras and facial recognition were installed.", {"surveillance"}, set()),
    ("Residents can call the anti-scam hotline.", {"emergency_hotlines"}, set()),
    ("E-commerce and the digital economy grow.", {"digital_economy"}, set()),
    ("They pledged sustainable development and green energy.", {"sustainable_development"},
     set()),
    ("A high-speed rail line and new railways link the two capitals.", {"infrastructure"},
     set()),
    ("Bilateral trade rose while exports fell.", {"trade"}, set()),
    ("Foreign direct investment and investors returned.", {"investment"}, set()),
    ("Leaders vowed to strengthen bilateral ties.", {"ties_relations"}, set()),
    ("The 70th anniversary of diplomatic relations was celebrated.",
     {"anniversaries", "ties_relations"}, set()),
    ("The delegation toured the expo and a cultural festival.", {"expos_cultural"}, set()),
    ("He said the weather was fine.", set(), {"fraud", "ai", "arrests", "trade"}),
    ("The train left the station on time.", set(), {"infrastructure", "training"}),
    ("She said it was a fair trial.", set(), {"expos_cultural"}),
])
def test_codebook_topic_patterns_match(nlp: spacy.language.Language, sentence: str,
                                       expected: set[str], absent: set[str]) -> None:
    doc = nlp(sentence)
    found = {span.label_ for span in doc.spans["kit_topics"]}
    assert expected <= found, f"missing {expected - found} in {sentence!r}"
    assert not (absent & found), f"unexpected {absent & found} in {sentence!r}"
    if not expected:
        assert found == set()


@pytest.mark.parametrize("sentence, expected", [
    ("The minister visited Tokyo last week.", {"visit"}),
    ("The two sides held talks in Hanoi.", {"meeting", "joint"}),
    ("Co-operation between the agencies deepened.", {"cooperation"}),
    ("Both countries signed an agreement on border security.", {"agreement", "joint"}),
    ("Vientiane received a Thai police delegation on Monday.", {"hosting", "delegation"}),
    ("He met his Malaysian counterparts.", {"meeting", "delegation"}),
    ("Officials exchanged views and pledged assistance.", {"exchange", "support"}),
    ("They agreed to a memorandum of understanding.", {"agreement"}),
])
def test_codebook_cue_patterns_match(nlp: spacy.language.Language, sentence: str,
                                     expected: set[str]) -> None:
    doc = nlp(sentence)
    found = {span.label_ for span in doc.spans["kit_cues"]}
    assert expected <= found, f"missing {expected - found} in {sentence!r}"


@pytest.mark.parametrize("sentence", [
    "The suspects fled across the river at night.",
    "Police received complaints from victims.",
    "The court said the men were guilty.",
])
def test_codebook_cue_patterns_negative(nlp: spacy.language.Language, sentence: str) -> None:
    doc = nlp(sentence)
    assert [s.text for s in doc.spans["kit_cues"]] == []


@pytest.mark.parametrize("sentence, expected", [
    ("The FBI and Interpol met in Bangkok.",
     ["actor:fbi", "actor:interpol", "city:THA"]),
    ("Officials from the U.S. and the UK joined talks in Phnom Penh.",
     ["country:USA", "country:GBR", "city:KHM"]),
    ("Police in Poipet arrested 20 Chinese nationals and three Thais.",
     ["city:KHM", "demonym:CHN", "demonym:THA"]),
    ("North Korea, South Korea and Korea.", ["country:PRK", "country:KOR", "country:KOR"]),
    ("Japan's National Police Agency and Japan’s National Police Agency.",
     ["actor:npa_japan", "actor:npa_japan"]),
    ("South Korea's National Police Agency sent officers.", ["actor:knpa"]),
    ("The Lao PDR delegation flew to Vientiane from Myawaddy.",
     ["country:LAO", "city:LAO", "city:MMR"]),
    ("Myanmar and Singapore joined ASEAN talks.",
     ["country:MMR", "country:SGP", "actor:asean"]),
    ("Pol Lt Gen Jirabhop Bhuridej of the CIB met the NPA.",
     ["actor:jirabhop_bhuridej", "actor:central_investigation_bureau", "actor:npa_japan"]),
    ("Expo 2025 opened in Osaka.", ["actor:osaka_expo_2025", "city:JPN"]),
    ("Cambodians and Vietnamese workers crossed into Laos.",
     ["demonym:KHM", "demonym:VNM", "country:LAO"]),
    ("Let us thank them; the china was broken.", []),
    ("The Ministry of Foreign Affairs said nothing.", []),
    # A country's name inside a region's is no mention of the country; alone it still is.
    ("Latin America, South America and North America met America.",
     ["region:latin_america", "region:south_america", "region:north_america", "country:USA"]),
    ("Central American and Latin Americans joined Americans in the Americas.",
     ["region:central_america", "region:latin_america", "demonym:USA", "region:americas"]),
    ("Ships from China patrol the South China Sea near the Indian Ocean, not India.",
     ["country:CHN", "region:south_china_sea", "region:indian_ocean", "country:IND"]),
    ("Boats left the Gulf of Thailand for the Korean Peninsula and New Guinea.",
     ["region:gulf_of_thailand", "region:korean_peninsula", "region:new_guinea"]),
])
def test_codebook_entity_patterns_match(nlp: spacy.language.Language, sentence: str,
                                        expected: list[str]) -> None:
    assert [ent.ent_id_ for ent in nlp(sentence).ents] == expected


def test_codebook_regions_are_places_of_no_country(cb: Codebook) -> None:
    table = cb.regions_table()
    assert list(table.columns) == ["id", "name", "names", "demonyms"]
    assert len(table) == len(cb.regions) >= 20
    labels = {p["pattern"]: (p["label"], p["id"]) for p in entity_patterns(cb)}
    assert labels["Southeast Asia"] == ("LOC", "region:southeast_asia")
    assert labels["South-East Asia"] == ("LOC", "region:southeast_asia")
    assert labels["Latin American"] == ("NORP", "region:latin_america")
    assert labels["America"] == ("GPE", "country:USA")


def test_codebook_user_region_extends_and_collides(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yml", """\
        regions:
        - {id: mekong_delta, name: Mekong Delta, names: [Mekong delta]}
        """)
    assert load_codebook(path).regions["mekong_delta"].names == ("Mekong delta",)
    bad = write(tmp_path, "bad.yml", """\
        regions:
        - {id: indochina, name: Indochina, names: [Vietnam]}
        """)
    with pytest.raises(CodebookError, match=r"'Vietnam' is claimed by two entries.*regions "
                                            r"entry 'indochina'"):
        load_codebook(bad)


def test_codebook_entity_labels(nlp: spacy.language.Language) -> None:
    doc = nlp("Sun Weidong visited Thailand and met Thai officials at Expo 2025 in Osaka.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Sun Weidong", "PERSON"), ("Thailand", "GPE"), ("Thai", "NORP"),
        ("Expo 2025", "EVENT"), ("Osaka", "GPE")]


def test_codebook_surrogate_pair_escapes_make_one_character(tmp_path: Path) -> None:
    # YAML writes characters beyond the BMP as two \u escapes, as JSON does.
    path = write(tmp_path, "mine.yml", """\
        actors:
        - {id: x_agency, name: "X \\ud83c\\uddf9\\ud83c\\udded Agency", type: ORG}
        """)
    assert load_codebook(path).actors["x_agency"].name == "X \U0001F1F9\U0001F1ED Agency"


def test_codebook_token_patterns_spacy_accepts_still_load(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yml", """\
        topics:
        - {id: seizure, category: crime, label: Seizures,
           patterns: [[{LOWER: seized}, {OP: '{,3}'}, {LOWER: {IN: [drugs, phones]}}],
                      [{ENT_TYPE: GPE}, {LOWER: police}, {IS_SENT_START: false}]]}
        """)
    assert len(load_codebook(path).topics["seizure"].patterns) == 2
