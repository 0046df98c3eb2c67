"""OpenAPI additions: the problem responses every operation can give, so clients (and fuzzers) see all of them."""

from payments_api.common.exceptions import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMAS = {
    "ProblemFieldError": {
        "type": "object",
        "properties": {
            "field": {"type": ["string", "null"], "description": "The field (or header), dotted if nested."},
            "detail": {"type": "string"},
            "code": {"type": "string"},
        },
        "required": ["field", "detail", "code"],
    },
    "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem document; `code` is stable, `detail` is for people.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemFieldError"}},
            "request_id": {
                "type": "string",
                "description": "The request's id, as in the X-Request-ID response header: quote it when reporting.",
            },
        },
        "required": ["type", "title", "status", "detail", "code"],
    },
}

DESCRIPTIONS = {
    "400": "The request is not valid (a field, a query parameter, a header or malformed JSON).",
    "401": "No valid token, or wrong credentials.",
    "403": "The caller may not do this.",
    "404": "No such object visible to the caller, or a page out of range.",
    "409": "The object's state, or an Idempotency-Key used for another request, forbids it.",
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
    "429": "Too many requests; retry after the number of seconds in Retry-After.",
}

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}
REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present when this is the stored response to an earlier request with the same Idempotency-Key.",
    }
}

# What the create action itself answers (and so is stored and replayed); the rest is refused before it runs.
REPLAYABLE = {"200", "201", "400", "403", "409"}


def _problem_codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400", "429"]
    if operation.get("security") != [{}] and not path.startswith("/api/token/"):
        codes += ["401", "403"]
    if path.startswith("/api/token/"):
        codes.append("401")  # wrong credentials, or an invalid, expired or blacklisted token
    if "{" in path or method == "get":
        codes.append("404")
    if "requestBody" in operation:
        codes += ["413", "415"]
    idempotent = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    if idempotent or method == "patch":
        codes.append("409")
    # An operation names further problems it answers with extend_schema(extensions={"x-problems": [...]}).
    codes += [code for code in operation.pop("x-problems", []) if code not in codes]
    codes += [code for code in operation.get("x-problem-codes", {}) if code not in codes]
    return codes


def declare_problem_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the problem responses and the headers that go with them."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(PROBLEM_SCHEMAS)
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    parameter["allowEmptyValue"] = True  # a blank query parameter means it is not given
            responses = operation.setdefault("responses", {})
            # extend_schema(extensions={"x-problem-codes": {"409": [...]}}): the problem codes an operation answers
            # with a status, named in its description and kept as the extension for clients to read.
            codes_by_status = operation.get("x-problem-codes", {})
            for code in _problem_codes(path, method, operation):
                description = DESCRIPTIONS[code]
                if codes_by_status.get(code):
                    description += " Codes: " + ", ".join(f"`{name}`" for name in codes_by_status[code]) + "."
                responses.setdefault(code, {"description": description, "content": problem})
            responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
            if any(p.get("in") == "query" for p in operation.get("parameters", [])):
                # Said by the HTTP server (gunicorn) before the application sees the request; its body is not ours.
                responses.setdefault("414", {"description": "The URL is longer than the HTTP server accepts."})
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                for code, response in responses.items():
                    if code in REPLAYABLE:
                        response.setdefault("headers", {}).update(REPLAYED)
    return result
