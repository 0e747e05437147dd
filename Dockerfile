# Multi-stage build: compile in the Rust image, run from a slim Debian with a non-root user.
# `scripts/check-docker-context.sh` (run by CI) replays the build stage's COPY and RUN
# steps in a temporary directory holding only what is copied, so a missing file fails CI
# even where no Docker daemon runs.
FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies in their own layer, rebuilt only when the manifest or the lock file change:
# the targets Cargo.toml declares are stand-ins here.
COPY Cargo.toml Cargo.lock build.rs ./
COPY crates/domain/Cargo.toml ./crates/domain/
RUN mkdir -p src benches tests/it crates/domain/src \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs crates/domain/src/lib.rs \
    && echo 'fn main() {}' > benches/record_production.rs && touch tests/it/main.rs \
    && cargo build --release --locked --bin bakeplan \
    && rm -rf src benches tests crates/domain/src
COPY crates ./crates
COPY src ./src
COPY migrations ./migrations
COPY benches ./benches
COPY tests ./tests
COPY schema.graphql ./
# GraphiQL's pinned assets, embedded in the binary (src/http/graphiql.rs).
COPY assets ./assets
# Copied files keep their old modification times; touching the crate roots makes cargo
# rebuild the crate instead of keeping the stand-ins.
RUN touch src/main.rs src/lib.rs crates/domain/src/lib.rs && cargo build --release --locked --bin bakeplan

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/bakeplan bakeplan
COPY --from=build /src/target/release/bakeplan /usr/local/bin/bakeplan
USER bakeplan
WORKDIR /var/lib/bakeplan
# The embedded SQLite database (bakeplan.db) lives here unless DATABASE_URL names a
# PostgreSQL server (postgres://…).
VOLUME ["/var/lib/bakeplan"]
ENV BAKEPLAN_BIND=0.0.0.0:8080 \
    BAKEPLAN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
ENTRYPOINT ["bakeplan"]
CMD ["serve"]
