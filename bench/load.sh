#!/usr/bin/env bash
# Load test: starts the release build on SQLite with demo data and a minimal
# axum "hello" server (the ceiling), then measures requests per second and
# p50/p99 latency with wrk at 64 connections for /healthz, the login page and
# a member list page (signed in as staff), plus hello's "/", in one run.
# Usage: bench/load.sh [DURATION] (default 15s). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
HELLO_PORT=${HELLO_PORT:-18081}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }

cargo build --release --quiet -p xieshang --bin xieshang --example hello
data=$(mktemp -d)
cleanup() { kill "${server:-}" "${hello:-}" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

started=$(date +%s.%N)
RUST_LOG=warn target/release/xieshang --data-dir "$data" serve --demo --demo-password 'bench password' --listen "127.0.0.1:$PORT" > "$data/server.log" 2>&1 &
server=$!
target/release/examples/hello "127.0.0.1:$HELLO_PORT" > /dev/null 2>&1 &
hello=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
ready=$(date +%s.%N)
grep -h "demo data" "$data/server.log" || true

# Sign in as staff through the login form to get a session cookie.
jar="$data/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -b "$jar" -c "$jar" --data "_csrf=$csrf&username=staff&password=bench+password&next=/" "http://127.0.0.1:$PORT/login"
session=$(awk '$6 == "xs_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
members="/admin/members?committee_id=1"
rows=$(curl -s -H "Cookie: xs_session=$session" "http://127.0.0.1:$PORT$members" | grep -c '<tr>' || true)

measure() { # name url [header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$2")
  else
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  fi
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  errors=$(echo "$out" | awk '/Non-2xx/ { print $5 }')
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; $(uname -sr); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
echo "server start with demo seeding (release, SQLite): $(echo "$ready - $started" | bc) s; member list page: $((rows - 1)) rows"
echo
echo "| endpoint | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
measure "axum hello (ceiling)" "http://127.0.0.1:$HELLO_PORT/"
measure "GET /healthz" "http://127.0.0.1:$PORT/healthz"
measure "GET /login" "http://127.0.0.1:$PORT/login"
measure "GET $members (staff, 50 of 360)" "http://127.0.0.1:$PORT$members" "Cookie: xs_session=$session"
