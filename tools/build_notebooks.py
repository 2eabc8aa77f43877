"""Write the guided notebooks in notebooks/ and execute them in order, with outputs.

The notebooks are committed executed; this script is how they are made, so that every
notebook is run top to bottom in a fresh kernel (no hidden state) with the same settings.

    python tools/build_notebooks.py            # all notebooks
    python tools/build_notebooks.py 02_topics  # one
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CHECK = "# NBVAL_CHECK_OUTPUT\n"

PARAMETERS = '''# Parameters: change a value, then Run > Run All Cells.
CORPUS = "../seeds"      # an article file, a folder, or a CSV/JSONL/XLSX table
FOCUS = "THA"            # ISO 3166-1 alpha-3 code of the focus country
MODEL = None             # spaCy pipeline: None = en_core_web_sm if installed, else codebook-only
CODEBOOK = None          # your own codebook file(s), e.g. "my_codebook.yml"'''


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text: str, *, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def params(extra: str = "") -> nbformat.NotebookNode:
    return code(PARAMETERS + ("\n" + extra.strip() if extra else ""), tags=("parameters",))


ANNOTATE = "ann = kit.annotate(kit.load_corpus(CORPUS), codebook=CODEBOOK, model=MODEL, focus=FOCUS)"

NOTEBOOK_CELLS: dict[str, list[nbformat.NotebookNode]] = {
    "00_start_here": [
        md("""
# Start here: cooperation threads in the news

This kit reads news articles about security cooperation, finds the **bilateral cooperation
threads** each paragraph belongs to (Thailand–Japan, Thailand–China, …) and compares them: who
acts, on which topics, when, and on what evidence.

In this notebook you will:
- load the source article in `seeds/` and see how the kit splits it into paragraphs and stories;
- annotate it and read the article with its actors, places and topics highlighted;
- see which threads were found, and the sentence that put each paragraph in its thread;
- find out which spaCy pipeline is in use and how to get the statistical one;
- get a map of the other notebooks.
"""),
        code("import kit\nfrom kit import compare, views"),
        md("Every knob of the notebook is in the next cell (tagged `parameters`)."),
        params(),
        md("""
## The corpus

`load_corpus` reads article files (a `date YYYY-MM-DD` header, then paragraphs separated by blank
lines), folders of them, or CSV/JSONL/Excel tables. One row per article:
"""),
        code(CHECK + "corpus = kit.load_corpus(CORPUS)\ncorpus.articles[[\"article_id\", \"date\", \"n_paragraphs\", \"n_words\"]]"),
        md("""
Each paragraph is numbered from 0. A paragraph that opens "In a related story" starts a new
**story**: threads never carry over from one story to the next.
"""),
        code(CHECK + "corpus.paragraphs.groupby([\"article_id\", \"story\"])[\"paragraph\"].agg([\"min\", \"max\", \"count\"])"),
        md("""
## Annotate

`annotate` runs spaCy with the kit's codebook (actors, countries, topics, cooperation cues) and
returns tidy tables. Results are cached on disk, so rerunning this cell is instant.
"""),
        code(ANNOTATE + "\nprint(f\"Pipeline in use: {ann.pipeline}\")\nprint(f\"Tables: {', '.join(f'{name} ({len(t)} rows)' for name, t in ann.tables().items())}\")"),
        md("""
If the pipeline above says *codebook-only*, the kit found no statistical English model. Actors,
places, topics and threads still come from the codebook; a statistical model adds people and
organisations the codebook does not know. To install it, run in a terminal
`python -m spacy download en_core_web_sm` (or `conda install -c conda-forge
spacy-model-en_core_web_sm`), then restart the kernel. `MODEL = "blank"` forces the
codebook-only pipeline.

## The article, highlighted

Actors and places are shaded by type, topics underlined, and each paragraph carries the badge of
its thread. Hover a highlight to see what the codebook links it to.
"""),
        code("views.show_article(ann, ann.articles[\"article_id\"].iloc[0])"),
        md("## Threads and their evidence\n\nOne row per paragraph and thread, with the rule that fired and the evidence sentence:"),
        code(CHECK + "ann.assignments[[\"paragraph\", \"thread\", \"rule\", \"evidence\"]]"),
        code(CHECK + """summary = compare.summary(ann)
for row in summary.itertuples():
    print(f"{row.label}: {row.paragraphs} paragraphs in {row.articles} article(s)")"""),
        md("""
A paragraph with no partner of its own continues the thread before it (rule `continued`);
countries merely listed, or named as the nationality of suspects, start no thread.

## Where next
- `01_actors.ipynb`: who acts in each thread: actor tables, bar charts, the co-mention network.
- `02_topics.ipynb`: the topic taxonomy, topic profiles per thread, evidence for one topic.
- `03_compare_threads.ipynb`: two threads side by side: topics, actors, distinctive terms, timeline.
- `04_your_own_articles.ipynb`: add your own articles and codebook entries, rerun, see what changed.
- `05_dashboard.ipynb`: everything in one dashboard with filters (also served by Voilà).

Next: `01_actors.ipynb`.
"""),
    ],
    "01_actors": [
        md("""
# Who acts in each thread?

In this notebook you will:
- list the actors of every thread, with their country, role and how often they are mentioned;
- chart them, coloured by country;
- draw the network of actors mentioned together;
- filter the charts with widgets.
"""),
        code("import kit\nfrom kit import charts, compare, widgets"),
        params('WINDOW = "paragraph"     # co-mention window: "sentence", "paragraph" or "article"'),
        code(ANNOTATE + "\nprint(f\"{len(ann.threads)} threads found with {ann.pipeline}\")"),
        md("## The actor table\n\nOne row per thread and actor. `mentions` counts every mention, `paragraphs` the paragraphs that name the actor."),
        code(CHECK + "actors = compare.actor_table(ann)\nactors[[\"thread\", \"actor\", \"type\", \"country\", \"role\", \"mentions\", \"paragraphs\"]]"),
        code(CHECK + """for thread, group in actors.groupby("thread", sort=False):
    top = group.iloc[0]
    print(f"{ann.codebook.thread_label(thread)}: {len(group)} actors; most mentioned: "
          f"{top.actor} ({top.mentions} mentions)")"""),
        md("## Actors by thread\n\nBars are coloured by the actor's country. Hover a bar for the first sentence that names the actor."),
        code("charts.actor_bars(actors)"),
        md("## Who is mentioned together?\n\nTwo actors are linked when they share a window (set by `WINDOW`); thicker lines mean more shared windows."),
        code(CHECK + "edges = compare.co_mentions(ann, window=WINDOW)\nedges[[\"actor_a\", \"actor_b\", \"weight\"]]"),
        code("charts.network(edges, nodes=actors)"),
        md("""
## Filter with widgets

The dashboard below is built from the data: pick threads, an actor type or a country, or raise
the minimum number of mentions, and the charts update. Click a bar or a node to see the
sentences behind it.
"""),
        code("widgets.build_dashboard(ann, charts_shown=(\"actors\", \"network\"))"),
        md("Next: `02_topics.ipynb`, what the threads are about."),
    ],
    "02_topics": [
        md("""
# What are the threads about?

In this notebook you will:
- read the topic taxonomy (categories and topics) the kit matches;
- compare the topic profile of every thread, as bars, a heatmap and a sunburst;
- read the sentences behind one topic.
"""),
        code("import kit\nfrom kit import charts, compare, views"),
        params('TOPIC = "call_centre_scams"   # a topic id from the taxonomy table\nUNIT = "paragraph"             # count topics per "paragraph", "sentence" or "article"'),
        code(ANNOTATE),
        md("## The taxonomy\n\nTopics live in `kit/codebook/topics.yml` (add your own in a codebook file). Each has a category and the patterns that match it:"),
        code("taxonomy = ann.codebook.topics_table()\ntaxonomy[[\"category\", \"topic_id\", \"topic\"]]"),
        md("## Topic profile per thread\n\n`count` is the number of the thread's units that mention the topic, `units` the thread's units, `share` their ratio. The table lists every thread × topic pair; here are those found at least once."),
        code(CHECK + "profile = compare.topic_profile(ann, unit=UNIT)\nprofile.query(\"count > 0\")[[\"thread\", \"category\", \"topic\", \"count\", \"units\", \"share\"]]"),
        code(CHECK + """for thread, group in profile.groupby("thread", sort=False):
    top = group.sort_values(["share", "topic"], ascending=[False, True]).head(3)
    print(f"{ann.codebook.thread_label(thread)}: " + "; ".join(
        f"{r.topic} ({r.count} of {r.units})" for r in top.itertuples()))"""),
        code("charts.topic_bars(profile)"),
        code("charts.topic_heatmap(profile)"),
        code("charts.topic_sunburst(profile)"),
        md("## Evidence for one topic\n\nEvery number above traces back to sentences. Here are those behind `TOPIC`:"),
        code("views.show_evidence(compare.evidence(ann, topic=TOPIC))"),
        md("Next: `03_compare_threads.ipynb`, two threads side by side."),
    ],
    "03_compare_threads": [
        md("""
# Two threads side by side

In this notebook you will compare thread `A` with thread `B`:
- their size, dates and main topics;
- their topic profiles and actors;
- the words, entities and topics that set them apart (log-odds with an informative Dirichlet
  prior, with raw counts and a flag where the evidence is thin);
- their timelines;
- conclusions written from the tables, not by hand.
"""),
        code("import kit\nfrom kit import charts, compare"),
        params('A = "THA-JPN"            # first thread\nB = "THA-CHN"            # second thread\nFEATURE = "lemma"        # distinctive "lemma", "entity" or "topic"'),
        code(ANNOTATE + "\npair = compare.filter_annotations(ann, threads=[A, B])\n"
             "colors = charts.thread_colors(ann.threads)  # the same colour per thread in every notebook"),
        md("## Summary"),
        code(CHECK + "summary = compare.summary(pair)\nsummary"),
        md("## Topics"),
        code("profile = compare.topic_profile(pair)\ncharts.topic_bars(profile, colors=colors)"),
        md("## Actors"),
        code("actors = compare.actor_table(pair)\ncharts.actor_bars(actors, colors=colors)"),
        md("""
## Distinctive terms

A positive z-score leans towards `A`, a negative one towards `B`. With one article the counts are
small: `insufficient` marks terms whose evidence is too thin to read much into, so read the raw
counts beside each score.
"""),
        code(CHECK + "terms = compare.distinctive_terms(ann, A, B, feature=FEATURE)\nterms.head(15)"),
        code("charts.distinctive_bars(terms, colors=colors)"),
        md("## Timeline\n\nDated events per thread: the date range, its precision and the sentence it comes from."),
        code(CHECK + "events = compare.timeline(pair)\nevents"),
        code("charts.timeline(events, colors=colors)"),
        md("## What the tables say"),
        code(CHECK + """label = {t: ann.codebook.thread_label(t) for t in (A, B)}
rows = summary.set_index("thread")
for t in (A, B):
    print(f"{label[t]}: {rows.loc[t, 'paragraphs']} paragraphs, {rows.loc[t, 'actors']} actors, "
          f"top topics: {rows.loc[t, 'top_topics']}")
found = profile[profile["count"] > 0]
only_a = set(found.query("thread == @A")["topic"]) - set(found.query("thread == @B")["topic"])
only_b = set(found.query("thread == @B")["topic"]) - set(found.query("thread == @A")["topic"])
print(f"Topics only in {label[A]}: {', '.join(sorted(only_a)) or 'none'}")
print(f"Topics only in {label[B]}: {', '.join(sorted(only_b)) or 'none'}")
solid = terms[~terms["insufficient"]]
print(f"Distinctive {FEATURE}s with enough evidence: {len(solid)} of {len(terms)}")"""),
        md("Next: `04_your_own_articles.ipynb`, bring your own articles."),
    ],
    "04_your_own_articles": [
        md("""
# Your own articles and codebook

In this notebook you will:
- add a folder of articles to the seed (a small example set written for this kit ships in
  `kit/data/examples/`; point `MY_ARTICLES` at your own folder);
- extend the codebook with your own actors and topics (`MY_CODEBOOK`);
- rerun the analysis and see what changed.

Article files are plain UTF-8 text: a `date YYYY-MM-DD` line, optional `title …` and `source …`
lines, then paragraphs separated by blank lines. `kit fetch URL --out FOLDER` turns web pages and
feeds into such files; CSV, JSONL and Excel tables with `date` and `text` columns load too.
"""),
        code("import shutil\nimport tempfile\nfrom pathlib import Path\nimport kit\nfrom kit import charts, compare\nfrom kit.codebook_edit import add_topic"),
        params('MY_ARTICLES = "../kit/data/examples/articles"\nMY_CODEBOOK = "../kit/data/examples/codebook.yml"'),
        md("## Before: the seed alone"),
        code("before = kit.annotate(kit.load_corpus(CORPUS), codebook=CODEBOOK, model=MODEL, focus=FOCUS)\nprint(f\"Threads before: {', '.join(before.threads)}\")"),
        md("## Your codebook\n\nA codebook file has the same sections as the bundled one; entries with a new `id` are added, entries with a bundled `id` replace it. Loading validates it and names the file, entry and field of any problem:"),
        code(CHECK + "codebook = kit.load_codebook(MY_CODEBOOK)\nmine = codebook.topics_table()\nmine[mine[\"topic_id\"].isin([\"scam_compounds\", \"border_patrols\"])][[\"category\", \"topic_id\", \"topic\"]]"),
        md("## After: the seed plus your articles"),
        code("corpus = kit.load_corpus([CORPUS, MY_ARTICLES])\nafter = kit.annotate(corpus, codebook=codebook, model=MODEL, focus=FOCUS)\ncorpus.articles[[\"article_id\", \"date\", \"title\", \"n_paragraphs\"]]"),
        code(CHECK + """new = [t for t in after.threads if t not in before.threads]
print(f"Articles: {len(before.articles)} -> {len(after.articles)}")
print(f"Threads: {len(before.threads)} -> {len(after.threads)}; new: " +
      ", ".join(f"{t} ({after.codebook.thread_label(t)})" for t in new))"""),
        code(CHECK + "compare.summary(after)[[\"thread\", \"label\", \"articles\", \"paragraphs\", \"first_date\", \"last_date\"]]"),
        md("Topics from your codebook are matched like the bundled ones:"),
        code(CHECK + "hits = after.topics[after.topics[\"topic_id\"].isin([\"scam_compounds\", \"border_patrols\"])]\nhits[[\"article_id\", \"paragraph\", \"text\", \"topic\"]]"),
        code("charts.topic_heatmap(compare.topic_profile(after))"),
        md("""
A multilateral meeting of four or more countries is one `MULTI` thread listing its participants,
not a burst of bilateral threads:
"""),
        code(CHECK + "after.assignments.query(\"thread == 'MULTI'\")[[\"article_id\", \"paragraph\", \"participants\", \"rule\"]]"),
        md("""
## Adding a topic without editing YAML by hand

`add_topic` (and `add_actor`) write an entry to *your* codebook file, after validating it with
the rest of the codebook; the command line does the same with `kit codebook add-topic FILE …`.
Here the entry goes to a scratch copy of the example codebook, so the shipped file stays as it is.
The Mekong article speaks of precursor chemicals, which no topic covers yet:
"""),
        code(CHECK + """scratch = Path(tempfile.mkdtemp()) / "my_codebook.yml"
shutil.copyfile(MY_CODEBOOK, scratch)
extended = add_topic(scratch, id="precursor_chemicals", category="crime",
                     label="Precursor chemicals", patterns=["precursor chemicals?"])
print(f"Topics: {len(codebook.topics)} -> {len(extended.topics)}")"""),
        code(CHECK + """rerun = kit.annotate(corpus, codebook=extended, model=MODEL, focus=FOCUS)
rerun.topics.query("topic_id == 'precursor_chemicals'")[["article_id", "paragraph", "text", "topic"]]"""),
        md("Next: `05_dashboard.ipynb`, everything in one view."),
    ],
    "05_dashboard": [
        md("""
# Dashboard

Filters on top, charts below; click a bar or a network node to read the sentences
behind it. Serve this notebook without code with Voilà: `voila notebooks/05_dashboard.ipynb`.
"""),
        code("import kit\nfrom kit import widgets"),
        params('EXTRA = "../kit/data/examples/articles"   # more articles to add (None: the seed alone)'),
        code("sources = [CORPUS] + ([EXTRA] if EXTRA else [])\nann = kit.annotate(kit.load_corpus(sources), codebook=CODEBOOK, model=MODEL, focus=FOCUS)\ndashboard = widgets.build_dashboard(ann)\ndashboard"),
    ],
}


def build(name: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = NOTEBOOK_CELLS[name]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    env_model = os.environ.setdefault("KIT_SPACY_MODEL", "blank")
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}},
                            store_widget_state=False)
    client.execute()
    # Stable cell ids and no run timestamps: a rebuild changes only what really changed.
    for index, cell in enumerate(nb.cells):
        cell.id = f"{name[:2]}-{index:02d}"
        cell.metadata.pop("execution", None)
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, path)
    print(f"wrote {path.relative_to(REPO)} (KIT_SPACY_MODEL={env_model})")
    return path


def main(argv: list[str]) -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in argv or list(NOTEBOOK_CELLS):
        build(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
