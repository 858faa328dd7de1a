#!/usr/bin/env bash
# Instructions a request, counted by valgrind's callgrind: the same count run
# after run (within about 1 %), where wrk's requests a second on a shared
# two-core machine vary by a fifth. For comparing builds of the server:
# each binary serves the same SQLite file (the default demo, seeded by the
# last binary given), signed in as staff; the page is requested 30 times
# unmeasured, then REQUESTS times with counting on, one at a time.
# Usage: bench/instructions.sh BINARY... (e.g. a worktree's build and ours)
#   PAGE (default: the staff proposal list of bench/load.sh), REQUESTS (300),
#   KEEP (a folder to keep each binary's profile in, as cg.N.out, for
#   callgrind_annotate).
# Prints, per binary, the instructions a request in all (background jobs
# included) and those spent serving connections (hyper's dispatcher down:
# parsing, middleware, the handler, rendering, writing). Needs valgrind
# (apt-get install valgrind). Kernel time is not counted.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/instructions.sh BINARY..." >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is not installed: apt-get install valgrind" >&2; exit 2; }
page=${PAGE:-/proposals?committee_id=1&year=2025&state=closed}
requests=${REQUESTS:-300}
data=$(mktemp -d)
server="" seeding=""
cleanup() { kill ${server:+"$server"} ${seeding:+"$seeding"} 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
. bench/seed.sh
# The last binary seeds the default demo; each then serves the same file.
seed_demo "${!#}" "$data" 18290

echo "page: $page; $requests requests one at a time under callgrind"
echo
echo "| binary | instructions a request, in all | serving connections | page bytes | page md5 |"
echo "|---|---:|---:|---:|---|"
n=0
for bin in "$@"; do
  n=$((n + 1))
  run="$data/run$n"
  mkdir -p "$run"
  RUST_LOG=warn valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$run/cg.out" \
    "$bin" --data-dir "$run" --database-url "sqlite://$data/seed/xieshang.db" serve --listen 127.0.0.1:18291 > "$run/log" 2>&1 &
  server=$!
  up 18291
  # The first search waits until this server's own index has caught up with
  # the log, so that indexing is not counted.
  curl -s -m 900 -o /dev/null -H "$cookie" "http://127.0.0.1:18291/api/v1/proposals?committee_id=1&q=%E5%85%BB%E8%80%81"
  sleep 2
  for _ in $(seq 1 30); do curl -s -o /dev/null -H "$cookie" "http://127.0.0.1:18291$page"; done
  curl -s -H "$cookie" "http://127.0.0.1:18291$page" > "$run/page"
  bytes=$(wc -c < "$run/page")
  sum=$(md5sum < "$run/page" | cut -c1-12)
  callgrind_control -i on "$server" >/dev/null 2>&1
  for _ in $(seq 1 "$requests"); do curl -s -o /dev/null -H "$cookie" "http://127.0.0.1:18291$page"; done
  callgrind_control -d "$server" >/dev/null 2>&1
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  out=$(ls "$run"/cg.out.* | tail -n 1)
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$out" "$KEEP/cg.$n.out"
  total=$(grep -h '^summary:\|^totals:' "$out" | tail -n 1 | awk '{ print $2 }')
  served=$(callgrind_annotate --inclusive=yes "$out" 2>/dev/null | grep 'Dispatcher<D,Bs,I,T>::poll_catch' | head -n 1 | awk '{ gsub(",", "", $1); print $1 }')
  printf '| %s | %s | %s | %s | %s |\n' "$bin" "$((total / requests))" "$((${served:-0} / requests))" "$bytes" "$sum"
done
