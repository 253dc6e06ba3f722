#!/usr/bin/env bash
# Builds payer360 and starts it on an embedded SQLite database with demo data.
#   PORT (default 8080), DATA (default ./data), MEMBERS (default 2000) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8080}"
DATA="${DATA:-data}"
MEMBERS="${MEMBERS:-2000}"
DEMO_PASSWORD="payer360-demo-login"

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target payer360

echo "Building the web console ..."
npm ci --prefix web --no-audit --no-fund --loglevel=error
npm run --prefix web build >/dev/null

BINARY=build/release/src/app/payer360
if [[ ! -f "$DATA/.demo-seeded" ]]; then
    echo "Seeding demo data ($MEMBERS members) into $DATA ..."
    "$BINARY" migrate --data "$DATA"
    echo "$DEMO_PASSWORD" | "$BINARY" demo --data "$DATA" --members "$MEMBERS" --staff \
        --password-stdin
    touch "$DATA/.demo-seeded"
fi

cat <<INFO

  payer360 is starting: open http://127.0.0.1:$PORT/ for the console
  Demo logins (password for all: $DEMO_PASSWORD):
    admin        administrator: everything, including setup
    agent        member service agent (Member Services team, Grievances queue)
    supervisor   service supervisor over the Member Services team
    nurse        care manager with a caseload of members (care team)
    member       portal member: sees only their own records
    auditor      reads the access audit, no record contents
  Press Ctrl+K (or /) in the console to find a member. Or try the API:
    TOKEN=\$(curl -s -X POST http://127.0.0.1:$PORT/api/v1/auth/login \\
      -d '{"username":"admin","password":"$DEMO_PASSWORD"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
    curl -s -H "Authorization: Bearer \$TOKEN" 'http://127.0.0.1:$PORT/api/v1/records/Person?limit=5'

INFO
exec "$BINARY" serve --data "$DATA" --port "$PORT" --web web/dist
