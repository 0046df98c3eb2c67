"""The API and the bare ceiling's views side by side, so one test client can ask both (they are two processes in
`make bench`)."""

from payments_api.bench.bare_urls import urlpatterns as bare_urlpatterns
from payments_api.urls import urlpatterns as service_urlpatterns

# The service answers /health/ itself.
urlpatterns = [*service_urlpatterns, *(url for url in bare_urlpatterns if str(url.pattern) != "health/")]
