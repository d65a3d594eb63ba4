# coregroup in a container: the locked dependencies, a non-root user, a health check, no secrets.
# Settings (tokens, DATABASE_URL, ...) come from the environment at run time: see compose.yaml and
# docs/operations.md. Not built in this repository's CI (no image registry is reachable there).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COREGROUP_LOG_FORMAT=json

WORKDIR /app
# The lock first, so a code change does not reinstall every dependency.
COPY requirements.lock ./
RUN python -m pip install -r requirements.lock
COPY pyproject.toml ./
COPY bot ./bot
COPY handlers ./handlers
COPY scheduling ./scheduling
COPY storage ./storage
RUN python -m pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /var/lib/coregroup --create-home coregroup

USER coregroup
WORKDIR /var/lib/coregroup
EXPOSE 3000
# Liveness: /healthz answers in every mode (Socket Mode included, on --port). Readiness (/readyz)
# is for the orchestrator or load balancer to ask.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"]
# 0.0.0.0 inside the container: the port is published (or not) by whoever runs it.
ENTRYPOINT ["coregroup"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3000"]
