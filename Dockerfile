FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# The pipenv version contrib/pipenv pins for make install.
RUN pip install pipenv==2026.10.3
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home app
USER app
EXPOSE 8000
# /health/ answers 503 only when the database is unreachable (200 "degraded" with the broker down: requests still
# succeed and their e-mails wait in the outbox). The request names the first of ALLOWED_HOSTS as its
# Host, so a production ALLOWED_HOSTS does not make it a 400. Python's urllib: slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('*.') or 'localhost'; r.urlopen(r.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/', headers={'Host': host}), timeout=4)"]
CMD ["gunicorn", "payments_api.wsgi", "--config", "gunicorn.conf.py"]
