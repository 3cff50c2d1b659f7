"""A drainer in its own process, for the kill-and-resume test: submit, print the id, drain."""

from __future__ import annotations

import sys

from snakebatch.backends.local import LocalBackend
from snakebatch.backends.local_jobs import SqliteJobStore
from snakebatch.mesh.coordinator import Coordinator, TrainParams


def main(home: str, data: str, target: str, params_json: str) -> None:
    import json

    params = TrainParams(**json.loads(params_json))
    with LocalBackend(home, workers=2) as backend:
        coord = Coordinator(backend, SqliteJobStore(backend.jobs_path))
        model_id = coord.submit(data, target=target, params=params)
        print(model_id, flush=True)
        coord.run(model_id, timeout_s=600)


if __name__ == "__main__":
    main(*sys.argv[1:5])
