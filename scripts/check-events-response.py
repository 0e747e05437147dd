#!/usr/bin/env python3
"""Checks a response of the SPEC §3.3 query against the database it was served from.

Every number is recomputed from the raw runs (not from the maintained totals the server
reads), so a correct body proves the totals, the windowed latest-runs query and the
progress maths right on that data set.

    check-events-response.py RESPONSE.json --sqlite FILE
    check-events-response.py RESPONSE.json --postgres URL

Exits non-zero, saying what differs, when the body is wrong.
"""

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone


def sqlite_runner(path):
    import sqlite3

    connection = sqlite3.connect(path)

    def run(sql):
        return [tuple(str(v) if v is not None else None for v in row) for row in connection.execute(sql)]

    return run


def postgres_runner(url):
    def run(sql):
        out = subprocess.run(
            ["psql", url, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    return run


def as_utc(text):
    """A stored naive-UTC timestamp or an RFC 3339 one, as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def fail(message):
    print(f"response check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def expect(actual, wanted, where):
    if actual != wanted:
        fail(f"{where}: got {actual!r}, expected {wanted!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("response")
    parser.add_argument("--first", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--sqlite")
    source.add_argument("--postgres")
    args = parser.parse_args()
    run = sqlite_runner(args.sqlite) if args.sqlite else postgres_runner(args.postgres)

    with open(args.response, encoding="utf-8") as f:
        body = json.load(f)
    if "errors" in body:
        fail(f"errors in the response: {body['errors']}")
    events = body["data"]["events"]["nodes"]

    expected_events = run(
        f"SELECT id, name, event_date FROM events ORDER BY event_date, id LIMIT {args.first}"
    )
    expect(len(events), len(expected_events), "number of events")
    ids = ", ".join(row[0] for row in expected_events) or "NULL"

    def grouped(sql):
        """Rows of `sql` grouped by their first column (the event id), in row order."""
        groups = {}
        for row in run(sql):
            groups.setdefault(row[0], []).append(row[1:])
        return groups

    pending = grouped(
        "SELECT event_id, COUNT(*) FROM event_recipient_packages "
        f"WHERE event_id IN ({ids}) AND fulfillment_status = 'PENDING' GROUP BY event_id"
    )
    production_targets = grouped(
        "SELECT t.event_id, t.recipe_id, t.target_batches, r.name FROM event_production_targets t "
        f"JOIN recipes r ON r.id = t.recipe_id WHERE t.event_id IN ({ids}) ORDER BY t.event_id, t.id"
    )
    produced = {
        (e, r): (int(count), int(batches))
        for e, r, count, batches in run(
            "SELECT event_id, recipe_id, COUNT(*), SUM(num_batches) FROM production_runs "
            f"WHERE event_id IN ({ids}) GROUP BY event_id, recipe_id"
        )
    }
    latest = {}
    for e, r, num, yielded, at in run(
        "SELECT event_id, recipe_id, num_batches, actual_yield, produced_at FROM ("
        "SELECT p.*, ROW_NUMBER() OVER (PARTITION BY event_id, recipe_id "
        "ORDER BY produced_at DESC, id DESC) AS rn FROM production_runs p "
        f"WHERE event_id IN ({ids})) ranked WHERE rn <= {args.runs} "
        "ORDER BY event_id, recipe_id, rn"
    ):
        latest.setdefault((e, r), []).append((int(num), int(yielded), at))
    assembly_targets = grouped(
        "SELECT t.event_id, t.finished_good_id, t.target_quantity, g.name FROM event_assembly_targets t "
        f"JOIN finished_goods g ON g.id = t.finished_good_id WHERE t.event_id IN ({ids}) "
        "ORDER BY t.event_id, t.id"
    )
    assembled = {
        (e, g): int(quantity)
        for e, g, quantity in run(
            "SELECT event_id, finished_good_id, SUM(quantity) FROM assembly_runs "
            f"WHERE event_id IN ({ids}) GROUP BY event_id, finished_good_id"
        )
    }

    targets_seen = runs_seen = 0
    for event, (event_id, name, date) in zip(events, expected_events):
        where = f"event {name}"
        expect(event["name"], name, where)
        expect(event["eventDate"], str(date)[:10], f"{where} date")
        waiting = int(pending.get(event_id, [("0",)])[0][0])
        expect(event["progress"]["packagesPending"], waiting, f"{where} packagesPending")

        targets = production_targets.get(event_id, [])
        expect(len(event["productionTargets"]), len(targets), f"{where} production targets")
        all_complete = True
        for target, (recipe_id, batches, recipe_name) in zip(event["productionTargets"], targets):
            at = f"{where}, target {recipe_name}"
            batches = int(batches)
            expect(target["targetBatches"], batches, at)
            expect(target["recipe"]["name"], recipe_name, at)
            count, made = produced.get((event_id, recipe_id), (0, 0))
            progress = target["progress"]
            expect(progress["producedBatches"], made, f"{at} producedBatches")
            expect(progress["isComplete"], made >= batches, f"{at} isComplete")
            if abs(progress["progressPercent"] - made * 100.0 / batches) > 1e-9:
                fail(f"{at} progressPercent {progress['progressPercent']}")
            all_complete &= made >= batches
            page = target["productionRuns"]
            expect(page["totalCount"], count, f"{at} totalCount")
            newest = latest.get((event_id, recipe_id), [])
            expect(len(page["nodes"]), len(newest), f"{at} latest runs")
            for node, (num, yielded, produced_at) in zip(page["nodes"], newest):
                expect(node["numBatches"], num, f"{at} run batches")
                expect(node["actualYield"], yielded, f"{at} run yield")
                expect(as_utc(node["producedAt"]), as_utc(str(produced_at)), f"{at} run time")
                runs_seen += 1
            targets_seen += 1
        expect(event["progress"]["productionComplete"], all_complete, f"{where} productionComplete")

        goods = assembly_targets.get(event_id, [])
        expect(len(event["assemblyTargets"]), len(goods), f"{where} assembly targets")
        for target, (good_id, quantity, good_name) in zip(event["assemblyTargets"], goods):
            at = f"{where}, target {good_name}"
            quantity = int(quantity)
            expect(target["targetQuantity"], quantity, at)
            expect(target["finishedGood"]["name"], good_name, at)
            done = assembled.get((event_id, good_id), 0)
            expect(target["progress"]["assembledQuantity"], done, f"{at} assembledQuantity")
            expect(target["progress"]["isComplete"], done >= quantity, f"{at} isComplete")
            targets_seen += 1
    print(
        f"response checked against the database: {len(events)} events, "
        f"{targets_seen} targets, {runs_seen} latest runs — all correct"
    )


if __name__ == "__main__":
    main()
