"""The committed notebooks: executed in order, with outputs, glue only (STYLE.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXPECTED = ["00_start_here", "01_actors", "02_topics", "03_compare_threads",
            "04_your_own_articles", "05_dashboard"]


def code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_notebooks_are_the_numbered_set():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_committed_executed_in_order_without_errors(path):
    cells = code_cells(path)
    counts = [c["execution_count"] for c in cells]
    assert None not in counts, f"{path.name}: a code cell was never run"
    assert counts == list(range(1, len(cells) + 1)), f"{path.name}: run out of order: {counts}"
    assert any(c["outputs"] for c in cells), f"{path.name}: committed without outputs"
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{path.name}: error output {errors[0].get('ename')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_follow_the_house_shape(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), f"{path.name}: starts with a title"
    cells = code_cells(path)
    imports = "".join(cells[0]["source"])
    assert all(re.match(r"(import|from) ", line) for line in imports.splitlines()), (
        f"{path.name}: the first code cell holds imports only")
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: one cell tagged 'parameters'"
    for cell in cells:
        source = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class) ", source, re.M), f"{path.name}: glue only"
        assert "%pip" not in source and "!pip" not in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_outputs_hold_chart_json_not_plotlyjs(path):
    text = path.read_text(encoding="utf-8")
    assert "cdn.plot.ly" not in text and "window.PlotlyConfig" not in text
    assert path.stat().st_size < 1_500_000, f"{path.name}: outputs too large"
    assert not re.search(r"/(work|root|home|tmp)/", text), f"{path.name}: a machine path"
