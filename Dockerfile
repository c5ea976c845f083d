# copbot: migrates its database, then serves Slack (HTTP on $PORT, or Socket Mode when
# SLACK_APP_TOKEN is set) with the scheduler, as an unprivileged user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY migrations ./migrations
COPY scheduler ./scheduler
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORT=3000
RUN useradd --create-home --uid 10001 copbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER copbot
WORKDIR /home/copbot
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os,urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)" || exit 1
# `copbot run` applies pending migrations before it serves; `migrate` first makes a failed
# migration stop the container with its own message rather than a half-started server.
CMD ["sh", "-c", "copbot migrate && exec copbot run"]
