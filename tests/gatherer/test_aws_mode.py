"""The gatherer in aws mode: S3/SQS/DynamoDB on a moto server, Lambda on a loopback
endpoint running the real handler (the aws engineer's fixtures), all over HTTP."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from snakebatch.gatherer import GathererConfig, create_app
from tests.aws.test_end_to_end import make_cloud
from tests.gatherer.conftest import DATA, wait_state

pytestmark = [pytest.mark.aws, pytest.mark.slow]


def test_train_status_model_and_grid_on_aws(moto_url, tmp_path):
    with make_cloud(moto_url, tmp_path) as cloud:
        base = GathererConfig.from_env()
        config = replace(
            base,
            settings=replace(base.settings, backend="aws", home=tmp_path / "gatherer"),
        )
        with TestClient(create_app(config)) as c:
            assert c.get("/v9/health").json()["backend"] == "aws"
            r = c.post(
                "/v9/train",
                params={"target": "survived", "n_layers": 2, "tau": 250, "bucket": 80, "seed": 4},
                content=(DATA / "titanic.csv").read_bytes(),
            )
            assert r.status_code == 202, r.text
            model_id = r.json()["model_id"]
            status = wait_state(c, model_id, timeout_s=120)
            assert status["state"] == "done", status["error"]
            stripped = c.get(f"/v9/model/{model_id}/stripped")
            assert stripped.status_code == 200 and stripped.json()["population"] == []
            grid = c.get("/grid/v9/state.json").json()
            assert len(grid["shards"]) == cloud.resources.shard_count
            assert grid["totals"]["done"] > 0
            rows = [{"sex": "female", "pclass": 1}]
            p = c.post("/v9/predict-sync", json={"model_id": model_id, "rows": rows})
            assert p.status_code == 200 and p.json()["n"] == 1
        assert cloud.endpoint.wait_idle(60)
