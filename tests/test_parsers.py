"""LimitedJSONParser: exact numbers; deeply nested JSON is a 400 parse-error problem on every JSON endpoint."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from payments_api.common.parsers import MAX_JSON_NESTING, LimitedJSONParser
from payments_api.common.tests.problems import assert_problem
from payments_api.payments.models import Anticipation, AnticipationStatus, Payment
from payments_api.payments.tests.factories import AnticipationFactory

DEEP_ARRAY = "[" * 1000 + "]" * 1000  # about 2 KB
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def nested_just_beyond_the_limit() -> str:
    return '{"value": ' + "[" * MAX_JSON_NESTING + "]" * MAX_JSON_NESTING + "}"


@pytest.fixture
def endpoints(supplier, operator, client_for, anonymous_client):
    pending = AnticipationFactory(payment__supplier=supplier)
    return {
        "token": (anonymous_client, "post", "/api/token/"),
        "refresh": (anonymous_client, "post", "/api/token/refresh/"),
        "verify": (anonymous_client, "post", "/api/token/verify/"),
        "logout": (anonymous_client, "post", "/api/token/logout/"),
        "payments": (client_for(supplier.user), "post", "/api/payments/"),
        "anticipations": (client_for(supplier.user), "post", "/api/anticipations/"),
        "decision": (client_for(operator), "patch", f"/api/anticipations/{pending.pk}/"),
    }


@pytest.mark.parametrize("endpoint", ["token", "refresh", "verify", "logout", "payments", "anticipations", "decision"])
@pytest.mark.parametrize(
    "body", [DEEP_ARRAY, DEEP_OBJECT, nested_just_beyond_the_limit()], ids=["array", "object", "beyond-limit"]
)
def test_deeply_nested_json_is_a_parse_error(endpoints, endpoint, body):
    client, method, url = endpoints[endpoint]

    response = getattr(client, method)(url, data=body, content_type="application/json")

    assert_problem(response, 400, "parse-error")
    assert Payment.objects.count() == 1  # the pending anticipation's payment, nothing created
    assert Anticipation.objects.get().status == AnticipationStatus.PENDING_CONFIRMATION


def test_nesting_up_to_the_limit_is_parsed(supplier_client):
    inner = "[" * (MAX_JSON_NESTING - 1) + "]" * (MAX_JSON_NESTING - 1)
    due_date = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    body = f'{{"due_date": "{due_date}", "value": "1.00", "ignored": {inner}}}'

    response = supplier_client.post("/api/payments/", data=body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert Payment.objects.get().due_date.isoformat() == due_date


def test_numbers_are_read_exactly_as_decimals():
    document = LimitedJSONParser().parse(io.BytesIO(b'{"value": 0.1000000000000000000001, "count": 3}'), None, {})

    assert document == {"value": Decimal("0.1000000000000000000001"), "count": 3}
    assert isinstance(document["count"], int)
