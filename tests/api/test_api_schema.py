"""The OpenAPI document matches the API: schemathesis finds no 5xx and no off-schema answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from scheduler.demo import create_demo
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Organisation, StaffRole, StaffUser
from scheduler.schema import create_all
from scheduler.web import api_tokens
from tests.conftest import make_app

# The staff API's calls carry an organisation administrator's token of the demo organisation.
HEADERS: dict[str, str] = {}


def _demo_token() -> str:
    org = db.session.scalars(db.select(Organisation)).one()
    admin = StaffUser(
        organisation_id=org.id,
        role=StaffRole.ORG_ADMIN,
        email="admin@tunturikyla.example",
        name="Admin",
        created_at=now_utc(),
    )
    db.session.add(admin)
    db.session.flush()
    _row, secret = api_tokens.issue(admin, "Schema test", StaffRole.ORG_ADMIN, None, None, None)
    return secret


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp: Path = tmp_path_factory.mktemp("schema")
    app = make_app(tmp, f"sqlite:///{tmp / 'api.db'}")
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        create_demo()
        HEADERS["Authorization"] = f"Bearer {_demo_token()}"
        db.session.commit()
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    with app.app_context():
        db.engine.dispose()


schema = schemathesis.pytest.from_fixture("api_schema")
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
STAFF = "^/staff/"
# The staff API in two halves: bookings and series, and the administrators' operations.
STAFF_BOOKINGS = "^/staff/(bookings|series|find)"
STAFF_ADMIN = "^/staff/(reassign|closures)"


@schema.exclude(path_regex=STAFF).parametrize()
@SETTINGS
def test_api_answers_every_input_without_5xx_and_within_its_schema(case: Any) -> None:
    # Rules beyond what a schema can say (a real phone number, the service's own intake
    # questions, an e-mail or a phone) refuse some schema-valid bodies with a documented 422,
    # so the "schema-valid data must be accepted" check does not apply; every other check does.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def with_token(case: Any) -> dict[str, str]:
    """schemathesis makes up an Authorization header for the bearer scheme, or leaves it
    out to see the call refused: a made-up one is replaced by the real token."""
    return dict(HEADERS) if "Authorization" in (case.headers or {}) else {}


# With an organisation administrator's token; schemathesis also checks that a call without
# it gets the documented 401 ("ignored_auth"). Each half makes some 500 calls, each with its
# access-log rows: more than the default timeout allows on a shared, busy machine.
@pytest.mark.timeout(900)
@schema.include(path_regex=STAFF_BOOKINGS).parametrize()
@SETTINGS
def test_staff_booking_api_answers_every_input_without_5xx_and_within_its_schema(
    case: Any,
) -> None:
    case.call_and_validate(headers=with_token(case), excluded_checks=[positive_data_acceptance])


@pytest.mark.timeout(900)
@schema.include(path_regex=STAFF_ADMIN).parametrize()
@SETTINGS
def test_staff_admin_api_answers_every_input_without_5xx_and_within_its_schema(
    case: Any,
) -> None:
    case.call_and_validate(headers=with_token(case), excluded_checks=[positive_data_acceptance])


def test_every_staff_api_operation_is_fuzzed(api_schema: Any) -> None:
    staff_paths = [p for p in api_schema.raw_schema["paths"] if re.match(STAFF, p)]
    assert staff_paths and all(
        re.match(STAFF_BOOKINGS, p) or re.match(STAFF_ADMIN, p) for p in staff_paths
    )


def test_openapi_document_names_every_api_route(api_schema: Any) -> None:
    from flask import Flask

    app: Flask = api_schema.app  # type: ignore[attr-defined]
    documented = {
        f"/api/v1{p}".replace("{", "<").replace("}", ">") for p in api_schema.raw_schema["paths"]
    }
    routes = {
        rule.rule.replace("<id:", "<")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    }
    assert routes == documented
