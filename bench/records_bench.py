#!/usr/bin/env python3
"""Records API benchmark: a real payer360 server on loopback, driven by wrk.

Loads PEOPLE Person records through the bulk API, then measures in one run:
  - bulk NDJSON upsert throughput (initial load, and new records into the loaded table),
  - /healthz throughput (the ceiling every endpoint is compared with), measured first and again
    at the end (healthz_end) to show how steady the machine was during the run,
  - read by id, filtered list (indexed lastName, 50 rows), single-record POST,
  - server memory (VmRSS / VmHWM).
The read workloads start once identity resolution has caught up with the load (an identity call
waits for it), so they measure the server with every loaded Person in its member index.
Prints a Markdown table. Usage:
  python3 bench/records_bench.py --build build/release [--people 1000000] [--seconds 10]
      [--db postgresql://user@host:port/database]   (an empty database; default: SQLite)
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "benchmark-password-1"


def http(method, url, body=None, token=None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status, response.read()


def rss_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":")
                values[key] = int(value.split()[0])
    return values


def wrk(url, seconds, connections, token, script=None, env=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", os.path.join(HERE, "wrk", script)]
    command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})},
                            check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def millis(match):
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": rps, "p50_ms": millis(p50), "p99_ms": millis(p99),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else ""}


def bulk_load_timed(base, token, generator, first, count, chunk, seed=7):
    """Like bulk_load, but times only the HTTP requests (generation excluded)."""
    spent = 0.0
    for start in range(first, first + count, chunk):
        size = min(chunk, first + count - start)
        body = subprocess.run([generator, "--seed", str(seed), "--first", str(start), "--count", str(size)],
                              capture_output=True, check=True).stdout
        chunk_started = time.monotonic()
        status, answer = http("POST", f"{base}/api/v1/records/Person/bulk?externalId=sourceId&mode=partial",
                              body, token, "application/x-ndjson")
        spent += time.monotonic() - chunk_started
        summary = json.loads(answer)
        if status != 200 or summary["failed"]:
            sys.exit(f"bulk failed: {status} {summary.get('failed')}")
    return count / spent


def identity_catch_up_seconds(base, token):
    """Makes one identity call, which first finishes matching every Person written so far;
    returns how long it took."""
    started = time.monotonic()
    http("POST", base + "/api/v1/identity/match",
         json.dumps({"firstName": "Ann", "lastName": "Smith", "birthDate": "1980-01-01"}).encode(), token)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--extra", type=int, default=100_000, help="new records upserted after the load")
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--db", help="run on this (empty) PostgreSQL database instead of SQLite")
    parser.add_argument("--serve-args", default="", help="more options for payer360 serve")
    args = parser.parse_args()

    binary = os.path.join(args.build, "src/app/payer360")
    generator = os.path.join(args.build, "bench/generate_people")
    data = tempfile.mkdtemp(prefix="p360_bench_")
    where = ["--data", data] + (["--db", args.db] if args.db else [])
    subprocess.run([binary, "user", "create", *where, "--username", "perf", "--role", "admin",
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    port_file = os.path.join(data, "port")
    log = open(os.path.join(data, "server.log"), "w")
    server = subprocess.Popen([binary, "serve", *where, "--port", "0", "--port-file", port_file,
                               *args.serve_args.split()],
                              stdout=log, stderr=log)
    try:
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            time.sleep(0.05)
        base = "http://127.0.0.1:" + open(port_file).read().strip()
        _, answer = http("POST", base + "/api/v1/auth/login",
                         json.dumps({"username": "perf", "password": PASSWORD}).encode())
        token = json.loads(answer)["token"]

        results = {}
        results["bulk_initial_rps"] = bulk_load_timed(base, token, generator, 0, args.people, args.chunk)
        results["bulk_into_loaded_rps"] = bulk_load_timed(base, token, generator, args.people, args.extra,
                                                          args.chunk)
        total = args.people + args.extra

        # Sample ids and last names for the read workloads.
        ids, names = [], set()
        cursor = None
        while len(ids) < 20_000:
            url = base + "/api/v1/records/Person?limit=1000&fields=id,lastName"
            if cursor:
                url += "&cursor=" + urllib.request.quote(cursor)
            _, answer = http("GET", url, token=token)
            page = json.loads(answer)
            ids += [item["id"] for item in page["items"]]
            names.update(item["lastName"] for item in page["items"])
            cursor = page["nextCursor"]
            if not cursor:
                break
        random.shuffle(ids)
        ids_file = os.path.join(data, "ids.txt")
        names_file = os.path.join(data, "names.txt")
        open(ids_file, "w").write("\n".join(ids) + "\n")
        open(names_file, "w").write("\n".join(sorted(names)) + "\n")

        # Every loaded Person is matched by identity resolution in the background; an identity
        # call first finishes that catch-up, so the reads below see the server as it serves
        # once the load is resolved, with the whole member index in memory. How long the
        # catch-up took is reported.
        results["identity_catch_up_s"] = identity_catch_up_seconds(base, token)
        results["memory_after_load_kib"] = rss_kib(server.pid)

        # Let the load's last checkpoint and the kernel's write-back finish, so they do not
        # compete with the first measurement. On PostgreSQL, also do now what autovacuum would
        # otherwise start on the freshly loaded table during the reads (the documented step
        # after a bulk load: VACUUM ANALYZE), and checkpoint.
        if args.db:
            subprocess.run(["psql", args.db, "-qc", "VACUUM (ANALYZE)"], check=True)
            subprocess.run(["psql", args.db, "-qc", "CHECKPOINT"], check=False)
        os.sync()
        time.sleep(3)
        seconds, connections = args.seconds, args.connections
        results["healthz"] = wrk(base + "/healthz", seconds, connections, token)
        results["read_by_id"] = wrk(base, seconds, connections, token, "read_by_id.lua", {"IDS_FILE": ids_file})
        results["filtered_list"] = wrk(base, seconds, connections, token, "filtered_list.lua",
                                       {"NAMES_FILE": names_file})
        results["create_one"] = wrk(base, seconds, connections, token, "create_person.lua",
                                    {"RUN_TAG": str(int(time.time()))})
        # /healthz again at the end: the spread between the two says how steady the machine was.
        results["healthz_end"] = wrk(base + "/healthz", seconds, connections, token)
        results["memory_kib"] = rss_kib(server.pid)
        results["people"] = total
        results["distinct_last_names"] = len(names)

        health = results["healthz"]["rps"]
        print(f"\n| workload ({total:,} Person records, {connections} connections, {seconds}s) | req/s | p50 ms | p99 ms | vs /healthz |")
        print("|---|---:|---:|---:|---:|")
        for key in ("healthz", "read_by_id", "filtered_list", "create_one", "healthz_end"):
            row = results[key]
            print(f"| {key} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
                  f"{row['rps'] / health:.0%} |" + (f" non-2xx {row['non2xx']}" if row["non2xx"] else ""))
        print(f"\nbulk upsert, initial load of {args.people:,}: {results['bulk_initial_rps']:,.0f} records/s")
        print(f"bulk upsert, {args.extra:,} new into {args.people:,}: {results['bulk_into_loaded_rps']:,.0f} records/s")
        print(f"waited {results['identity_catch_up_s']:.1f} s for identity resolution to catch up with the load; "
              f"VmRSS then {results['memory_after_load_kib']['VmRSS'] / 1024:.0f} MiB")
        print(f"server memory: VmRSS {results['memory_kib']['VmRSS'] / 1024:.0f} MiB, "
              f"peak VmHWM {results['memory_kib']['VmHWM'] / 1024:.0f} MiB")
        print("\n" + json.dumps(results))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
