from django.db import connection

QUERY_COUNT_REQUEST_HEADER = "X-Bench-Queries"
QUERY_COUNT_RESPONSE_HEADER = "X-Query-Count"


class QueryCountMiddleware:
    """Count the SQL queries of a request sent with X-Bench-Queries and report them in X-Query-Count.

    Requests without the header (all of those the load generator sends) are passed through untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if QUERY_COUNT_REQUEST_HEADER not in request.headers:
            return self.get_response(request)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response[QUERY_COUNT_RESPONSE_HEADER] = str(queries)
        return response
