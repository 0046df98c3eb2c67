"""Where webhooks may go: addresses checked at registration and again at send time, the checked address the one
connected to (with the URL's host in the Host header), cloud metadata refused whatever the settings."""

import ipaddress
import socket

import pytest

from payments_api.webhooks import transport
from payments_api.webhooks.models import WebhookDeliveryStatus
from payments_api.webhooks.services import webhook_delivery_deliver, webhook_endpoint_create, webhook_event_record
from payments_api.webhooks.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address, allowed_by_default, allowed_with_private_networks",
    [
        ("93.184.215.14", True, True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True, True),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.1.2.3", False, True),
        ("172.16.0.1", False, True),
        ("192.168.1.1", False, True),
        ("100.64.0.1", False, True),  # shared address space (carrier-grade NAT)
        ("fd12:3456::1", False, True),
        ("0.0.0.0", False, True),
        ("240.0.0.1", False, True),  # reserved
        ("169.254.169.254", False, False),  # cloud metadata
        ("169.254.1.1", False, False),  # link-local
        ("fe80::1", False, False),
        ("fd00:ec2::254", False, False),  # AWS metadata over IPv6
        ("::ffff:169.254.169.254", False, False),  # IPv4-mapped
        ("::ffff:10.0.0.1", False, True),
        ("224.0.0.1", False, False),  # multicast
        ("ff02::1", False, False),
    ],
)
def test_which_addresses_may_receive_webhooks(settings, address, allowed_by_default, allowed_with_private_networks):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    assert (transport.address_refusal(ipaddress.ip_address(address)) is None) is allowed_by_default
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    assert (transport.address_refusal(ipaddress.ip_address(address)) is None) is allowed_with_private_networks


@pytest.mark.parametrize(
    "url, debug, private, refused",
    [
        ("https://93.184.215.14/hooks", False, False, None),
        ("http://93.184.215.14/hooks", False, False, "https://"),
        ("http://93.184.215.14/hooks", True, False, None),
        ("http://93.184.215.14/hooks", False, True, None),
        ("ftp://93.184.215.14/hooks", True, True, "https://"),
        ("https://user:secret@93.184.215.14/hooks", False, False, "credentials"),
        ("https://127.0.0.1/hooks", False, False, "loopback"),
        ("https://169.254.169.254/latest/meta-data/", False, True, "metadata"),
    ],
)
def test_a_url_is_checked_for_its_scheme_credentials_and_addresses(settings, url, debug, private, refused):
    settings.DEBUG, settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = debug, private
    if refused is None:
        assert transport.target_check(url).addresses
    else:
        with pytest.raises(transport.UnsafeTarget, match=refused):
            transport.target_check(url)


@pytest.fixture
def dns(monkeypatch):
    """The name server outside the system: names map to the addresses the test sets, others do not resolve."""
    records: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in records:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in records[host]]
        if host.replace(".", "").isdigit():
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)
    return records


def test_every_address_of_a_name_is_checked(dns, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    dns["erp.example.com"] = ["93.184.215.14", "10.0.0.5"]

    with pytest.raises(transport.UnsafeTarget, match="10.0.0.5"):
        transport.target_check("https://erp.example.com/hooks")


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(transport.UnsafeTarget, match="does not resolve"):
        transport.target_check("https://nowhere.example.com/hooks")


def test_the_checked_address_is_the_one_connected_to_with_the_urls_host(dns, receiver):
    dns["erp.example.com"] = ["127.0.0.1"]
    endpoint = webhook_endpoint_create(
        url=f"http://erp.example.com:{receiver.port}/hooks?tenant=7", events=["payment.created"]
    )
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})

    webhook_delivery_deliver(delivery_id=delivery.pk)

    [message] = receiver.wait_for(1)
    assert message.headers["host"] == f"erp.example.com:{receiver.port}"
    assert message.path == "/hooks?tenant=7"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_name_pointed_at_the_metadata_service_after_registration_is_refused_at_send_time(dns, receiver):
    dns["erp.example.com"] = ["127.0.0.1"]
    webhook_endpoint_create(url=f"http://erp.example.com:{receiver.port}/hooks", events=["payment.created"])
    dns["erp.example.com"] = ["169.254.169.254"]  # rebound
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})

    assert webhook_delivery_deliver(delivery_id=delivery.pk) is None

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert "169.254.169.254" in delivery.last_error
    assert receiver.received == []


def test_loopback_is_refused_at_send_time_once_private_networks_are_no_longer_allowed(receiver, settings):
    webhook_endpoint_create(url=receiver.url, events=["payment.created"])
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.DEBUG = True  # http:// stays allowed: the address is what is refused
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})

    webhook_delivery_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert "loopback" in delivery.last_error
    assert receiver.received == []


def test_a_stored_metadata_url_is_refused_at_send_time_even_with_private_networks_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    WebhookEndpointFactory(url="http://169.254.169.254/latest/meta-data/")
    [delivery] = webhook_event_record(event_type="payment.created", data={"id": 1})

    webhook_delivery_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert "metadata" in delivery.last_error
    assert delivery.response_status is None
