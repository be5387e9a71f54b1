FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY mou ./mou
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
# Editable: templates/, static/ and migrations/ are found beside the package. The lock pins
# every version to what CI tested (./dev lock rewrites it).
RUN pip install --no-cache-dir -c requirements.lock -e .
ENV MOU_HOST=0.0.0.0
EXPOSE 8000
CMD ["mou", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
