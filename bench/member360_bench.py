#!/usr/bin/env python3
"""Member 360 under load: a real payer360 server on loopback, driven by wrk.

Builds (or reuses) a demo payer with `payer360 demo --members N --claim-rate R` — at 1,000,000
members and --claim-rate 3.4 that is about ten million claims — then, in one run, 32
connections (by default):
  1. /healthz, the ceiling every endpoint is compared with;
  2. GET /api/v1/members/{id}/360 for members drawn at random, as an administrator and as a
     member service agent (field and record security, every PHI disclosure audited);
  3. /healthz again, to show how steady the machine was;
and, before the load, the server CPU one 360 costs: user + system time of the server process
(/proc/PID/stat) over --cpu-calls sequential views of distinct members as the administrator.
Targets (the member 360 issue): p99 <= 10 ms at 32 connections, throughput >= 20% of /healthz.

The server keeps answers for reuse (--member360-cache-mib, 256 by default), so the figures depend
on how many distinct members the load draws (--sample) against how many answers fit. With
--warm, each sampled member is viewed once by each user before the load (a working set already
served once, as on a desk where the same members come up again), and the CPU of a call served
from kept answers is measured too; without it the load starts cold.
Usage:
  python3 bench/member360_bench.py --build build/release --data DIR [--members 1000000]
      [--claim-rate 3.4] [--seconds 15] [--connections 32] [--cpu-calls 500] [--sample N]
      [--warm] [--server-arg=--member360-cache-mib=0 ...]
DIR is kept: a second run on it skips the generation.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import time

from authz_bench import USERS, log_in, start_server, stop_server
from records_bench import http, rss_kib, wrk


def generate(binary, data, members, claim_rate):
    started = time.monotonic()
    subprocess.run([binary, "demo", "--data", data, "--members", str(members),
                    "--claim-rate", str(claim_rate)], check=True, stderr=subprocess.DEVNULL)
    for name, (role, password) in USERS.items():
        subprocess.run([binary, "user", "create", "--data", data, "--username", name, "--role", role,
                        "--password-stdin"], input=password + "\n", text=True, check=True,
                       capture_output=True)
    return time.monotonic() - started


def counts(data):
    # Read straight from the file, after the server has stopped: the API would need a million
    # requests to count this much.
    with sqlite3.connect(os.path.join(data, "payer360.db")) as db:
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in ("Person", "Claim", "ClaimLine", "Case", "Interaction", "Condition")}


def member_ids(data, sample):
    with sqlite3.connect(os.path.join(data, "payer360.db")) as db:
        total = db.execute("SELECT max(rowid) FROM Person").fetchone()[0]
        rows = random.sample(range(1, total + 1), min(sample, total))
        return [row[0] for rowid in rows
                for row in db.execute("SELECT id FROM Person WHERE rowid = ?", (rowid,))]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_per_call(server, base, token, ids):
    """Server CPU milliseconds per 360, over sequential calls (no concurrency to blur it)."""
    before = cpu_seconds(server.pid)
    for person in ids:
        http("GET", f"{base}/api/v1/members/{person}/360", token=token)
    return (cpu_seconds(server.pid) - before) * 1000 / max(len(ids), 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--data", required=True)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--claim-rate", type=float, default=3.4)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--cpu-calls", type=int, default=500)
    parser.add_argument("--cpu-only", action="store_true", help="measure CPU per call, skip wrk")
    parser.add_argument("--warm", action="store_true",
                        help="view every sampled member once per user before the load")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="an option for payer360 serve, e.g. --server-arg=--member360-cache-mib=0")
    args = parser.parse_args()
    binary = os.path.join(args.build, "src/app/payer360")

    if not os.path.exists(os.path.join(args.data, "payer360.db")):
        os.makedirs(args.data, exist_ok=True)
        print(f"generated in {generate(binary, args.data, args.members, args.claim_rate):,.0f} s")
    sizes = counts(args.data)
    ids_file = os.path.join(args.data, "member_ids.txt")
    with open(ids_file, "w") as out:
        out.write("\n".join(member_ids(args.data, args.sample)) + "\n")

    server, base = start_server(binary, args.data, args.server_arg)
    try:
        tokens = log_in(base)
        os.sync()
        time.sleep(3)
        seconds, connections = args.seconds, args.connections
        with open(ids_file) as listed:
            cpu_ids = listed.read().split()[:args.cpu_calls]
        cpu_ms = cpu_per_call(server, base, tokens["perf"], cpu_ids)
        if args.cpu_only:
            print(f"server CPU per 360: {cpu_ms:.3f} ms over {len(cpu_ids)} calls")
            return
        kept_cpu_ms = None
        if args.warm:
            with open(ids_file) as listed:
                warm_ids = listed.read().split()
            started = time.monotonic()
            for user in ("perf", "desk"):
                cpu_per_call(server, base, tokens[user], warm_ids)
            print(f"warm-up: {2 * len(warm_ids):,} views in {time.monotonic() - started:.1f} s")
            kept_cpu_ms = cpu_per_call(server, base, tokens["perf"], cpu_ids)
        template = {"IDS_FILE": ids_file, "PATH_TEMPLATE": "/api/v1/members/{id}/360"}
        results = {"healthz": wrk(base + "/healthz", seconds, connections, tokens["perf"])}
        results["360 as administrator"] = wrk(base, seconds, connections, tokens["perf"],
                                              "read_by_id.lua", template)
        results["360 as agent (audited)"] = wrk(base, seconds, connections, tokens["desk"],
                                                "read_by_id.lua", template)
        results["healthz_end"] = wrk(base + "/healthz", seconds, connections, tokens["perf"])
        memory = rss_kib(server.pid)
    finally:
        stop_server(server)

    print(f"\ndata: " + ", ".join(f"{name} {count:,}" for name, count in sizes.items()))
    print(f"\n| workload ({connections} connections, {seconds} s) | req/s | p50 ms | p99 ms | vs /healthz |")
    print("|---|---:|---:|---:|---:|")
    health = results["healthz"]["rps"]
    for name, row in results.items():
        print(f"| {name} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
              f"{row['rps'] / health:.0%} |" + (f" non-2xx {row['non2xx']}" if row["non2xx"] else ""))
    print(f"\nserver CPU per 360 (administrator, {len(cpu_ids)} sequential calls, distinct members): "
          f"{cpu_ms:.3f} ms")
    if kept_cpu_ms is not None:
        print(f"server CPU per 360 served from kept answers (the same calls again): "
              f"{kept_cpu_ms:.3f} ms")
    print(f"\nserver memory: VmRSS {memory['VmRSS'] / 1024:.0f} MiB, peak VmHWM {memory['VmHWM'] / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
