"""OpenAPI: the Standard Webhooks headers every event under `webhooks` is sent with."""

SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^msg_[0-9a-f]{32}$"},
        "description": "The delivery's id, the same on every retry and replay: de-duplicate on it.",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "When this attempt was signed, in Unix seconds (UTC).",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": (
            'v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"> keyed with the endpoint\'s secret; '
            "two, space separated, during a secret rotation."
        ),
    },
]


def declare_signature_headers(result, generator, request, public):
    """drf-spectacular postprocessing hook: the signature headers on every webhook's request."""
    for operations in result.get("webhooks", {}).values():
        for operation in operations.values():
            operation["parameters"] = [*SIGNATURE_HEADERS, *operation.get("parameters", [])]
    return result
