#!/usr/bin/env python3
"""`payer360 identity dedupe` over a database of PEOPLE synthetic Persons.

--load: creates DATA (an empty directory), loads PEOPLE Persons from bench/generate_people
through the bulk API of a real server, stops it and keeps a pristine copy of the database
(payer360.db.loaded) so every run starts from the same state.
--run BINARY: restores the pristine copy (unless --again), runs
`/usr/bin/time -v BINARY identity dedupe --data DATA --report DATA/report.csv` and prints wall
time, peak RSS, the command's summary and the report's line count (progress, timed, goes to
DATA/dedupe.log as it runs). --again runs on the state
the previous run left (the idempotent re-run).
Usage:
  python3 bench/identity_dedupe_bench.py --build build/release --data DIR --load [--people N]
  python3 bench/identity_dedupe_bench.py --data DIR --run build/release/src/app/payer360 [--again]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import time

from authz_bench import start_server, stop_server
from records_bench import PASSWORD, bulk_load_timed, http

DATABASE_FILES = ("payer360.db", "payer360.db-wal", "payer360.db-shm")


def load(args):
    binary = os.path.join(args.build, "src/app/payer360")
    generator = os.path.join(args.build, "bench/generate_people")
    os.makedirs(args.data, exist_ok=True)
    subprocess.run([binary, "user", "create", "--data", args.data, "--username", "perf", "--role",
                    "admin", "--password-stdin"], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    server, base = start_server(binary, args.data)
    try:
        _, answer = http("POST", base + "/api/v1/auth/login",
                         json.dumps({"username": "perf", "password": PASSWORD}).encode())
        token = json.loads(answer)["token"]
        started = time.monotonic()
        rate = bulk_load_timed(base, token, generator, 0, args.people, args.chunk, args.seed)
        print(f"loaded {args.people:,} Persons (seed {args.seed}) in "
              f"{time.monotonic() - started:,.0f} s, {rate:,.0f} records/s through the bulk API")
    finally:
        stop_server(server)
    for name in DATABASE_FILES:
        path = os.path.join(args.data, name)
        if os.path.exists(path):
            shutil.copyfile(path, path + ".loaded")


def restore(data):
    for name in DATABASE_FILES:
        path = os.path.join(data, name)
        if os.path.exists(path):
            os.remove(path)
        if os.path.exists(path + ".loaded"):
            shutil.copyfile(path + ".loaded", path)


def run(args):
    if not args.again:
        restore(args.data)
    report = os.path.join(args.data, "report.csv")
    # Progress goes to DATA/dedupe.log as it comes, each line after the seconds since the start.
    log_path = os.path.join(args.data, "dedupe.log")
    started = time.monotonic()
    command = subprocess.Popen(["/usr/bin/time", "-v", args.run, "identity", "dedupe", "--data",
                                args.data, "--report", report],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(log_path, "w") as log:
        for line in command.stderr:
            log.write(f"{time.monotonic() - started:7.1f} {line}")
            log.flush()
    summary = command.stdout.read()
    errors = open(log_path).read()
    if command.wait() != 0:
        raise SystemExit(errors[-4000:])
    wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", errors).group(1)
    peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", errors).group(1))
    with open(report) as lines:
        report_lines = sum(1 for _ in lines) - 1
    print(summary.strip())
    print(f"wall {wall}, peak RSS {peak_kib / 1024 / 1024:.2f} GiB ({peak_kib:,} KiB), "
          f"report lines {report_lines:,}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--data", required=True)
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--run", metavar="BINARY")
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    if args.load:
        load(args)
    if args.run:
        run(args)


if __name__ == "__main__":
    main()
