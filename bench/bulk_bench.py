#!/usr/bin/env python3
"""Bulk upsert benchmark: a real payer360 server on loopback, only the bulk NDJSON phases.

Runs three phases of POST /api/v1/records/Person/bulk (partial mode, 50,000 lines a request):
  initial  PEOPLE new records into an empty table,
  into     EXTRA new records into the loaded table,
  update   the same EXTRA records again with other values (every line an update, most tracked
           fields changed, so each line also writes field history).
For each it prints records/s (HTTP requests only, generation excluded) and the CPU time spent
per record by the payer360 server and, under scripts/with-postgres.sh, by the PostgreSQL
cluster's processes (read from /proc): CPU per record moves far less than records/s when other
work shares the machine. Usage:
  python3 bench/bulk_bench.py --build build/release [--people 200000] [--extra 50000]
      [--db postgresql://user@host:port/database]   (an empty database; default: SQLite)
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import records_bench  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
LINES_PER_REQUEST = 50_000


def cpu_seconds(pid, with_children):
    """User + system CPU of a process (and of its children it has waited for)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    user, system, children_user, children_system = (int(value) for value in fields[11:15])
    own = user + system
    return (own + (children_user + children_system if with_children else 0)) / TICKS


def cluster_cpu_seconds(postmaster):
    """CPU of the PostgreSQL cluster: the postmaster, its live children and those it reaped."""
    if postmaster is None:
        return 0.0
    total = cpu_seconds(postmaster, True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == postmaster:
                total += cpu_seconds(int(entry), True)
        except (OSError, ValueError):
            pass
    return total


def postmaster_of_test_cluster():
    """The postmaster of scripts/with-postgres.sh's cluster, when running under it."""
    control = os.environ.get("P360_TEST_POSTGRES_CTL")
    if not control:
        return None
    with open(os.path.join(os.path.dirname(control), "data", "postmaster.pid")) as pid_file:
        return int(pid_file.readline())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--extra", type=int, default=50_000)
    parser.add_argument("--db", help="run on this (empty) PostgreSQL database instead of SQLite")
    args = parser.parse_args()

    binary = os.path.join(args.build, "src/app/payer360")
    generator = os.path.join(args.build, "bench/generate_people")
    postmaster = postmaster_of_test_cluster() if args.db else None
    data = tempfile.mkdtemp(prefix="p360_bulk_bench_")
    where = ["--data", data] + (["--db", args.db] if args.db else [])
    subprocess.run([binary, "user", "create", *where, "--username", "perf", "--role", "admin",
                    "--password-stdin"], input=records_bench.PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    port_file = os.path.join(data, "port")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen([binary, "serve", *where, "--port", "0", "--port-file", port_file],
                              stdout=log, stderr=log)
    try:
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            time.sleep(0.05)
        base = "http://127.0.0.1:" + open(port_file).read().strip()
        _, answer = records_bench.http("POST", base + "/api/v1/auth/login", json.dumps(
            {"username": "perf", "password": records_bench.PASSWORD}).encode())
        token = json.loads(answer)["token"]
        results = {}
        phases = (("initial", 7, 0, args.people), ("into", 7, args.people, args.extra),
                  ("update", 8, args.people, args.extra))
        for name, seed, first, count in phases:
            server_before, cluster_before = cpu_seconds(server.pid, False), cluster_cpu_seconds(postmaster)
            records_per_s = records_bench.bulk_load_timed(base, token, generator, first, count,
                                                          LINES_PER_REQUEST, seed)
            server_after, cluster_after = cpu_seconds(server.pid, False), cluster_cpu_seconds(postmaster)
            results[name] = {"records_per_s": records_per_s,
                             "server_cpu_us_per_record": (server_after - server_before) * 1e6 / count,
                             "postgres_cpu_us_per_record": (cluster_after - cluster_before) * 1e6 / count}
        print("| phase | records/s | payer360 CPU µs/record | PostgreSQL CPU µs/record |")
        print("|---|---:|---:|---:|")
        for name, row in results.items():
            print(f"| {name} | {row['records_per_s']:,.0f} | {row['server_cpu_us_per_record']:.0f} | "
                  f"{row['postgres_cpu_us_per_record']:.0f} |")
        print("\n" + json.dumps(results))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
