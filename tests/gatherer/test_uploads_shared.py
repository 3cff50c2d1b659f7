"""Uploads shared by every gatherer instance through the object store (no sticky sessions).

Two apps with separate homes are two instances behind one load balancer. Locally they
share one store directory (as instances would share a network file system mounted at
``{home}/store``); on aws they share the bucket, queue and table of the session's moto
server. An upload on A must train on B, and a missing, half-written or unstorable
upload must be a precise JSON error with nothing left claiming to exist.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import anyio
import boto3
import pytest
from starlette.testclient import TestClient

from snakebatch.backends.local_store import DirectoryStore
from snakebatch.gatherer import GathererConfig, create_app
from snakebatch.gatherer.uploads import UploadStore, data_key, meta_key
from tests.aws.conftest import CREDENTIALS, REGION
from tests.aws.resources import provision
from tests.aws.test_end_to_end import make_cloud
from tests.gatherer.conftest import FAST, assert_error, make_config, wait_state

QUERY = {"target": "survived", **FAST}


@contextlib.contextmanager
def instance(config: GathererConfig, local_workers: int = 2) -> Iterator[TestClient]:
    with TestClient(create_app(config, local_workers=local_workers)) as c:
        yield c


def local_instance_config(home: Path, shared_store: Path) -> GathererConfig:
    """A local gatherer whose object store is the shared directory."""
    home.mkdir(parents=True)
    (home / "store").symlink_to(shared_store, target_is_directory=True)
    return make_config(home)


def upload(client: TestClient, body: bytes) -> str:
    r = client.post("/v9/upload", content=body)
    assert r.status_code == 201, r.text
    return r.json()["upload_id"]


def train(client: TestClient, *, upload_id: str | None = None, body: bytes = b"") -> str:
    params = {**QUERY, "upload_id": upload_id} if upload_id else QUERY
    r = client.post("/v9/train", params=params, content=body)
    assert r.status_code == 202, r.text
    return r.json()["model_id"]


def finished_model(client: TestClient, model_id: str) -> dict:
    status = wait_state(client, model_id)
    assert status["state"] == "done", status["error"]
    r = client.get(f"/v9/model/{model_id}")
    assert r.status_code == 200, r.text
    return json.loads(r.content)


def uploads_on(home: Path) -> list[str]:
    folder = home / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    store = tmp_path / "shared-store"
    store.mkdir()
    return store


def test_upload_on_a_trains_on_b_to_the_same_model(tmp_path, shared, titanic_csv):
    config_a = local_instance_config(tmp_path / "a", shared)
    config_b = local_instance_config(tmp_path / "b", shared)
    with instance(config_a) as a, instance(config_b) as b:
        upload_id = upload(a, titanic_csv)
        assert (shared / data_key(upload_id, "csv")).read_bytes() == titanic_csv
        assert uploads_on(tmp_path / "b") == []
        direct = train(a, body=titanic_csv)
        via_b = train(b, upload_id=upload_id)
        model_direct = finished_model(a, direct)
        model_b = finished_model(b, via_b)
        assert model_b == model_direct, "B trained something else than A did on the same data"
        assert uploads_on(tmp_path / "b") == [upload_id], "B keeps its fetched copy"
        again = train(b, upload_id=upload_id)
        assert finished_model(b, again) == model_direct


def test_concurrent_first_fetches_on_one_instance_agree(tmp_path, shared, titanic_csv):
    """Several trains of a new upload at once on B: each fetch lands whole, none clash."""

    async def body():
        yield titanic_csv

    a = UploadStore(tmp_path / "a", 1 << 20, DirectoryStore(shared))
    up = anyio.run(a.receive, body())
    b = UploadStore(tmp_path / "b", 1 << 20, DirectoryStore(shared))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: b.get(up.upload_id), range(8)))
    assert {meta for meta, _ in results} == {up}
    path = results[0][1]
    assert all(p == path for _, p in results)
    assert path.read_bytes() == titanic_csv
    assert sorted(q.name for q in path.parent.iterdir()) == ["data.csv", "meta.json"]


def test_unknown_half_written_and_garbled_uploads_are_404(tmp_path, shared, titanic_csv):
    config_a = local_instance_config(tmp_path / "a", shared)
    config_b = local_instance_config(tmp_path / "b", shared)
    with instance(config_a, local_workers=0) as a, instance(config_b, local_workers=0) as b:
        unknown = "up_" + "0" * 24
        assert_error(
            b.post("/v9/train", params={**QUERY, "upload_id": unknown}),
            404,
            f"no such upload: {unknown}",
        )
        assert_error(
            b.post("/v9/train", params={**QUERY, "upload_id": "../etc"}), 400, "upload_id must be"
        )

        upload_id = upload(a, titanic_csv)
        (shared / data_key(upload_id, "csv")).unlink()
        r = b.post("/v9/train", params={**QUERY, "upload_id": upload_id})
        assert_error(r, 404, "incomplete: its data is missing")
        assert uploads_on(tmp_path / "b") == [], "a failed fetch left a folder claiming the id"

        garbled = "up_" + "1" * 24
        (shared / meta_key(garbled)).parent.mkdir(parents=True)
        (shared / meta_key(garbled)).write_text('{"upload_id": "up_other", "format": "csv"')
        r = b.post("/v9/train", params={**QUERY, "upload_id": garbled})
        assert_error(r, 404, "metadata is unreadable")


def test_a_failing_store_is_503_and_leaves_no_upload(tmp_path, shared, titanic_csv):
    config = local_instance_config(tmp_path / "a", shared)
    (shared / "uploads").write_bytes(b"a file where the uploads folder belongs")
    with instance(config, local_workers=0) as a:
        r = a.post("/v9/upload", content=titanic_csv)
        err = assert_error(r, 503, "could not store the upload")
        assert err["code"] == "store_unavailable"
        assert str(tmp_path) not in r.text, "a local path leaked into the response"
        assert uploads_on(tmp_path / "a") == []


@pytest.mark.aws
@pytest.mark.slow
def test_upload_on_a_trains_on_b_on_aws(moto_url, tmp_path, titanic_csv):
    with make_cloud(moto_url, tmp_path / "cloud") as cloud:
        base = GathererConfig.from_env()

        def aws_config(home: Path) -> GathererConfig:
            return replace(base, settings=replace(base.settings, backend="aws", home=home))

        with instance(aws_config(tmp_path / "a")) as a, instance(aws_config(tmp_path / "b")) as b:
            upload_id = upload(a, titanic_csv)
            stored = cloud.backend.clients.s3.get_object(
                Bucket=cloud.resources.bucket, Key=data_key(upload_id, "csv")
            )
            assert stored["Body"].read() == titanic_csv
            assert uploads_on(tmp_path / "b") == []
            direct = train(a, body=titanic_csv)
            via_b = train(b, upload_id=upload_id)
            assert finished_model(b, via_b) == finished_model(a, direct)
            assert uploads_on(tmp_path / "b") == [upload_id]

            # Half-written as another instance would find it: the meta without its data.
            cloud.backend.clients.s3.delete_object(
                Bucket=cloud.resources.bucket, Key=data_key(upload_id, "csv")
            )
            with instance(aws_config(tmp_path / "c"), local_workers=0) as c:
                r = c.post("/v9/train", params={**QUERY, "upload_id": upload_id})
                assert_error(r, 404, "incomplete: its data is missing")
                assert uploads_on(tmp_path / "c") == []
        assert cloud.endpoint.wait_idle(60)


@pytest.mark.aws
def test_a_deleted_bucket_is_503_and_leaves_no_upload(moto_url, monkeypatch, tmp_path, titanic_csv):
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL_LAMBDA", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": moto_url}.items():
        monkeypatch.setenv(key, value)
    resources = provision(REGION)
    for key, value in resources.env().items():
        monkeypatch.setenv(key, value)
    boto3.client("s3", region_name=REGION).delete_bucket(Bucket=resources.bucket)
    base = GathererConfig.from_env()
    config = replace(base, settings=replace(base.settings, backend="aws", home=tmp_path / "a"))
    with instance(config, local_workers=0) as a:
        r = a.post("/v9/upload", content=titanic_csv)
        err = assert_error(r, 503, "NoSuchBucket")
        assert err["code"] == "store_unavailable"
        assert str(tmp_path) not in r.text
        assert uploads_on(tmp_path / "a") == []
