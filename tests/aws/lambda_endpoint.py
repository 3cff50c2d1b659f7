"""A Lambda Invoke API on loopback that runs the real handler in worker processes.

moto cannot execute Lambda code without Docker, so the tests stand this in for the
Lambda data plane: ``POST /2015-03-31/functions/{name}/invocations`` with
``X-Amz-Invocation-Type: Event`` answers 202 and runs the event later (with Lambda's
async retries: two more attempts after a function error, then the on-failure
destination), ``RequestResponse`` answers 200 with the handler's result. It can be
told to answer 429 ``TooManyRequestsException`` for a while, and to make a chosen
invocation fail (a crash outside the handler, as an out-of-memory kill would look).
It also keeps provisioned-concurrency configs (Put/Get/Delete, which moto lacks), ready
at once. boto3 reaches it through ``AWS_ENDPOINT_URL_LAMBDA``; nothing in snakebatch is
patched.
"""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3

from snakebatch.backends.base import BLOCKING_ROLES

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")
PC_PATH = re.compile(r"^/2019-09-30/functions/([^/]+)/provisioned-concurrency$")
PC_ACTIONS = {
    "PUT": "PutProvisionedConcurrencyConfig",
    "GET": "GetProvisionedConcurrencyConfig",
    "DELETE": "DeleteProvisionedConcurrencyConfig",
}
ASYNC_LIMIT = 262_144

_handler_cache: dict[str, Any] = {}


class FakeContext:
    """The few fields of the Lambda context object a handler may read."""

    def __init__(self, function_name: str, request_id: str) -> None:
        self.function_name = function_name
        self.aws_request_id = request_id
        self.memory_limit_in_mb = 4096

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def _init_worker(env: dict[str, str]) -> None:
    os.environ.update(env)


def run_invocation(
    handler_file: str, function_name: str, request_id: str, payload: bytes, fault: str | None
) -> tuple[bool, bytes]:
    """Runs in a worker process: load the handler once per process, like a warm container."""
    try:
        if fault:
            raise RuntimeError(fault)
        handler = _handler_cache.get(handler_file)
        if handler is None:
            spec = importlib.util.spec_from_file_location("handler_snake", handler_file)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            handler = _handler_cache[handler_file] = module.handler
        result = handler(json.loads(payload), FakeContext(function_name, request_id))
        return True, json.dumps(result).encode()
    except Exception as exc:
        return False, json.dumps(
            {"errorMessage": str(exc), "errorType": type(exc).__name__}
        ).encode()


@dataclass
class Fault:
    """Fail invocations whose event matches ``match`` (subset of keys), ``times`` times."""

    match: dict[str, Any]
    times: int
    message: str = "injected fault: the function crashed"
    fired: int = 0

    def take(self, event: dict[str, Any]) -> str | None:
        if self.fired >= self.times or any(event.get(k) != v for k, v in self.match.items()):
            return None
        self.fired += 1
        return self.message


@dataclass
class Counts:
    accepted: int = 0
    throttled: int = 0
    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    to_destination: int = 0
    roles: dict[str, int] = field(default_factory=dict)


class LambdaEndpoint:
    def __init__(
        self,
        handler_file: Path,
        worker_env: dict[str, str],
        *,
        function_prefix: str,
        shard_count: int,
        workers: int = 2,
        blocking_workers: int = 4,
        max_retries: int = 2,
        retry_delay_s: float = 0.2,
        on_failure_queue_url: str = "",
        region: str = "eu-west-3",
        authorize: Callable[[str, str, str], bool] | None = None,
    ) -> None:
        """``authorize(access_key, action, function_arn)``, when given, decides each
        call as IAM would for the caller's credentials (``tests.aws.iam_stack.Authorizer``)."""
        self.handler_file = str(handler_file)
        self.authorize = authorize
        self.provisioned: dict[tuple[str, str], int] = {}
        self.function_prefix = function_prefix
        self.shard_count = shard_count
        self.max_retries = max_retries
        self.retry_delay_s = retry_delay_s
        self.on_failure_queue_url = on_failure_queue_url
        self.region = region
        self.counts = Counts()
        self.faults: list[Fault] = []
        self._throttle_until = 0.0
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._seq = 0
        self._closed = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        env = {**worker_env, "AWS_ENDPOINT_URL_LAMBDA": self.url}
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(env,)
        )
        # Lambda gives a waiting role (conquer) its own container; so does this endpoint,
        # or a parent polling for its leaf would hold the very worker the leaf needs.
        self._blocking_pool = ProcessPoolExecutor(
            max_workers=blocking_workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(env,),
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LambdaEndpoint:
        self._thread.start()
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._blocking_pool.shutdown(wait=True, cancel_futures=True)

    def throttle_for(self, seconds: float) -> None:
        with self._lock:
            self._throttle_until = time.monotonic() + seconds

    def fail(self, match: dict[str, Any], times: int, message: str | None = None) -> Fault:
        fault = Fault(match, times, *(m for m in [message] if m))
        with self._lock:
            self.faults.append(fault)
        return fault

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until no asynchronous invocation is queued, running or awaiting retry."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    # -- request handling -------------------------------------------------------------

    def _known(self, name: str) -> bool:
        m = re.fullmatch(rf"{re.escape(self.function_prefix)}-(\d\d)", name)
        return bool(m) and int(m.group(1)) < self.shard_count

    def _request_handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                url = urlparse(self.path)
                m = INVOKE_PATH.match(url.path)
                payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not m:
                    return self._error(404, "UnknownOperationException", "unknown operation")
                name = m.group(1)
                qualifier = parse_qs(url.query).get("Qualifier", [None])[0]
                kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                denied = endpoint._denied(
                    self.headers.get("Authorization", ""), "InvokeFunction", name, qualifier
                )
                if denied:
                    return self._error(403, "AccessDeniedException", denied)
                self._reply(*endpoint._invoke(name, qualifier, kind, payload))

            def do_PUT(self) -> None:
                self._provisioned()

            def do_GET(self) -> None:
                self._provisioned()

            def do_DELETE(self) -> None:
                self._provisioned()

            def _provisioned(self) -> None:
                url = urlparse(self.path)
                m = PC_PATH.match(url.path)
                payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not m:
                    return self._error(404, "UnknownOperationException", "unknown operation")
                qualifier = parse_qs(url.query).get("Qualifier", [""])[0]
                action = PC_ACTIONS[self.command]
                denied = endpoint._denied(
                    self.headers.get("Authorization", ""), action, m.group(1), qualifier
                )
                if denied:
                    return self._error(403, "AccessDeniedException", denied)
                self._reply(*endpoint._provision(action, m.group(1), qualifier, payload))

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, kind: str, message: str) -> None:
                self._reply(*_error(status, kind, message))

        return Handler

    def _denied(
        self, authorization: str, action: str, name: str, qualifier: str | None
    ) -> str | None:
        if self.authorize is None:
            return None
        found = re.search(r"Credential=([^/]+)/", authorization)
        key = found.group(1) if found else ""
        arn = f"arn:aws:lambda:{self.region}:123456789012:function:{name}"
        arn = f"{arn}:{qualifier}" if qualifier else arn
        if self.authorize(key, f"lambda:{action}", arn):
            return None
        return f"{key} is not authorized to perform: lambda:{action} on resource: {arn}"

    def _provision(
        self, action: str, name: str, qualifier: str, payload: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Provisioned concurrency as Lambda answers it, allocated at once."""
        if not self._known(name) or qualifier != "live":
            return _error(404, "ResourceNotFoundException", f"{name}:{qualifier} not found")
        with self._lock:
            if action == "PutProvisionedConcurrencyConfig":
                slots = json.loads(payload)["ProvisionedConcurrentExecutions"]
                self.provisioned[(name, qualifier)] = slots
            elif action == "DeleteProvisionedConcurrencyConfig":
                slots = self.provisioned.pop((name, qualifier), None)
            else:
                slots = self.provisioned.get((name, qualifier))
        if slots is None:
            kind = "ProvisionedConcurrencyConfigNotFoundException"
            return _error(404, kind, f"no provisioned concurrency on {name}:{qualifier}")
        if action == "DeleteProvisionedConcurrencyConfig":
            return 204, {}, b""
        body = {
            "RequestedProvisionedConcurrentExecutions": slots,
            "AllocatedProvisionedConcurrentExecutions": slots,
            "AvailableProvisionedConcurrentExecutions": slots,
            "Status": "READY",
            "LastModified": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime()),
        }
        return 200 if action.startswith("Get") else 202, {}, json.dumps(body).encode()

    def _invoke(
        self, name: str, qualifier: str | None, kind: str, payload: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        if not self._known(name):
            return _error(404, "ResourceNotFoundException", f"Function not found: {name}")
        if qualifier not in (None, "$LATEST", "live"):
            return _error(404, "ResourceNotFoundException", f"alias {qualifier} not found")
        if kind == "Event" and len(payload) > ASYNC_LIMIT:
            return _error(413, "RequestEntityTooLargeException", "payload over 256 KB")
        try:
            event = json.loads(payload or b"{}")
        except json.JSONDecodeError:
            return _error(400, "InvalidRequestContentException", "could not parse request body")
        with self._lock:
            if time.monotonic() < self._throttle_until:
                self.counts.throttled += 1
                return _error(429, "TooManyRequestsException", "Rate Exceeded.")
            self.counts.accepted += 1
            role = event.get("role") if isinstance(event, dict) else None
            self.counts.roles[str(role)] = self.counts.roles.get(str(role), 0) + 1
            self._seq += 1
            request_id = f"req-{self._seq:08d}"
        if kind == "Event":
            with self._lock:
                self._pending += 1
            self._submit(name, request_id, payload, event, attempt=1)
            return 202, {"x-amzn-RequestId": request_id}, b""
        if kind == "RequestResponse":
            ok, body = self._pool.submit(
                run_invocation, self.handler_file, name, request_id, payload, self._fault(event)
            ).result(timeout=300)
            headers = {"x-amzn-RequestId": request_id, "X-Amz-Executed-Version": "$LATEST"}
            if not ok:
                headers["X-Amz-Function-Error"] = "Unhandled"
            self._tally(ok)
            return 200, headers, body
        return _error(400, "InvalidParameterValueException", f"bad invocation type {kind}")

    def _fault(self, event: Any) -> str | None:
        if not isinstance(event, dict):
            return None
        with self._lock:
            for fault in self.faults:
                message = fault.take(event)
                if message:
                    return message
        return None

    def _submit(self, name: str, request_id: str, payload: bytes, event: Any, attempt: int) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            return self._done()
        blocking = isinstance(event, dict) and event.get("role") in BLOCKING_ROLES
        pool = self._blocking_pool if blocking else self._pool
        future = pool.submit(
            run_invocation, self.handler_file, name, request_id, payload, self._fault(event)
        )
        future.add_done_callback(
            lambda f: self._finished(f, name, request_id, payload, event, attempt)
        )

    def _finished(
        self, future: Future, name: str, request_id: str, payload: bytes, event: Any, attempt: int
    ) -> None:
        try:
            ok, body = future.result()
        except Exception as exc:
            ok, body = False, json.dumps({"errorMessage": repr(exc)}).encode()
        self._tally(ok)
        if ok:
            return self._done()
        if attempt <= self.max_retries:
            with self._lock:
                self.counts.retried += 1
            timer = threading.Timer(
                self.retry_delay_s * attempt,
                self._submit,
                args=(name, request_id, payload, event, attempt + 1),
            )
            timer.daemon = True
            timer.start()
            return None
        self._to_destination(name, request_id, event, attempt, body)
        return self._done()

    def _to_destination(
        self, name: str, request_id: str, event: Any, attempts: int, body: bytes
    ) -> None:
        """Lambda's on-failure destination record, as AWS writes it for async invokes."""
        if not self.on_failure_queue_url:
            return
        record = {
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "requestContext": {
                "requestId": request_id,
                "functionArn": f"arn:aws:lambda:{self.region}:123456789012:function:{name}",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "responsePayload": json.loads(body),
        }
        sqs = boto3.session.Session().client("sqs", region_name=self.region)
        sqs.send_message(QueueUrl=self.on_failure_queue_url, MessageBody=json.dumps(record))
        with self._lock:
            self.counts.to_destination += 1

    def _tally(self, ok: bool) -> None:
        with self._lock:
            if ok:
                self.counts.succeeded += 1
            else:
                self.counts.failed += 1

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"Type": "User", "message": message}).encode()
    return status, {"x-amzn-ErrorType": kind, "Content-Type": "application/json"}, body
