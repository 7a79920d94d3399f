# Volunteer Ledger service image (API: `volunteer-ledger serve`; worker: `volunteer-ledger projections run`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Documents (WeasyPrint): pango, and the CJK font the PDFs embed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first (cached layer), then the code.
COPY pyproject.toml constraints.txt README.md ./
COPY domain/ domain/
COPY application/ application/
COPY infrastructure/ infrastructure/
COPY interfaces/ interfaces/
COPY demo/ demo/
RUN pip install -c constraints.txt . \
    && useradd --create-home --uid 10001 ledger \
    && mkdir -p /app/var && chown ledger:ledger /app/var

USER ledger

EXPOSE 8000
CMD ["volunteer-ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
