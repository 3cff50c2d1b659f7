"""``fit`` and ``train`` as a user calls them: one grammar, one report, the same exit
codes, both models written, provenance recorded, seeded runs byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from snakebatch.cli import app
from snakebatch.engine.modelio import load_model

ROOT = Path(__file__).resolve().parents[2]
TITANIC = ROOT / "data" / "titanic.csv"
CSV = "label,color,size\n" + "".join(
    f"{'AB'[i % 2]},{['red', 'blue', 'green'][i % 3]},{i * 1.5}\n" for i in range(60)
)
COMMANDS = ("fit", "train")


def run(command: str, *args: object, home: Path):
    extra = ["--home", str(home)] if command == "train" else []
    return CliRunner().invoke(app, [command, *map(str, args), *extra, "--workers", "1"])


@pytest.mark.parametrize("command", COMMANDS)
def test_trains_writes_both_models_and_reports_json(command, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    out = tmp_path / "new" / "dir" / "m.json"  # a missing directory is created first
    args = [data, "-t", "label", "-o", out, "-L", "2", "-b", "10", "-s", "3", "--noise", "1"]
    result = run(command, *args, "--json", home=tmp_path / "h")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # stdout is one JSON document, nothing else
    assert doc["seed"] == 3 and doc["parameters"]["n_layers"] == 2
    assert doc["paths"] == {"model": str(out), "stripped": str(out.with_name("m_stripped.json"))}
    assert doc["timings"]["wall_s"] > 0 and ("job_id" in doc)
    model = load_model(out)
    assert model.header == ["label", "color", "size"] and len(model.layers) == 2
    assert model.config["seed"] == 3 and model.config["noise"] == 1
    assert model.config["bucket"] == 10
    assert load_model(out.with_name("m_stripped.json")).stripped


@pytest.mark.parametrize("command", COMMANDS)
def test_excluded_columns_are_left_out(command, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    out = tmp_path / "m.json"
    args = [data, "-t", "label", "-o", out, "-L", "1", "-x", "color", "--json"]
    result = run(command, *args, home=tmp_path / "h")
    assert result.exit_code == 0, result.output
    assert load_model(out).header == ["label", "size"]
    assert json.loads(result.stdout)["parameters"]["exclude"] == ["color"]


def test_train_json_carries_the_job_id_and_the_mesh_figures(tmp_path):
    out = tmp_path / "m.json"
    args = [TITANIC, "-t", "survived", "-o", out, "-L", "1", "--tau", "400", "--json"]
    result = run("train", *args, home=tmp_path / "h")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["job_id"]) == 32 and doc["parameters"]["tau"] == 400
    assert doc["invocations"] > 0 and "staging_s" in doc["timings"]
    config = load_model(out).config
    assert (config["tau"], config["seed"]) == (400, 0) and "completion" not in config


def test_train_runs_locally_in_the_home_from_the_environment(tmp_path, monkeypatch):
    """``train`` opens its backend like every entry point (from the settings), but
    always the local mesh: a shell set up for the AWS backend still trains here."""
    monkeypatch.setenv("SNAKEBATCH_BACKEND", "aws")
    monkeypatch.setenv("SNAKEBATCH_HOME", str(tmp_path / "envhome"))
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    args = ["train", str(data), "-t", "label", "-o", str(tmp_path / "m.json"), "-L", "1"]
    result = CliRunner().invoke(app, [*args, "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["home"] == str(tmp_path / "envhome")
    assert (tmp_path / "envhome" / "jobs.sqlite").is_file()


@pytest.mark.parametrize("command", COMMANDS)
def test_the_same_seed_gives_byte_identical_files(command, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        args = [data, "-t", "2", "-o", out, "-L", "2", "-b", "10", "--seed", "3", "-q"]
        result = run(command, *args, home=tmp_path / "h")
        assert result.exit_code == 0, result.output
    assert load_model(a).header[0] == "size"
    assert a.read_bytes() == b.read_bytes()
    assert "seed 3" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("content", "target", "code", "message"),
    [
        ("a,b\n1,2,3\n", "a", 1, "has 3 fields"),
        ("a,b\n1,x\n1,y\n", "a", 1, "single class"),
        ("a,b\n1,x\n0,y\n", "zzz", 2, "zzz"),
        ("", "a", 1, "empty"),
    ],
)
def test_bad_data_exits_with_the_same_code_in_both(
    command, content, target, code, message, tmp_path
):
    data = tmp_path / "bad.csv"
    data.write_text(content)
    out = tmp_path / "m.json"
    result = run(command, data, "-t", target, "-o", out, home=tmp_path / "h")
    assert result.exit_code == code, result.output
    assert "error:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_and_not_found(command, tmp_path):
    missing = run(command, tmp_path / "none.csv", "-t", "a", home=tmp_path / "h")
    assert missing.exit_code == 4 and "no such file" in missing.stderr
    no_target = run(command, TITANIC, home=tmp_path / "h")
    assert no_target.exit_code == 2 and "--target" in no_target.stderr
    noise = run(command, TITANIC, "-t", "survived", "--noise", "1.5", home=tmp_path / "h")
    assert noise.exit_code == 2 and "noise must be a number in [0, 1]" in noise.stderr
    is_dir = run(command, TITANIC, "-t", "survived", "-o", tmp_path, home=tmp_path / "h")
    assert is_dir.exit_code == 2 and "is a directory" in is_dir.stderr


def test_train_timeout_says_what_happened_to_the_job(tmp_path):
    home = tmp_path / "h"
    args = [ROOT / "data" / "adult.csv.gz", "-t", "income", "-o", tmp_path / "m.json"]
    result = run("train", *args, "--timeout", "0.5", home=home)
    assert result.exit_code == 1, result.output
    assert "timed out after 0.5 s: job " in result.stderr
    assert "marked failed" in result.stderr and "no model written" in result.stderr
    job_id = result.stderr.split("job ")[1].split()[0]
    shown = CliRunner().invoke(app, ["jobs", "show", job_id, "--home", str(home), "--json"])
    assert json.loads(shown.stdout)["state"] == "failed"
    assert not (tmp_path / "m.json").exists()
