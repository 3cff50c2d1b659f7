"""``snakebatch.SnakeClient``: the local-first client of the predecessor's SDK (predecessor §7).

Small data (below ``cloud_threshold`` rows) or no endpoint: train in this process with
the engine. Large data with an endpoint: train on the mesh through the gatherer, show
a progress bar while polling, download the *stripped* model and predict locally — a
prediction is microseconds in-process and a round trip is milliseconds. The model is
parsed straight from the response with the engine's fast load (msgspec, C-level
checks, buckets compiled on first use), without a temporary file. Only calls
that need the training population (audit, labelled lookalikes, augmented rows) go back
to ``/v9/predict-sync`` for a cloud-trained model.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from snakebatch.engine.params import PARAMS

DEFAULT_THRESHOLD = 5_000
#: Bodies above this go through ``/v9/upload`` (streamed) instead of the train body.
DIRECT_BODY_BYTES = 32 * 1024 * 1024


class SnakeClientError(Exception):
    """The gatherer refused a request or a cloud job failed; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _count_csv_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return max(0, sum(1 for row in csv.reader(f) if row) - 1)


def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f), [])


class SnakeClient:
    """Train locally or on the mesh; predict locally; audit where the population lives.

    ``data`` is a CSV path, a list of row mappings, or a ``.json`` model file to load.
    ``target_index`` is the label column's name or position. ``endpoint`` defaults to
    ``$SNAKEBATCH_ENDPOINT`` and ``api_key`` to ``$SNAKEBATCH_API_KEY``. ``noise`` means
    the same in both places: each bucket also learns from that share of its core in
    rows drawn from the whole population.
    """

    def __init__(
        self,
        data: str | os.PathLike | Sequence[Mapping[str, Any]],
        target_index: int | str = 0,
        *,
        n_layers: int = PARAMS["n_layers"].default,
        bucket: int = PARAMS["bucket"].default,
        tau: int = PARAMS["tau"].default,
        seed: int = PARAMS["seed"].default,
        noise: float = PARAMS["noise"].default,
        endpoint: str | None = None,
        api_key: str | None = None,
        cloud_threshold: int = DEFAULT_THRESHOLD,
        progress: bool = True,
        timeout_s: float = 3600.0,
        poll_s: float = 0.5,
    ) -> None:
        from snakebatch.engine import Snake as EngineSnake

        self.endpoint = (endpoint or os.environ.get("SNAKEBATCH_ENDPOINT") or "").rstrip("/")
        self.api_key = api_key or os.environ.get("SNAKEBATCH_API_KEY")
        self.cloud_threshold = cloud_threshold
        self.model_id: str | None = None
        self.status: dict[str, Any] = {}
        if isinstance(data, str | os.PathLike) and str(data).endswith(".json"):
            self._model = EngineSnake(str(data))
            self.where = "file"
            return
        rows = data if not isinstance(data, str | os.PathLike) else None
        path = Path(data) if rows is None else None
        n_rows = _count_csv_rows(path) if path is not None else len(rows)
        params = {"n_layers": n_layers, "bucket": bucket, "tau": tau, "seed": seed, "noise": noise}
        if self.endpoint and n_rows >= cloud_threshold:
            target = self._target_name(target_index, path, rows)
            self._model = self._train_cloud(path, rows, target, params, progress, timeout_s, poll_s)
            self.where = "cloud"
        else:
            source = str(path) if path is not None else list(rows)
            self._model = EngineSnake(
                source,
                target_index=target_index,
                n_layers=n_layers,
                bucket=bucket,
                noise=noise,
                seed=seed,
            )
            self.where = "local"

    # -- cloud training -----------------------------------------------------------

    @staticmethod
    def _target_name(target_index: int | str, path: Path | None, rows: Sequence | None) -> str:
        if isinstance(target_index, str):
            return target_index
        header = _csv_header(path) if path is not None else list(rows[0]) if rows else []
        if not 0 <= target_index < len(header):
            raise SnakeClientError(f"target_index {target_index} outside the {len(header)} columns")
        return header[target_index]

    def _client(self):
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return httpx.Client(base_url=self.endpoint, headers=headers, timeout=120.0)

    def _check(self, response) -> dict[str, Any]:
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            raise SnakeClientError(f"{response.status_code}: {message}", response.status_code)
        return response.json()

    def _train_cloud(self, path, rows, target, params, progress, timeout_s, poll_s):
        from snakebatch.engine import Snake as EngineSnake
        from snakebatch.engine.modelio import loads_model

        query = {"target": target, **params}
        with self._client() as http:
            if path is not None and path.stat().st_size > DIRECT_BODY_BYTES:
                with open(path, "rb") as f:
                    up = self._check(http.post("/v9/upload", content=_chunks(f)))
                query["upload_id"] = up["upload_id"]
                accepted = self._check(http.post("/v9/train", params=query))
            elif path is not None:
                body = path.read_bytes()
                accepted = self._check(http.post("/v9/train", params=query, content=body))
            else:
                accepted = self._check(
                    http.post("/v9/train", params=query, json={"rows": list(rows)})
                )
            self.model_id = accepted["model_id"]
            self.status = self._wait(http, accepted["status_url"], progress, timeout_s, poll_s)
            stripped = http.get(f"/v9/model/{self.model_id}/stripped")
            if stripped.status_code != 200:
                self._check(stripped)
        return EngineSnake(loads_model(stripped.content, source=f"model {self.model_id}"))

    def _wait(self, http, status_url: str, progress: bool, timeout_s: float, poll_s: float):
        deadline = time.monotonic() + timeout_s
        with _progress(progress) as update:
            while True:
                status = self._check(http.get(status_url))
                total = status["n_rows"] * status["n_layers"]
                update(sum(status["rows_covered_per_layer"]), total, status["state"])
                if status["state"] == "done":
                    return status
                if status["state"] == "failed":
                    raise SnakeClientError(f"training job failed: {status['error']}")
                if time.monotonic() > deadline:
                    raise SnakeClientError(
                        f"training job still {status['state']} after {timeout_s}s"
                    )
                time.sleep(poll_s)

    def _remote(self, mode: str, X: Any) -> Any:
        single = isinstance(X, Mapping)
        rows = [dict(X)] if single else [dict(x) for x in X]
        with self._client() as http:
            out = self._check(
                http.post(
                    "/v9/predict-sync", json={"model_id": self.model_id, "rows": rows, "mode": mode}
                )
            )
        return out["results"][0] if single else out["results"]

    # -- answers --------------------------------------------------------------------

    @property
    def engine(self) -> Any:
        """The in-process engine model (stripped when the model was trained on the mesh)."""
        return self._model

    def get_prediction(self, X: Any) -> Any:
        return self._model.get_prediction(X)

    def get_probability(self, X: Any) -> Any:
        return self._model.get_probability(X)

    def get_lookalikes(self, X: Any) -> list:
        return self._model.get_lookalikes(X)

    def get_batch_prediction(self, Xs: Any) -> list[dict]:
        return self._model.get_batch_prediction(Xs)

    def get_candle(self, X: Any) -> Any:
        return self._model.get_candle(X)

    def get_regression(self, X: Any) -> Any:
        return self._model.get_regression(X)

    def get_lookalikes_labeled(self, X: Any) -> list:
        return self._population_call("lookalikes_labeled", X, self._model.get_lookalikes_labeled)

    def get_audit(self, X: Any) -> str | list[str]:
        return self._population_call("audit", X, self._model.get_audit)

    def get_augmented(self, X: Any) -> dict | list[dict]:
        return self._population_call("augmented", X, self._model.get_augmented)

    def _population_call(self, mode: str, X: Any, local: Callable[[Any], Any]) -> Any:
        if self.where == "cloud":
            return self._remote(mode, X)
        return local(X)

    def to_json(self, fout: str = "snakeclassifier.json", stripped: bool = False) -> None:
        self._model.to_json(fout, stripped=stripped)

    def __repr__(self) -> str:
        where = f"cloud {self.model_id}" if self.where == "cloud" else self.where
        return f"SnakeClient({self._model!r}, {where})"


def _chunks(f, size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := f.read(size):
        yield chunk


class _progress:
    """A rich progress bar over (row, layer) coverage, or nothing when disabled."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self) -> Callable[[int, int, str], None]:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("training on the mesh [{task.fields[state]}]"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}% of rows×layers"),
                TimeElapsedColumn(),
            )
            self._bar.start()
            self._task = self._bar.add_task("train", total=None, state="queued")
        return self.update

    def update(self, done: int, total: int, state: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None, state=state)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


__all__ = ["SnakeClient", "SnakeClientError"]
