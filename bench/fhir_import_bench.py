#!/usr/bin/env python3
"""FHIR transaction-bundle import, end to end: a real payer360 server on loopback.

Builds BUNDLES transaction Bundles of PEOPLE synthetic people each from the Synthea fixtures
(tests/fixtures/fhir/synthea): every person is a copy keeping the entries payer360 holds
(Patient, Organization, Practitioner, Encounter, Condition, MedicationRequest), with each
person-specific uuid and Synthea id rewritten, so it is a new person of the same hospital and
doctor. CLIENTS threads POST the Bundles to /fhir/r4 over keep-alive connections; the figure is
resources per second over the whole run (created, or found again by their key: the shared
hospital and doctor). Then the first Bundles are posted again: nothing is created.
Usage:
  python3 bench/fhir_import_bench.py --build build/ci [--bundles 4000] [--people 1] [--clients 8]
"""
import argparse
import http.client
import json
import os
import shutil
import threading
import time
import uuid

from authz_bench import start_empty_deployment, stop_server

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "tests", "fixtures", "fhir", "synthea")
HELD = {"Patient", "Organization", "Practitioner", "Encounter", "Condition", "MedicationRequest"}
SHARED = {"Organization", "Practitioner"}  # the same hospital and doctor for every copy


def templates():
    out = []
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".json"):
            bundle = json.load(open(os.path.join(FIXTURES, name)))
            out.append([e for e in bundle["entry"] if e["resource"]["resourceType"] in HELD])
    return out


def person_copy(entries, copy_idx):
    """The entries of one person, with every person-specific uuid made new."""
    text = json.dumps(entries)
    for entry in entries:
        if entry["resource"]["resourceType"] in SHARED:
            continue
        old = entry["fullUrl"].removeprefix("urn:uuid:")
        text = text.replace(old, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{old}/{copy_idx}")))
        # Synthea's own patient id (a uuid) sits in the identifiers too.
        for identifier in entry["resource"].get("identifier", []):
            value = identifier["value"]
            try:
                uuid.UUID(value)
            except ValueError:
                continue
            text = text.replace(value, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{value}/{copy_idx}")))
    return json.loads(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/ci")
    parser.add_argument("--bundles", type=int, default=4000)
    parser.add_argument("--people", type=int, default=1, help="people per transaction Bundle")
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    sources = templates()
    bodies, resources = [], 0
    for bundle_idx in range(args.bundles):
        entries, urls = [], set()
        for person_idx in range(args.people):
            copy_idx = bundle_idx * args.people + person_idx
            for entry in person_copy(sources[copy_idx % len(sources)], copy_idx):
                if entry["fullUrl"] not in urls:  # a shared hospital or doctor once a Bundle
                    urls.add(entry["fullUrl"])
                    entries.append(entry)
        resources += len(entries)
        bodies.append(json.dumps({"resourceType": "Bundle", "type": "transaction",
                                  "entry": entries}).encode())

    binary = os.path.join(args.build, "src/app/payer360")
    data, server, base, token = start_empty_deployment(binary, "p360_fhir_")
    try:
        host, port = base.removeprefix("http://").split(":")
        statuses = {}
        failures = []
        lock = threading.Lock()

        def post_all(chunk):
            connection = http.client.HTTPConnection(host, int(port), timeout=600)
            headers = {"Authorization": "Bearer " + token, "Content-Type": "application/fhir+json"}
            for body in chunk:
                connection.request("POST", "/fhir/r4", body, headers)
                response = connection.getresponse()
                answer = response.read()
                if response.status != 200:
                    with lock:
                        failures.append(answer[:300])
                    continue
                counts = {}
                for entry in json.loads(answer)["entry"]:
                    status = entry["response"]["status"]
                    counts[status] = counts.get(status, 0) + 1
                with lock:
                    for status, count in counts.items():
                        statuses[status] = statuses.get(status, 0) + count

        def run(chunks):
            threads = [threading.Thread(target=post_all, args=(chunk,)) for chunk in chunks]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.monotonic() - started

        seconds = run([bodies[i::args.clients] for i in range(args.clients)])
        print(f"FHIR transaction import: {args.bundles:,} Bundles of {args.people} "
              f"person(s), {resources:,} resources, {args.clients} clients: {seconds:.2f} s = "
              f"{resources / seconds:,.0f} resources/s, {args.bundles / seconds:,.0f} Bundles/s; "
              f"entries {dict(sorted(statuses.items()))}, failed Bundles {len(failures)}")
        if failures:
            print("first failure:", failures[0])
        statuses.clear()
        again = bodies[: min(200, len(bodies))]
        seconds = run([again[i::args.clients] for i in range(args.clients)])
        print(f"the first {len(again)} Bundles again: {seconds:.2f} s, entries "
              f"{dict(sorted(statuses.items()))}")
    finally:
        stop_server(server)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
