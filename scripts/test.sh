#!/usr/bin/env bash
# Builds and runs the whole test suite, as CI does:
#   1. a release build with warnings as errors, every test (unit, integration, fuzz replay);
#      then the integration and security suites again on PostgreSQL, with the tests that need
#      PostgreSQL itself (two nodes, the job queue, restarts, moving a deployment over); then
#      the web console's end-to-end tests in a real browser against that build;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build, every test again;
#   3. the libFuzzer targets built with clang, each fuzzed briefly from its corpus.
# Set P360_TEST_QUICK=1 to run only step 1.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The independent FHIR validator the integration tests run, from its lockfile.
npm ci --prefix tests/fhir-validator --no-audit --no-fund --loglevel=error

echo "=== format: clang-format $(clang-format --version | grep -o '[0-9]*\.[0-9.]*' | head -1)"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

run_suite() {
    local preset="$1"
    echo "=== build: $preset"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
    echo "=== test: $preset"
    ctest --test-dir "build/$preset" --output-on-failure --timeout 600 -j2 -LE postgres
}

# The web console: built from its lockfile, then driven in Debian's chromium (playwright-core,
# no browser download) against the ci build serving demo data.
run_web_e2e() {
    echo "=== web console: build and end-to-end tests"
    npm ci --prefix web --no-audit --no-fund --loglevel=error
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
    npm run --prefix web build
    P360_BINARY=build/ci/src/app/payer360 P360_WEB_DIST=web/dist npm test --prefix tests/e2e
}

run_suite ci
echo "=== test: ci on PostgreSQL"
bash scripts/with-postgres.sh \
    ctest --test-dir build/ci --output-on-failure --timeout 600 -j2 -L 'integration|security|postgres'
run_web_e2e
if [[ "${P360_TEST_QUICK:-0}" == "1" ]]; then
    exit 0
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
run_suite dev

echo "=== fuzz (libFuzzer, clang)"
cmake --preset fuzz >/dev/null
FUZZ_TARGETS=(filter_parser record_json x12_834 csv_table identity_standardise fhir_bundle)
cmake --build --preset fuzz --target "${FUZZ_TARGETS[@]/%/_fuzz}"
for target in "${FUZZ_TARGETS[@]}"; do
    corpus_copy="$(mktemp -d)"
    cp -r "fuzz/corpus/$target/." "$corpus_copy/"
    "build/fuzz/fuzz/${target}_fuzz" -max_total_time="${P360_FUZZ_SECONDS:-30}" \
        -max_len=8192 -rss_limit_mb=2048 "$corpus_copy" 2>&1 | tail -n 3
    rm -rf "$corpus_copy"
done
echo "=== all tests passed"
