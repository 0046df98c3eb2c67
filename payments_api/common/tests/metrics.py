"""Reading /metrics as Prometheus does, for the tests."""

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse_samples(text: str) -> Samples:
    """Every sample of a Prometheus text exposition, keyed by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client | None = None) -> Samples:
    """GET /metrics from the loopback address, as the local Prometheus would."""
    response = (client or Client()).get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200, response.content
    return parse_samples(response.content.decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a labelled series not written yet (as Prometheus reads a counter not yet moved)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
