"""Request-wide middleware: paths without their trailing slash."""

import pytest

from payments_api.common.tests.problems import assert_problem
from payments_api.payments.tests.factories import PaymentFactory


def test_a_list_read_without_the_slash_links_its_pages_with_it(supplier_client, supplier):
    PaymentFactory.create_batch(3, supplier=supplier)

    first = supplier_client.get("/api/payments?page_size=2").json()
    second = supplier_client.get("/api/payments?page=2&page_size=2").json()

    assert first["next"] == "http://testserver/api/payments/?page=2&page_size=2"
    assert second["previous"] == "http://testserver/api/payments/?page_size=2"


def test_an_operator_list_read_without_the_slash_links_its_pages_with_it(operator_client, supplier):
    PaymentFactory.create_batch(3, supplier=supplier)

    body = operator_client.get("/api/payments?page_size=2").json()

    assert body["next"].startswith("http://testserver/api/payments/?cursor=")
    assert len(operator_client.get(body["next"]).json()["results"]) == 1


@pytest.mark.parametrize("path", ["/api/nothing", "/api/payments/1/nothing", "/api/payments/x"])
def test_a_path_that_matches_nothing_either_way_is_not_found(supplier_client, path):
    assert_problem(supplier_client.get(path), 404, "not-found")


def test_the_admin_keeps_its_own_redirect_to_the_slashed_path(operator_admin_client):
    response = operator_admin_client.get("/admin/payments/payment")

    assert response.status_code == 301
    assert response["Location"] == "/admin/payments/payment/"
