"""The published OpenAPI 3.1 description, written out by hand.

Hand-written rather than generated from docstrings so that it states the real
contract (bounds, enums, error bodies) that the fuzz tests drive the app with.
"""

from __future__ import annotations

from typing import Any

from snakebatch.engine.params import JOB_ID_PATTERN
from snakebatch.gatherer.predict import MODES
from snakebatch.gatherer.routes_train import TRAIN_PARAMS

ID = {"type": "string", "pattern": f"^{JOB_ID_PATTERN}$"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def _err(*codes: int) -> dict[str, Any]:
    return {
        str(c): {
            "description": "error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": description,
            "security": [],
            "responses": {
                "200": {
                    "description": "page",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
                **_err(404),
            },
        }
    }


def _id_param(name: str = "model_id") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def schema() -> dict[str, Any]:
    train_params = [
        {"name": "target", "in": "query", "required": False, "schema": {"type": "string"}},
        *[
            {
                "name": p.name,
                "in": "query",
                "required": False,
                "description": p.help,
                "schema": p.json_schema(),
            }
            for p in TRAIN_PARAMS.values()
        ],
        {"name": "upload_id", "in": "query", "required": False, "schema": {"type": "string"}},
    ]
    accepted = {
        "type": "object",
        "required": ["model_id", "status_url", "model_url"],
        "properties": {
            "model_id": {"type": "string"},
            "status_url": {"type": "string"},
            "model_url": {"type": "string"},
            "stripped_model_url": {"type": "string"},
        },
    }
    status = {
        "type": "object",
        "required": ["state"],
        "properties": {
            "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "leaves_per_layer": {},
            "rows_covered_per_layer": {},
            "timings": {"type": "object"},
            "error": {"type": ["string", "null"]},
            "progress": {"type": "number", "minimum": 0, "maximum": 1},
            "model_url": {"type": "string"},
        },
    }
    predict_req = {
        "type": "object",
        "required": ["model_id", "rows"],
        "properties": {
            "model_id": ID,
            "mode": {"type": "string", "enum": sorted(MODES)},
            "rows": {"type": "array", "items": {"type": "object"}},
        },
    }
    model = {"type": "object", "description": "model JSON in the reference Snake shape"}
    bearer: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SnakeBatch gatherer",
            "version": "9",
            "description": "Train Snake models on the shard mesh and serve predictions.",
        },
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": bearer,
        "paths": {
            "/v9/health": {
                "get": {
                    "summary": "liveness",
                    "security": [],
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/v9/train": {
                "post": {
                    "summary": "stage a training job",
                    "parameters": train_params,
                    "requestBody": {
                        "required": False,
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/gzip": {"schema": {"type": "string", "format": "binary"}},
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "rows": {"type": "array", "items": {"type": "object"}}
                                    },
                                }
                            },
                        },
                    },
                    "responses": {
                        "202": _json(accepted, "job staged"),
                        **_err(400, 401, 404, 413, 422, 429),
                    },
                }
            },
            "/v9/upload": {
                "post": {
                    "summary": "stream a large CSV, CSV.gz or JSON file to the store",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/octet-stream": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"type": "object"}, "stored"),
                        **_err(400, 401, 413),
                    },
                }
            },
            "/v9/status/{model_id}": {
                "get": {
                    "summary": "job progress",
                    "parameters": [_id_param()],
                    "responses": {"200": _json(status), **_err(401, 404)},
                }
            },
            "/v9/model/{model_id}": {
                "get": {
                    "summary": "the full model JSON",
                    "parameters": [_id_param()],
                    "responses": {"200": _json(model), **_err(401, 404, 409)},
                }
            },
            "/v9/model/{model_id}/stripped": {
                "get": {
                    "summary": "the model without its training rows",
                    "parameters": [_id_param()],
                    "responses": {"200": _json(model), **_err(401, 404, 409)},
                }
            },
            "/v9/predict-sync": {
                "post": {
                    "summary": "batch prediction, probability, lookalikes, audit",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": predict_req}},
                    },
                    "responses": {
                        "200": _json({"type": "object"}),
                        **_err(400, 401, 404, 409, 413, 422),
                    },
                }
            },
            "/grid/v9/state.json": {
                "get": {
                    "summary": "shard grid snapshot",
                    "security": [],
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/concurrency/state.json": {
                "get": {
                    "summary": "spawn rate against the budget",
                    "security": [],
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/grid/v9": _html("live shard grid"),
            "/concurrency": _html("live spawn rate and the concurrency notes"),
            **{
                f"/{n}": _html(f"the {n} page")
                for n in ("paper", "architecture", "economics", "math")
            },
        },
    }
