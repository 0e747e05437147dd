#!/usr/bin/env bash
# Benchmarks the SPEC §3.3 query (a page of 20 events with their targets, progress,
# recipes and latest runs) on a large generated data set, on PostgreSQL and on SQLite.
#
# For each backend: builds the data set with `bakeplan bench-data`, serves it from a
# release build, checks one response against the database (every number recomputed from
# the raw runs), then drives the query with wrk (16 connections by default), checking
# every response body against the checked one, and prints throughput and p50/p99 latency.
#
#   scripts/bench-events.sh                 # both backends
#   BACKENDS=sqlite DURATION=10s scripts/bench-events.sh
#   BENCH_DATA_ARGS="--production-runs 10000" scripts/bench-events.sh
#
# Needs: cargo, python3, psql (PostgreSQL on 127.0.0.1:5432, trust auth) and wrk
# (installed from Debian's packages when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-"postgres sqlite"}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
PORT=${PORT:-18089}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BENCH_URL=${PG_BENCH_URL:-postgres://postgres@127.0.0.1:5432/bakeplan_bench}
read -r -a BENCH_DATA_ARGS <<<"${BENCH_DATA_ARGS:---events 50 --recipes 200 --finished-goods 100 --production-runs 100000 --assembly-runs 50000}"

QUERY='{ events(first: 20) { nodes { name eventDate progress { packagesPending productionComplete }
    productionTargets { targetBatches recipe { name } progress { producedBatches progressPercent isComplete }
      productionRuns(first: 5) { totalCount nodes { numBatches actualYield producedAt } } }
    assemblyTargets { targetQuantity finishedGood { name } progress { assembledQuantity isComplete } } } } }'

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  apt-get install -y wrk >/dev/null
fi
cargo build --release --locked --quiet
BIN=target/release/bakeplan

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$QUERY" >"$work/request.json"

bench() {
  local backend=$1 url=$2 check_source=$3
  echo "== $backend: building the data set (${BENCH_DATA_ARGS[*]})"
  "$BIN" --database-url "$url" --log-format text bench-data "${BENCH_DATA_ARGS[@]}"
  "$BIN" --database-url "$url" serve --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --no-migrate 2>"$work/server-$backend.log" &
  server=$!
  for _ in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; then break; fi
    sleep 0.1
  done
  curl -sf -H 'Content-Type: application/json' --data-binary "@$work/request.json" \
    "http://127.0.0.1:$PORT/graphql" -o "$work/expected.json"
  echo "response: $(wc -c <"$work/expected.json") bytes"
  python3 scripts/check-events-response.py "$work/expected.json" $check_source
  # Warm up, then measure.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s scripts/bench-events.lua \
    "http://127.0.0.1:$PORT/graphql" -- "$work/request.json" "$work/expected.json" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench-events.lua \
    "http://127.0.0.1:$PORT/graphql" -- "$work/request.json" "$work/expected.json" \
    | tee "$work/wrk-$backend.txt"
  if ! grep -q "wrong=0" "$work/wrk-$backend.txt"; then
    echo "$backend: some responses were wrong" >&2
    exit 1
  fi
  echo "$backend $(grep RESULT "$work/wrk-$backend.txt")" >>"$work/results.txt"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=""
}

for backend in $BACKENDS; do
  case $backend in
    postgres)
      psql "$PG_ADMIN_URL" -q -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS bakeplan_bench" -c "CREATE DATABASE bakeplan_bench"
      bench postgres "$PG_BENCH_URL" "--postgres $PG_BENCH_URL"
      ;;
    sqlite)
      bench sqlite "$work/bench.sqlite" "--sqlite $work/bench.sqlite"
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done

echo
echo "== SPEC §3.3 query, $CONNECTIONS connections, $DURATION, $(nproc) cores"
cat "$work/results.txt"
