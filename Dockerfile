# Multi-stage build: compile in the Rust image, run from a slim Debian with a non-root user.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY tests ./tests
COPY schema.graphql ./
RUN cargo build --release --locked --bin bakeplan

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/bakeplan bakeplan
COPY --from=build /src/target/release/bakeplan /usr/local/bin/bakeplan
USER bakeplan
WORKDIR /var/lib/bakeplan
ENV BAKEPLAN_BIND=0.0.0.0:8080 \
    BAKEPLAN_LOG_FORMAT=json
# DATABASE_URL is honoured: postgres://… for PostgreSQL; without it an embedded SQLite file
# (bakeplan.db in /var/lib/bakeplan; mount a volume there to keep it).
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
ENTRYPOINT ["bakeplan"]
CMD ["serve"]
