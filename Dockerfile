FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RECALL_DATABASE=/data/recall.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app recall \
    && mkdir -p /data && chown recall /data

USER recall
VOLUME ["/data"]
ENTRYPOINT ["recall"]
CMD ["run"]
