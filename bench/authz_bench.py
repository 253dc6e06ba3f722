#!/usr/bin/env python3
"""Authorization and access-audit overhead: a real payer360 server on loopback, driven by wrk.

Loads PEOPLE Person records, then reads random records by id, 64 connections:
  1. with the access audit on: as an administrator and as a member service agent (object,
     field and record checks; every read discloses ~30 PHI fields and is audited);
  2. on the same data directory, restarted with --access-audit off: the same reads again.
The target: the agent's audited read ≥ 80% of the administrator's read without the audit.
The audit's own cost is the administrator's read with the audit against without it.
Usage:
  python3 bench/authz_bench.py --build build/release [--people 200000] [--seconds 10]
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

from records_bench import bulk_load_timed, http, rss_kib, wrk

USERS = {"perf": ("admin", "measure-it-all-1"), "desk": ("agent", "answer-the-phone-1")}


def start_server(binary, data, extra=()):
    port_file = os.path.join(data, "port")
    if os.path.exists(port_file):
        os.remove(port_file)
    log = open(os.path.join(data, "server.log"), "a")
    server = subprocess.Popen([binary, "serve", "--data", data, "--port", "0", "--port-file", port_file,
                               "--no-access-log", *extra], stdout=log, stderr=log)
    while not os.path.exists(port_file) or not open(port_file).read().strip():
        time.sleep(0.05)
    return server, "http://127.0.0.1:" + open(port_file).read().strip()


def stop_server(server):
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


def start_empty_deployment(binary, prefix, username="loader", password="load-it-all-1"):
    """A new data directory with one administrator, its server started and the administrator
    logged in: (data directory, server, base URL, token). The caller stops the server and
    removes the directory."""
    data = tempfile.mkdtemp(prefix=prefix)
    subprocess.run([binary, "user", "create", "--data", data, "--username", username, "--role", "admin",
                    "--password-stdin"], input=password + "\n", text=True, check=True, capture_output=True)
    server, base = start_server(binary, data)
    try:
        _, answer = http("POST", base + "/api/v1/auth/login",
                         json.dumps({"username": username, "password": password}).encode())
    except Exception:
        stop_server(server)
        raise
    return data, server, base, json.loads(answer)["token"]


def log_in(base):
    tokens = {}
    for name, (_, password) in USERS.items():
        _, answer = http("POST", base + "/api/v1/auth/login",
                         json.dumps({"username": name, "password": password}).encode())
        tokens[name] = json.loads(answer)["token"]
    return tokens


def sample_ids(base, token, count):
    ids, cursor = [], None
    while len(ids) < count:
        url = base + "/api/v1/records/Person?limit=1000&fields=id"
        if cursor:
            url += "&cursor=" + urllib.parse.quote(cursor, safe="")
        _, answer = http("GET", url, token=token)
        page = json.loads(answer)
        ids += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    random.shuffle(ids)
    return ids


def measure(base, tokens, ids_file, seconds, connections):
    results = {"healthz": wrk(base + "/healthz", seconds, connections, tokens["perf"])}
    for name in ("perf", "desk"):
        results[name] = wrk(base, seconds, connections, tokens[name], "read_by_id.lua",
                            {"IDS_FILE": ids_file})
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    binary = os.path.join(args.build, "src/app/payer360")
    generator = os.path.join(args.build, "bench/generate_people")
    data = tempfile.mkdtemp(prefix="p360_authz_")
    for name, (role, password) in USERS.items():
        subprocess.run([binary, "user", "create", "--data", data, "--username", name, "--role", role,
                        "--password-stdin"], input=password + "\n", text=True, check=True,
                       capture_output=True)
    try:
        server, base = start_server(binary, data)
        tokens = log_in(base)
        bulk_load_timed(base, tokens["perf"], generator, 0, args.people, args.chunk)
        ids_file = os.path.join(data, "ids.txt")
        open(ids_file, "w").write("\n".join(sample_ids(base, tokens["perf"], 20_000)) + "\n")
        audited = measure(base, tokens, ids_file, args.seconds, args.connections)
        audited["memory_kib"] = rss_kib(server.pid)
        stop_server(server)

        server, base = start_server(binary, data, ("--access-audit", "off"))
        tokens = log_in(base)
        unaudited = measure(base, tokens, ids_file, args.seconds, args.connections)
        stop_server(server)

        baseline = unaudited["perf"]["rps"]
        print(f"\n| read by id, {args.people:,} Person, {args.connections} connections, "
              f"{args.seconds}s | audit | req/s | p50 ms | p99 ms | vs admin without audit |")
        print("|---|---|---:|---:|---:|---:|")
        for label, run, key, audit in (("/healthz", audited, "healthz", "on"),
                                       ("administrator", audited, "perf", "on"),
                                       ("member service agent", audited, "desk", "on"),
                                       ("/healthz", unaudited, "healthz", "off"),
                                       ("administrator", unaudited, "perf", "off"),
                                       ("member service agent", unaudited, "desk", "off")):
            row = run[key]
            print(f"| {label} | {audit} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
                  f"{row['rps'] / baseline:.0%} |" + (f" non-2xx {row['non2xx']}" if row["non2xx"] else ""))
        print(f"\nagent audited / admin unaudited: {audited['desk']['rps'] / baseline:.0%} (target ≥ 80%)")
        print(f"audit cost on the admin read: {1 - audited['perf']['rps'] / baseline:.0%} of throughput")
        print("\n" + json.dumps({"audited": audited, "unaudited": unaudited}))
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
