"""Packaging, the Binder environment and the set-up files agree with each other."""

from __future__ import annotations

import importlib.metadata as metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))
from constraints import pins  # noqa: E402

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ENV_PINS = {canonicalize_name(k): v for k, v in pins(REPO / "environment.yml").items()}
RUNTIME = {canonicalize_name(Requirement(r).name): Requirement(r)
           for r in PYPROJECT["project"]["dependencies"]}
TEST_ONLY_IN_ENV = {"pytest", "nbval", "hypothesis", "distributed", "dask"}


def test_packaging_environment_and_pyproject_list_the_same_runtime_packages():
    in_env = set(ENV_PINS) - TEST_ONLY_IN_ENV
    assert in_env == set(RUNTIME), (
        f"only in environment.yml: {sorted(in_env - set(RUNTIME))}; "
        f"only in pyproject.toml: {sorted(set(RUNTIME) - in_env)}"
    )


@pytest.mark.parametrize("name", sorted(ENV_PINS))
def test_packaging_environment_pins_satisfy_pyproject_and_are_what_tests_run(name):
    version = ENV_PINS[name]
    if name in RUNTIME:
        assert RUNTIME[name].specifier.contains(version, prereleases=True), (
            f"environment.yml pins {name}={version}, outside pyproject's {RUNTIME[name]}"
        )
    assert metadata.version(name) == version, (
        f"tests run {name} {metadata.version(name)} but environment.yml pins {version}; "
        "run `make test` to reinstall with the pins"
    )


def test_packaging_environment_uses_conda_forge_only_and_the_english_model():
    text = (REPO / "environment.yml").read_text(encoding="utf-8")
    channels = re.search(r"channels:\n((?:\s+-.*\n)+)", text).group(1)
    assert re.findall(r"-\s*(\S+)", channels) == ["conda-forge", "nodefaults"]
    assert re.search(r"^\s*-\s*spacy-model-en_core_web_sm=", text, re.M)
    assert re.search(r"^\s*-\s*python=3\.1[0-9]", text, re.M)


def test_packaging_postbuild_installs_the_kit():
    lines = (REPO / "postBuild").read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if line.strip() and not line.startswith("#")]
    assert commands[0] == "set -e"
    assert "pip install --no-deps -e ." in commands


def test_packaging_readme_badge_opens_the_first_notebook_in_lab():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"mybinder\.org/v2/\S+\?urlpath=lab/tree/notebooks/00_start_here\.ipynb",
                     readme)


def test_packaging_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```(?:sh|bash|console)?\n(make test)\n```", readme)
    assert command, "README.md shows the test command in a code block"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(command.group(1))}$", ci, re.M)


def test_packaging_console_script_is_installed():
    kit = Path(sys.executable).parent / "kit"
    result = subprocess.run([str(kit), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("kit ")


def test_packaging_wheel_ships_codebook_and_sample(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("kit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert {"kit/codebook/countries.yml", "kit/codebook/actors.yml",
            "kit/data/sample/000_046c6d8a20023494.txt"} <= names
    # Import from the unpacked wheel, away from the repository, as an installed package would.
    code = ("import kit.corpus, kit.codebook; c = kit.corpus.sample(); "
            "print(len(c.paragraphs), len(kit.codebook.load_codebook().actors) > 0, "
            "kit.corpus.__file__)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(tmp_path / "site"),
                                                         "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    paragraphs, has_actors, module = result.stdout.split()
    assert (paragraphs, has_actors) == ("9", "True")
    assert Path(module).is_relative_to(tmp_path / "site")
