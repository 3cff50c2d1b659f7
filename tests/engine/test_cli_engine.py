"""``snakebatch predict`` and ``snakebatch info`` through the real Typer app."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from snakebatch.cli import app
from snakebatch.engine import Snake

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reference"
TITANIC = FIXTURES / "titanic-balanced.model.json"
STRIPPED = FIXTURES / "iris-balanced.stripped.json"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def first_expected() -> dict:
    line = (FIXTURES / "titanic-balanced.expected.jsonl").read_text().splitlines()[0]
    return json.loads(line)


def test_predict_query_prints_prediction_and_confidence() -> None:
    record = first_expected()
    result = run("predict", TITANIC, "--query", json.dumps(record["query"]))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(record["prediction"]), "100.0%"]


def test_predict_json_matches_reference_answer() -> None:
    record = first_expected()
    result = run("predict", TITANIC, "--query", json.dumps(record["query"]), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["probability"] == record["probability"]
    assert out["lookalikes"] == record["lookalikes"]
    assert out["prediction"] == record["prediction"]


def test_predict_with_audit() -> None:
    result = run("predict", TITANIC, "--query", '{"sex": "female"}', "--audit")
    assert result.exit_code == 0, result.output
    assert "=== Snake audit ===" in result.stdout


def test_predict_rows_from_csv_and_jsonl(tmp_path: Path) -> None:
    records = [
        json.loads(x)
        for x in (FIXTURES / "titanic-balanced.expected.jsonl").read_text().splitlines()[:5]
    ]
    queries = [r["query"] for r in records]
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("\n".join(json.dumps(q) for q in queries) + "\n\n")
    result = run("predict", TITANIC, "--rows", jsonl, "--json")
    assert result.exit_code == 0, result.output
    outs = json.loads(result.stdout)["rows"]
    assert [o["probability"] for o in outs] == [r["probability"] for r in records]

    header = list(Snake(str(TITANIC)).header[1:])
    csv_file = tmp_path / "rows.csv"
    lines = [",".join(header)]
    for q in queries:
        lines.append(
            ",".join(json.dumps(q[h]) if isinstance(q[h], str) else str(q[h]) for h in header)
        )
    csv_file.write_text("\n".join(lines) + "\n")
    result = run("predict", TITANIC, "--rows", csv_file)
    assert result.exit_code == 0, result.output
    got = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert got == [str(r["prediction"]) for r in records]


def test_info_reports_shape() -> None:
    result = run("info", TITANIC, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["target"] == "survived" and info["population"] == 836
    assert info["layers"] == 3 and info["buckets_per_layer"] == [6, 6, 5]
    assert info["classes"] == [0, 1] and info["literal_types"]["T"] > 0
    assert info["file_bytes"] == TITANIC.stat().st_size
    text = run("info", STRIPPED)
    assert text.exit_code == 0 and "(stripped)" in text.stdout and "setosa" in text.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["predict", "missing.json", "--query", "{}"], 4, "model file not found"),
        (["predict", TITANIC, "--query", '{"age": '], 2, "--query is not valid JSON"),
        (["predict", TITANIC, "--query", "[1, 2]"], 2, "--query must be a JSON object"),
        (["predict", TITANIC], 2, "exactly one of --query or --rows"),
        (["predict", TITANIC, "--query", "{}", "--rows", "x.csv"], 2, "exactly one of"),
        (["predict", TITANIC, "--rows", "absent.csv"], 4, "rows file not found"),
        (["predict", STRIPPED, "--query", "{}", "--audit"], 2, "stripped"),
        (["info", "missing.json"], 4, "model file not found"),
    ],
)
def test_user_errors_exit_with_their_code_and_a_message(args: list, code: int, message: str):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_files_exit_1_for_a_model_2_for_rows(tmp_path: Path) -> None:
    bad_model = tmp_path / "bad.json"
    bad_model.write_text("{nope")
    result = run("info", bad_model)
    assert result.exit_code == 1 and "invalid JSON" in result.stderr
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"a": 1}\n[1]\n')
    result = run("predict", TITANIC, "--rows", rows)
    assert result.exit_code == 2 and "rows.jsonl:2" in result.stderr
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffsex,age\nfemale,30\n".encode())
    result = run("predict", TITANIC, "--rows", bom, "--json")
    assert result.exit_code == 0, result.output
    expected = Snake(str(TITANIC)).get_probability({"sex": "female", "age": 30.0})
    answer = json.loads(result.stdout)["rows"][0]
    assert answer["probability"] == [[k, p] for k, p in expected.items()]
    other = tmp_path / "rows.txt"
    other.write_text("x")
    result = run("predict", TITANIC, "--rows", other)
    assert result.exit_code == 2 and ".csv, .csv.gz or .jsonl" in result.stderr


def test_predict_warns_about_unknown_keys_and_strict_refuses() -> None:
    result = run("predict", TITANIC, "--query", '{"sexx": "female"}')
    assert result.exit_code == 0
    assert "keys the model does not know: sexx" in result.stderr
    assert "the query shares no feature" in result.stderr
    assert result.stdout.count("\n") == 2  # the answer itself is unchanged
    strict = run("predict", TITANIC, "--query", '{"sexx": "female"}', "--strict")
    assert strict.exit_code == 2 and "(--strict)" in strict.stderr and strict.stdout == ""
    clean = run("predict", TITANIC, "--query", '{"sex": "female", "survived": 1}', "--strict")
    assert clean.exit_code == 0 and clean.stderr == ""


def test_predict_rows_from_csv_gz_and_stdin(tmp_path: Path) -> None:
    text = "sex,age\nfemale,30\nmale,40\n"
    gz = tmp_path / "rows.csv.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    plain = run("predict", TITANIC, "--rows", gz)
    assert plain.exit_code == 0, plain.output
    assert len(plain.stdout.splitlines()) == 2
    piped = runner.invoke(app, ["predict", str(TITANIC), "--rows", "-"], input=text)
    assert piped.exit_code == 0 and piped.stdout == plain.stdout
    jsonl = '{"sex": "female", "age": 30}\n{"sex": "male", "age": 40}\n'
    piped = runner.invoke(app, ["predict", str(TITANIC), "--rows", "-"], input=jsonl)
    assert piped.exit_code == 0 and piped.stdout == plain.stdout
    iris = "sepal_length,petal_width\n5.1,0.2\n"
    wrong = runner.invoke(app, ["predict", str(TITANIC), "--rows", "-", "--strict"], input=iris)
    assert wrong.exit_code == 2 and "shares no feature with the model" in wrong.stderr


def test_info_shows_how_the_model_was_trained() -> None:
    result = run("info", TITANIC, "--json")
    doc = json.loads(result.stdout)
    assert doc["training"]["bucket"] == Snake(str(TITANIC)).config["bucket"]
    assert "home" in doc["state"] and doc["state"]["bytes"] >= 0
    text = run("info", TITANIC)
    assert "training:    n_layers" in text.stdout and "local state:" in text.stderr


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("snakebatch ")
