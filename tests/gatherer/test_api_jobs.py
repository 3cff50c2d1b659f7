"""Training through the API on the local mesh: status, models, predict-sync, concurrency."""

from __future__ import annotations

import concurrent.futures
import gzip
import json

from snakebatch.engine import Snake
from tests.gatherer.conftest import FAST, assert_error, wait_state

QUERY = "&".join(f"{k}={v}" for k, v in FAST.items())


def test_train_csv_end_to_end(client, titanic_csv, tmp_path):
    r = client.post(f"/v9/train?target=survived&noise=0.1&{QUERY}", content=titanic_csv)
    assert r.status_code == 202, r.text
    body = r.json()
    model_id = body["model_id"]
    assert body["status_url"] == f"/v9/status/{model_id}"
    assert body["model_url"] == f"/v9/model/{model_id}"
    status = wait_state(client, model_id)
    assert status["state"] == "done", status["error"]
    assert status["rows_covered_per_layer"] == [status["n_rows"]] * FAST["n_layers"]
    assert all(n >= 2 for n in status["leaves_per_layer"])
    assert status["progress"] == 1.0
    assert status["stripped_model_url"] == f"/v9/model/{model_id}/stripped"

    full = client.get(f"/v9/model/{model_id}")
    stripped = client.get(f"/v9/model/{model_id}/stripped")
    assert full.status_code == stripped.status_code == 200
    assert json.loads(stripped.content)["population"] == []
    assert len(json.loads(full.content)["population"]) == status["n_rows"]
    assert json.loads(full.content)["config"]["noise"] == 0.1
    path = tmp_path / "m.json"
    path.write_bytes(stripped.content)
    local = Snake(str(path))

    rows = [{"pclass": 1, "sex": "female", "age": 30}, {"pclass": 3, "sex": "male", "age": 40}]
    r = client.post(
        "/v9/predict-sync", json={"model_id": model_id, "rows": rows, "mode": "prediction"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"] == local.get_prediction(rows)
    r = client.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows})
    batch = r.json()["results"]
    assert [b["prediction"] for b in batch] == local.get_prediction(rows)
    for mode in ("probability", "lookalikes", "lookalikes_labeled", "audit", "augmented"):
        r = client.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows, "mode": mode})
        assert r.status_code == 200, (mode, r.text)
        assert r.json()["n"] == 2
    audit = client.post(
        "/v9/predict-sync", json={"model_id": model_id, "rows": rows[:1], "mode": "audit"}
    ).json()["results"][0]
    assert isinstance(audit, str) and len(audit) > 50
    empty = client.post("/v9/predict-sync", json={"model_id": model_id, "rows": []})
    assert empty.json()["results"] == []


def test_gzip_json_and_upload_sources(client, titanic_csv):
    r = client.post(f"/v9/train?target=survived&{QUERY}", content=gzip.compress(titanic_csv))
    assert r.status_code == 202, r.text
    lines = titanic_csv.decode().splitlines()
    header = lines[0].split(",")
    rows = [{"survived": int(line[0]), "pclass": int(line[2])} for line in lines[1:400]]
    assert header[0] == "survived"
    r2 = client.post(f"/v9/train?target=survived&{QUERY}", json={"rows": rows})
    assert r2.status_code == 202, r2.text
    up = client.post("/v9/upload", content=gzip.compress(titanic_csv))
    assert up.status_code == 201, up.text
    assert up.json()["format"] == "csv" and up.json()["bytes"] == len(titanic_csv)
    r3 = client.post(f"/v9/train?target=survived&upload_id={up.json()['upload_id']}&{QUERY}")
    assert r3.status_code == 202, r3.text
    bad = client.post(f"/v9/train?target=nope&upload_id={up.json()['upload_id']}")
    assert_error(bad, 422, "unknown target")
    for resp in (r, r2, r3):
        st = wait_state(client, resp.json()["model_id"])
        assert st["state"] == "done", st["error"]


def test_model_not_ready_is_409_and_concurrent_trains(client, titanic_csv):
    def submit(seed: int) -> str:
        q = QUERY.replace("seed=7", f"seed={seed}")
        r = client.post(f"/v9/train?target=survived&{q}", content=titanic_csv)
        assert r.status_code == 202, r.text
        return r.json()["model_id"]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(submit, range(4)))
    assert len(set(ids)) == 4
    early = client.get(f"/v9/model/{ids[0]}")
    if early.status_code != 200:
        assert_error(early, 409, "not ready")
    for model_id in ids:
        assert wait_state(client, model_id)["state"] == "done"
    models = [json.loads(client.get(f"/v9/model/{m}").content) for m in ids]
    assert all(len(m["layers"]) == FAST["n_layers"] for m in models)


def test_large_predict_batches_fan_out_over_the_mesh(tmp_path, titanic_csv):
    from starlette.testclient import TestClient

    from snakebatch.gatherer import Limits, create_app
    from tests.gatherer.conftest import make_config

    config = make_config(tmp_path, limits=Limits(fanout_rows=100))
    with TestClient(create_app(config, local_workers=2)) as c:
        r = c.post(f"/v9/train?target=survived&{QUERY}", content=titanic_csv)
        model_id = r.json()["model_id"]
        assert wait_state(c, model_id)["state"] == "done"
        rows = [
            {"pclass": 1 + i % 3, "sex": ("male", "female")[i % 2], "age": i % 70}
            for i in range(700)
        ]
        fanned = c.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows}).json()
        assert fanned["fanout"]["chunks"] >= 2
        inline = c.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows[:99]}).json()
        assert "fanout" not in inline
        assert fanned["results"][:99] == inline["results"]
        preds = c.post(
            "/v9/predict-sync", json={"model_id": model_id, "rows": rows, "mode": "prediction"}
        ).json()
        assert preds["results"] == [r["prediction"] for r in fanned["results"]]
        missing = c.post("/v9/predict-sync", json={"model_id": "f" * 32, "rows": rows})
        assert_error(missing, 404, "no such")


def test_server_faults_are_a_bare_500_without_traceback(client, config, titanic_csv):
    from snakebatch.mesh.assembly import model_key

    r = client.post(f"/v9/train?target=survived&{QUERY}", content=titanic_csv)
    model_id = r.json()["model_id"]
    assert wait_state(client, model_id)["state"] == "done"
    (config.home / "store" / model_key(model_id)).unlink()
    lost = client.get(f"/v9/model/{model_id}")
    err = assert_error(lost, 500)
    assert err == {
        "code": "internal",
        "message": "internal server error; the cause is in the server log",
    }
    assert model_id not in lost.text and "store" not in lost.text
