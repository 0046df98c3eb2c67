"""Tests that span apps: the API as a whole (OWASP API Top 10, problem details, schema fuzzing, pagination, limits,
throttling, middleware) and the admin across apps. Each app's own tests/ tests that app."""
