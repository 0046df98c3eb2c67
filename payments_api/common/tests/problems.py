"""Assertions on RFC 9457 problem-details responses, shared by the API tests."""

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code", "request_id"}


def assert_problem(response, status: int, code: str | None = None, *, fields: set[str] | None = None) -> dict:
    """The response is a problem document with `status` (and `code`, and field errors on exactly `fields`).

    Returns the problem without its `request_id`, which tells one request from another: two refusals of the same
    thing compare equal.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert PROBLEM_MEMBERS <= body.keys(), body
    assert body["status"] == status
    assert body["type"] == f"/problems/{body['code']}"
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    # The id a client quotes when reporting the failure: the response's own, or for a stored response replayed for an
    # Idempotency-Key, the id of the request that produced it (its log lines are that request's).
    if response.get("Idempotent-Replayed") == "true":
        assert isinstance(body["request_id"], str) and body["request_id"], body
    else:
        assert body["request_id"] == response["X-Request-ID"], body
    if code is not None:
        assert body["code"] == code, body
    if fields is not None:
        errors = body.get("errors", [])
        for error in errors:
            assert error.keys() == {"field", "detail", "code"}, error
        assert {error["field"] for error in errors} == fields, body
    return without_request_id(body)


def without_request_id(body: dict) -> dict:
    return {member: value for member, value in body.items() if member != "request_id"}
