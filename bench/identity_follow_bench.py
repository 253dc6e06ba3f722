#!/usr/bin/env python3
"""Identity resolution after a bulk load: how fast the outbox follower works through it.

Starts a fresh payer360 server on an empty SQLite deployment, bulk-loads PEOPLE synthetic
Persons (bench/generate_people, 50,000 a request; the rate counts the requests alone), then, with no requests in flight, counts
the MemberIdentity rows the follower writes over --seconds (read straight from the SQLite file,
beside the server) and the server's CPU over the same time. Last, one identity call
(POST /api/v1/identity/match), which first finishes the catch-up itself: how long it takes
says how long an identity call waits after such a load.
Usage:
  python3 bench/identity_follow_bench.py --build build/release [--people 150000] [--seconds 8]
"""
import argparse
import os
import shutil
import sqlite3
import time

from authz_bench import start_empty_deployment, stop_server
from member360_bench import cpu_seconds
from records_bench import bulk_load_timed, identity_catch_up_seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--people", type=int, default=150_000)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    binary = os.path.join(args.build, "src/app/payer360")
    generator = os.path.join(args.build, "bench/generate_people")

    data, server, base, token = start_empty_deployment(binary, "p360_follow_")
    try:
        load_rate = bulk_load_timed(base, token, generator, 0, args.people, 50_000)

        with sqlite3.connect(os.path.join(data, "payer360.db")) as db:
            def resolved():
                return db.execute("SELECT count(*) FROM MemberIdentity").fetchone()[0]

            before, cpu_before, started = resolved(), cpu_seconds(server.pid), time.monotonic()
            time.sleep(args.seconds)
            after, cpu_after, elapsed = resolved(), cpu_seconds(server.pid), time.monotonic() - started

            call_seconds = identity_catch_up_seconds(base, token)
            final = resolved()
    finally:
        stop_server(server)
        shutil.rmtree(data, ignore_errors=True)

    done = after - before
    print(f"bulk load of {args.people:,} Persons: {load_rate:,.0f} records/s "
          f"({before:,} resolved by its end)")
    print(f"follower, no requests in flight: {done / elapsed:,.0f} Persons/s over {elapsed:.1f} s, "
          f"server CPU {(cpu_after - cpu_before) / elapsed:.2f} cores, "
          f"{1e6 * (cpu_after - cpu_before) / max(done, 1):.0f} µs a Person")
    print(f"identity call right after: {call_seconds:.1f} s (resolved then: {final:,} of {args.people:,})")


if __name__ == "__main__":
    main()
