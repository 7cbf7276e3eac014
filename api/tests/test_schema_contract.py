"""The API keeps its OpenAPI promise: schemathesis generates requests for every operation of the live
schema (/api/schema/) and checks each answer as a client developer would, signed in with a real token
obtained from POST /api/auth/token/:

- no server error (5xx);
- every status code is one the schema documents for that operation (400/401/403/404 included);
- every body matches the documented schema for its status code (list vs object, date/time formats);
- the content type is the documented one.

The run is bounded and reproducible: MAX_EXAMPLES generated cases per operation, derandomized (the
same cases every run), no shrinking, plus one explicit call per detail operation with an object that
exists. All failures of all operations are gathered and reported together, by kind.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import PASSWORD

from .seed import seed

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _token(client, username: str) -> str:
    answer = client.post("/api/auth/token/", {"username": username, "password": PASSWORD},
                         content_type="application/json")
    assert answer.status_code == 200, answer.content.decode()
    return answer.json()["token"]


def run_contract(schema, auth: dict[str, str], existing: dict[str, int]) -> dict:
    """Every operation: generated cases plus, for a detail operation, one call with an object that exists.
    Returns {"operations", "cases", "failures": Counter by kind, "examples": {kind: [first few]}}."""
    failures: Counter = Counter()
    examples: dict[str, dict[str, str]] = defaultdict(dict)
    counted = {"operations": 0, "cases": 0}

    def check(case) -> None:
        counted["cases"] += 1
        try:
            case.call_and_validate(headers=auth, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                kind = type(failure).__name__
                failures[kind] += 1
                where = f"{case.method} {case.operation.path}"
                if where not in examples[kind]:  # the first failure of this kind per operation
                    examples[kind][where] = f"{case.formatted_path} {case.query or ''}: {failure.message[:400]}"

    for result in schema.get_all_operations():
        operation = result.ok()
        counted["operations"] += 1
        strategy = operation.as_strategy()

        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def generated(case):
            check(case)

        generated()
        # A random id rarely hits a row: call each detail operation once with one that exists.
        path = operation.path
        if "{id}" in path:
            prefix = path.removeprefix("/api/").split("/{id}")[0]
            if prefix in existing:
                check(operation.Case(path_parameters={"id": existing[prefix]}))
    return {**counted, "failures": failures, "examples": dict(examples)}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in-process within the test's transaction: like Django's test
    client, it must not close the connection at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    handler = get_wsgi_application()

    def app(environ, start_response):
        # Django's test client reconnects these after each of its own requests: disconnect on every call.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_keeps_the_schema(client, tree, personas, wsgi_app):
    existing = seed(tree, personas).inside
    # The district admin sees the whole tree; the audit admin reads the audit log (its own operations).
    district = {"Authorization": f"Token {_token(client, 'district_admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    report = run_contract(schema, district, existing)
    audit = schema.include(path_regex="^/api/audit/")
    audit_report = run_contract(audit, {"Authorization": f"Token {_token(client, 'auditor')}"}, existing)
    failures = report["failures"] + audit_report["failures"]
    examples = {**audit_report["examples"], **report["examples"]}
    print(f"\nschemathesis: {report['operations']} operations, {report['cases'] + audit_report['cases']} cases, "
          f"failures by kind: {dict(failures)}")
    assert report["operations"] >= 40
    assert not failures, "\n".join(
        f"{kind}: {n} in {len(examples[kind])} operations\n" + "\n".join(
            f"  {where}: {example}" for where, example in examples[kind].items())
        for kind, n in failures.items())
