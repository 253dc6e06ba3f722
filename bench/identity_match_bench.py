#!/usr/bin/env python3
"""Identity match through the server: POST /api/v1/identity/match against a large index.

Works on a data directory that already holds the members (for instance the one
bench/member360_bench.py builds with a million of them). With --dedupe it resolves them first
with `payer360 identity dedupe` when they have no golden member yet (timed). Starts the server
(which indexes every Person as it starts),
then sends REQUESTS match requests one after the other from one client, as a member service
agent; each candidate is a sampled Person with one typing error in a name (a letter dropped,
doubled or swapped) and its birth date and postal code. Prints p50, p99 and max, and how often
the sampled Person came back first.
Target (the identity issue): p99 <= 20 ms against a 1M-member index.
Usage:
  python3 bench/identity_match_bench.py --build build/release --data DIR [--requests 2000]
      [--dedupe]
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import time

from authz_bench import log_in, start_server, stop_server
from records_bench import http, rss_kib


def with_typo(rng, text):
    if len(text) < 4:
        return text
    at = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:at] + text[at + 1:]
    if kind == 1:
        return text[:at] + text[at] + text[at:]
    return text[:at - 1] + text[at] + text[at - 1] + text[at + 1:]


def sample_people(data, count, rng):
    with sqlite3.connect(os.path.join(data, "payer360.db")) as db:
        total = db.execute("SELECT max(rowid) FROM Person").fetchone()[0]
        people = []
        for rowid in rng.sample(range(1, total + 1), count):
            row = db.execute("SELECT id, firstName, lastName, birthDate, postalCode FROM Person "
                             "WHERE rowid = ?", (rowid,)).fetchone()
            if row and row[1] and row[2]:
                people.append(row)
        return people, total


def unresolved(data):
    with sqlite3.connect(os.path.join(data, "payer360.db")) as db:
        return db.execute("SELECT count(*) FROM Person WHERE id NOT IN "
                          "(SELECT person FROM MemberIdentity)").fetchone()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--data", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--dedupe", action="store_true",
                        help="first resolve every Person without a golden member (batch dedupe); "
                             "without it the server matches against the index of every Person "
                             "all the same, only without golden member ids")
    args = parser.parse_args()
    binary = os.path.join(args.build, "src/app/payer360")
    rng = random.Random(20261126)

    if args.dedupe and unresolved(args.data) > 0:
        started = time.monotonic()
        subprocess.run([binary, "identity", "dedupe", "--data", args.data, "--report",
                        os.path.join(args.data, "dedupe_report.csv")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"identity dedupe of the unresolved members: {time.monotonic() - started:,.0f} s")
    people, total = sample_people(args.data, args.requests, rng)

    server, base = start_server(binary, args.data)
    try:
        token = log_in(base)["desk"]
        started = time.monotonic()
        http("POST", base + "/api/v1/identity/match", json.dumps({"lastName": "Warmup"}).encode(),
             token)
        first_call = time.monotonic() - started
        latencies, first = [], 0
        for person_id, first_name, last_name, birth_date, postal_code in people:
            candidate = {"firstName": first_name, "lastName": with_typo(rng, last_name),
                         "birthDate": birth_date, "postalCode": postal_code}
            started = time.monotonic()
            _, answer = http("POST", base + "/api/v1/identity/match",
                             json.dumps(candidate).encode(), token)
            latencies.append((time.monotonic() - started) * 1000)
            candidates = json.loads(answer)["candidates"]
            first += bool(candidates) and candidates[0]["personId"] == person_id
        memory = rss_kib(server.pid)
    finally:
        stop_server(server)

    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"\n{total:,} Person records; first identity call after start {first_call * 1000:,.0f} ms")
    print(f"| requests | p50 ms | p99 ms | max ms | sampled person ranked first |")
    print(f"|---:|---:|---:|---:|---:|")
    print(f"| {len(latencies):,} | {pick(0.5):.2f} | {pick(0.99):.2f} | {latencies[-1]:.2f} | "
          f"{first / len(latencies):.2%} |")
    print(f"server memory: VmRSS {memory['VmRSS'] / 1024:.0f} MiB, peak VmHWM {memory['VmHWM'] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
