"""``snakebatch fit``: trains, writes a loadable model, reports bad input as exit 2."""

from __future__ import annotations

from typer.testing import CliRunner

from snakebatch.cli import app
from snakebatch.engine.modelio import load_model

CSV = "label,color,size\n" + "".join(
    f"{'AB'[i % 2]},{['red', 'blue', 'green'][i % 3]},{i * 1.5}\n" for i in range(60)
)


def test_fit_writes_a_model_and_a_summary(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    out = tmp_path / "m.json"
    result = CliRunner().invoke(
        app,
        ["fit", str(data), "--target", "label", "-o", str(out), "--layers", "2",
         "--bucket", "10", "--seed", "3", "--exclude", "color", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "population 60, layers 2" in result.output
    model = load_model(out)
    assert model.header == ["label", "size"] and len(model.layers) == 2
    assert model.config["n_layers"] == 2 and model.config["bucket"] == 10


def test_fit_target_by_position_and_same_seed_same_file(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        args = ["fit", str(data), "--target", "2", "-o", str(out), "--layers", "1", "--seed", "9"]
        assert CliRunner().invoke(app, args).exit_code == 0
    assert load_model(a).header[0] == "size"
    assert load_model(a).layers == load_model(b).layers


def test_fit_bad_input_exits_2_with_a_message(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(CSV)
    runner = CliRunner()
    cases = [
        ["fit", str(tmp_path / "missing.csv")],
        ["fit", str(data), "--target", "nope"],
        ["fit", str(data), "--layers", "0"],
    ]
    empty = tmp_path / "e.csv"
    empty.write_text("")
    cases.append(["fit", str(empty)])
    for args in cases:
        result = runner.invoke(app, [*args, "-o", str(tmp_path / "x.json")])
        assert result.exit_code == 2, (args, result.output)
        assert "error:" in result.output
