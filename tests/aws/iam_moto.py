"""A moto server, in its own process, that enforces IAM the way the tests need it.

moto's IAM enforcement (``INITIAL_NO_AUTH_ACTION_COUNT``, switched on through
``/moto-api/reset-auth``) is process-wide, so it runs apart from the session's shared
server, whose other tests sign with made-up keys. Four gaps of moto 5.2 would make it
pass or refuse the wrong calls; this module closes them before the server starts
(docs/terraform.md lists what is still out of reach):

- DynamoDB and Lambda requests are checked against resource ``*``, so a grant naming
  the table or the function never applies. Here they name the table / function ARN.
- Resource patterns are turned into regular expressions with ``*`` only: ``?`` (as in
  ``v9-worker-pipe-??``) and ``.`` keep their regex meaning. Here they follow IAM's
  wildcards.
- A GetObject/HeadObject of a missing key answers 404 even without ``s3:ListBucket``,
  where S3 answers 403. Here a missing key also needs ListBucket on the bucket.
- DynamoDB transactions are serialised (``tests.support.serialize_moto_dynamodb``).

Run as ``python -m tests.aws.iam_moto PORT``; it serves until its stdin closes, which
happens when the test process exits, however it exits.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from moto.awslambda.responses import LambdaResponse
from moto.dynamodb.responses import DynamoHandler
from moto.iam.access_control import IAMPolicyStatement, S3IAMRequest
from moto.s3.models import s3_backends
from moto.server import ThreadedMotoServer

from tests.support import serialize_moto_dynamodb


def iam_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters, ``?`` exactly one."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _match(pattern: str, string: str) -> re.Match[str] | None:
    return iam_pattern(pattern).fullmatch(string)


def _dynamodb_resource(self: DynamoHandler) -> str:
    body = self.body if isinstance(self.body, dict) else json.loads(self.body or "{}")
    names = {body["TableName"]} if "TableName" in body else set(body.get("RequestItems", {}))
    for item in body.get("TransactItems", []):
        names.update(op["TableName"] for op in item.values() if "TableName" in op)
    if len(names) != 1:
        return "*"
    return f"arn:aws:dynamodb:{self.region}:{self.current_account}:table/{names.pop()}"


def _lambda_resource(self: LambdaResponse) -> str:
    found = re.search(r"/functions/([^/?]+)", self.path)
    if not found:
        return "*"
    name = found.group(1)
    if name.startswith("arn:"):
        return name
    qualifier = self.querystring.get("Qualifier", [None])[0]
    arn = f"arn:aws:lambda:{self.region}:{self.current_account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def _key_missing(account: str, resource: str) -> bool:
    bucket, _, key = resource.split(":::", 1)[1].partition("/")
    try:
        found = s3_backends[account]["aws"].get_object(bucket, key)
    except Exception:  # no such bucket: S3's own error answers that
        return False
    return found is None


_check_s3 = S3IAMRequest.check_action_permitted


def _check_s3_missing_needs_list(self: S3IAMRequest, resource: str) -> None:
    _check_s3(self, resource)
    if self._action == "s3:GetObject" and _key_missing(self.account_id, resource):
        self._action = "s3:ListBucket"
        try:
            _check_s3(self, resource.split("/", 1)[0])
        finally:
            self._action = "s3:GetObject"


def patch_moto() -> None:
    serialize_moto_dynamodb()
    IAMPolicyStatement._match = staticmethod(_match)  # type: ignore[method-assign]
    DynamoHandler._determine_resource = _dynamodb_resource  # type: ignore[attr-defined]
    LambdaResponse._determine_resource = _lambda_resource  # type: ignore[attr-defined]
    S3IAMRequest.check_action_permitted = _check_s3_missing_needs_list  # type: ignore[method-assign]


def main(argv: list[str]) -> Any:
    patch_moto()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(argv[1]), verbose=False)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main(sys.argv)
