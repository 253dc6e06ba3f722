#!/usr/bin/env python3
"""FHIR Bulk Data $export, end to end: a real payer360 server on loopback.

Loads MEMBERS synthetic members with the demo generator (`payer360 demo`: each member a Person
with coverage, and the plans, providers, conditions and medications around them), then kicks
off a system-level `$export` (by default of Patient and Coverage) as an administrator and
polls the status URL until the manifest is complete. The figure is resources per second from
kick-off to complete manifest — the resources read through the records layer, turned into
FHIR and written as NDJSON in the data directory. Then every file is downloaded once, and the
lines counted against the manifest.
Usage:
  python3 bench/fhir_export_bench.py --build build/release [--members 100000]
      [--types Patient,Coverage] [--runs 2] [--data DIR]
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from authz_bench import start_server, stop_server
from records_bench import rss_kib
PASSWORD = "export-the-members-1"


def request(method, url, body=None, headers=None):
    """(status, body, headers) of one request on a connection of its own."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    target = parts.path + ("?" + parts.query if parts.query else "")
    connection.request(method, target, body, {"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    return response.status, answer, dict(response.getheaders())


def cpu_seconds(pid):
    """User and system CPU time of a process so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def export(base, token, types):
    headers = {"Authorization": "Bearer " + token, "Prefer": "respond-async"}
    query = "?_type=" + urllib.parse.quote(types) if types else ""
    started = time.monotonic()
    status, answer, response_headers = request("GET", base + "/fhir/r4/$export" + query,
                                               headers=headers)
    assert status == 202, answer
    status_url = response_headers["Content-Location"]
    polls = 0
    while True:
        status, answer, _ = request("GET", status_url, headers=headers)
        polls += 1
        if status != 202:
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    assert status == 200, answer
    return seconds, json.loads(answer), polls


def download(manifest, token):
    lines, size = 0, 0
    started = time.monotonic()
    for output in manifest["output"]:
        status, body, _ = request("GET", output["url"], headers={"Authorization": "Bearer " + token})
        assert status == 200
        count = body.count(b"\n")
        assert count == output["count"], (output, count)
        lines += count
        size += len(body)
    return lines, size, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--types", default="Patient,Coverage", help="_type; empty = every type")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--data", help="an existing demo data directory to export (kept); "
                                       "default: a new one of --members members")
    args = parser.parse_args()

    binary = os.path.join(args.build, "src/app/payer360")
    data = args.data or tempfile.mkdtemp(prefix="p360_export_")
    try:
        if not args.data:
            started = time.monotonic()
            subprocess.run([binary, "demo", "--data", data, "--members", str(args.members)],
                           check=True, capture_output=True)
            print(f"demo data for {args.members:,} members: {time.monotonic() - started:.1f} s")
        # An existing directory may have the login already.
        subprocess.run([binary, "user", "create", "--data", data, "--username", "exporter",
                        "--role", "admin", "--password-stdin"], input=PASSWORD + "\n", text=True,
                       check=False, capture_output=True)
        server, base = start_server(binary, data)
        try:
            _, answer, _ = request("POST", base + "/api/v1/auth/login",
                                json.dumps({"username": "exporter", "password": PASSWORD}).encode())
            token = json.loads(answer)["token"]
            for run in range(args.runs):
                cpu_before = cpu_seconds(server.pid)
                seconds, manifest, polls = export(base, token, args.types)
                cpu = cpu_seconds(server.pid) - cpu_before
                counts = {output["type"]: output["count"] for output in manifest["output"]}
                total = sum(counts.values())
                print(f"run {run + 1}: $export _type={args.types or '(all)'}: {total:,} resources "
                      f"{counts} in {seconds:.2f} s = {total / seconds:,.0f} resources/s "
                      f"(kick-off to manifest, {polls} polls); server CPU {cpu:.2f} s = "
                      f"{cpu * 1e6 / total:.1f} us a resource; load average "
                      f"{os.getloadavg()[0]:.1f}")
            before = rss_kib(server.pid)
            lines, size, seconds = download(manifest, token)
            after = rss_kib(server.pid)
            print(f"download: {lines:,} lines, {size / 2**20:,.1f} MiB in {seconds:.2f} s")
            print(f"server memory: VmRSS {before['VmRSS'] / 1024:,.0f} MiB before the download, "
                  f"{after['VmRSS'] / 1024:,.0f} MiB after; peak VmHWM {before['VmHWM'] / 1024:,.0f} "
                  f"MiB before it, {after['VmHWM'] / 1024:,.0f} MiB after")
        finally:
            stop_server(server)
    finally:
        if not args.data:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
