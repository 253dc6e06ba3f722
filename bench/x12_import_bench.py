#!/usr/bin/env python3
"""X12 834 enrollment import, end to end: a real payer360 server on loopback.

Generates an interchange of MEMBERS subscribers (bench/x12_bench --write: 1,000 members per
transaction set, each with two coverage lines), sets up the two plans it names, posts the file
to POST /api/v1/import/x12, and prints members and records written per second. Then posts the
same file again: every set is a duplicate and nothing is written.
Usage:
  python3 bench/x12_import_bench.py --build build/release [--members 50000]
"""
import argparse
import json
import os
import shutil
import subprocess
import time

from authz_bench import start_empty_deployment, stop_server
from records_bench import http


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--members", type=int, default=50_000)
    args = parser.parse_args()

    binary = os.path.join(args.build, "src/app/payer360")
    data, server, base, token = start_empty_deployment(binary, "p360_x12_")
    try:
        file = os.path.join(data, "enrollment.834")
        subprocess.run([os.path.join(args.build, "bench/x12_bench"), "--write", file, str(args.members)],
                       check=True)
        for code in ("HLT", "VIS"):
            plan = {"planCode": code, "name": "Employer " + code, "lineOfBusiness": "commercial",
                    "coverageTypes": ["medical"], "status": "active", "effectiveDate": "2020-01-01"}
            http("POST", base + "/api/v1/records/Plan", json.dumps(plan).encode(), token)
        body = open(file, "rb").read()
        rounds = {}
        for label in ("first", "again"):
            started = time.monotonic()
            _, answer = http("POST", base + "/api/v1/import/x12", body, token, "application/edi-x12")
            seconds = time.monotonic() - started
            result = json.loads(answer)
            statuses = [s["status"] for s in result["sets"]]
            created = sum(s["changes"]["created"] + s["changes"]["updated"] for s in result["sets"])
            rounds[label] = (seconds, statuses, created)
        seconds, statuses, written = rounds["first"]
        print(f"834 import of {args.members:,} members ({len(body) / 1e6:.1f} MB, "
              f"{len(statuses)} transaction sets): {seconds:.2f} s = {args.members / seconds:,.0f} "
              f"members/s, {written / seconds:,.0f} records/s ({written:,} records), "
              f"sets {sorted(set(statuses))}")
        seconds, statuses, written = rounds["again"]
        print(f"the same file again: {seconds:.2f} s, sets {sorted(set(statuses))}, {written} records written")
    finally:
        stop_server(server)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
