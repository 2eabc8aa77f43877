"""The model policy: any installed pipeline, a default, a codebook-only fallback."""

from __future__ import annotations

import pytest

from kit.pipeline import BLANK, ENV_MODEL, PipelineError, load_pipeline, pipeline_name

from conftest import statistical_model


def test_pipeline_blank_has_the_codebook_components(codebook):
    nlp = load_pipeline(BLANK, codebook=codebook)
    assert nlp.pipe_names == ["sentencizer", "kit_entities", "kit_topics", "kit_cues"]
    assert pipeline_name(nlp).startswith("codebook-only")


def test_pipeline_unknown_model_is_a_clear_error(codebook):
    with pytest.raises(PipelineError, match="'no_such_model'.*not installed.*model='blank'"):
        load_pipeline("no_such_model", codebook=codebook)


def test_pipeline_environment_variable_selects_the_model(monkeypatch, codebook):
    monkeypatch.setenv(ENV_MODEL, BLANK)
    assert pipeline_name(load_pipeline(codebook=codebook)).startswith("codebook-only")
    monkeypatch.setenv(ENV_MODEL, "no_such_model")
    with pytest.raises(PipelineError):
        load_pipeline(codebook=codebook)


def test_pipeline_default_falls_back_with_one_line_notice(monkeypatch, capsys, codebook):
    import kit.pipeline as pipeline

    monkeypatch.delenv(ENV_MODEL, raising=False)
    monkeypatch.setattr(pipeline, "DEFAULT_MODEL", "no_such_model")
    nlp = load_pipeline(codebook=codebook)
    err = capsys.readouterr().err.strip().splitlines()
    assert pipeline_name(nlp).startswith("codebook-only")
    assert len(err) == 1
    assert "'no_such_model' is not installed" in err[0] and "spacy download" in err[0]


def test_pipeline_codebook_entities_win_over_the_model(pipeline):
    doc = pipeline("Police Lieutenant General Jirabhop Bhuridej met Sun Weidong in Beijing.")
    ents = {(e.text, e.ent_id_) for e in doc.ents}
    assert ("Police Lieutenant General Jirabhop Bhuridej", "actor:jirabhop_bhuridej") in ents \
        or any(i.startswith("actor:") and "Jirabhop" in t for t, i in ents)
    assert any(t == "Sun Weidong" and i.startswith("actor:") for t, i in ents)
    assert any(t == "Beijing" and i == "city:CHN" for t, i in ents)


@pytest.mark.model
def test_pipeline_statistical_runs_ruler_before_ner(codebook):
    name = statistical_model()
    if name is None:
        pytest.skip("no statistical spaCy pipeline installed")
    nlp = load_pipeline(name, codebook=codebook)
    names = nlp.pipe_names
    assert names.index("kit_entities") < names.index("ner")
    assert "parser" not in names and "senter" in names
    assert pipeline_name(nlp).endswith("3.8.0")
