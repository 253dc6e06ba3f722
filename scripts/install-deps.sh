#!/usr/bin/env bash
# Installs every Debian package that building, serving and testing payer360 needs.
# Idempotent: packages already present are skipped, and the package index is refreshed
# at most once per run and only when something is missing.
set -euo pipefail

PACKAGES=(
    # build
    g++ cmake ninja-build pkg-config git clang clang-format libclang-rt-14-dev
    # libraries
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
    libsqlite3-dev libpq-dev libyaml-cpp-dev libargon2-dev libssl-dev libcsv-dev libjemalloc-dev
    libzstd-dev
    # tests and benchmarks
    libgtest-dev libgmock-dev libbenchmark-dev curl wrk python3
    # the PostgreSQL server the tests start a throwaway cluster of (no system service used)
    postgresql-15
    # the web console's end-to-end tests drive Debian's browser (never a downloaded one)
    chromium
)

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

# Node.js and npm build the web console and run the FHIR validator and the browser tests;
# machines that bring their own keep it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    SUDO="sudo"
fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
