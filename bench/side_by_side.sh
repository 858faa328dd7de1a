#!/usr/bin/env bash
# Two builds of the server side by side on one SQLite file: alternating wrk runs
# of one page against each, with the hello ceiling before each pair, and each
# server's CPU time per request (from /proc/PID/stat around its run). On noisy
# machines this compares builds far better than two separate load tests.
# Usage: bench/side_by_side.sh BEFORE_BINARY AFTER_BINARY [ROUNDS] [PATH]
#   e.g. git worktree add /tmp/before d970cf5 && (cd /tmp/before && cargo build --release)
#        bench/side_by_side.sh /tmp/before/target/release/xieshang target/release/xieshang 6
# PATH defaults to the staff proposal list of bench/load.sh. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2 rounds=${3:-6}
page=${4:-/proposals?committee_id=1&year=2025&state=closed}
DURATION=${DURATION:-5s}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
cargo build --release --quiet -p xieshang --example hello
data=$(mktemp -d)
seeding=""
cleanup() { kill "${a:-}" "${b:-}" "${hello:-}" ${seeding:+"$seeding"} 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
. bench/seed.sh
# The after build seeds the default demo, then both serve the same file.
seed_demo "$after" "$data" 18190
db="sqlite://$data/seed/xieshang.db"
RUST_LOG=warn "$before" --data-dir "$data/a" --database-url "$db" serve --listen 127.0.0.1:18191 > "$data/a.log" 2>&1 &
a=$!
RUST_LOG=warn "$after" --data-dir "$data/b" --database-url "$db" serve --listen 127.0.0.1:18192 > "$data/b.log" 2>&1 &
b=$!
target/release/examples/hello 127.0.0.1:18193 > /dev/null 2>&1 &
hello=$!
up 18191; up 18192
same=$( [ "$(curl -s -H "$cookie" "http://127.0.0.1:18191$page" | md5sum)" = "$(curl -s -H "$cookie" "http://127.0.0.1:18192$page" | md5sum)" ] && echo yes || echo no)
echo "page: $page; the same bytes from both: $same; $(nproc) cores; wrk -t2 -c64 -d$DURATION"
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run() { # pid port -> "requests/s µs-per-request"
  local c0 out c1 n
  c0=$(cpu "$1")
  out=$(wrk -t2 -c64 -d"$DURATION" -H "$cookie" "http://127.0.0.1:$2$page")
  c1=$(cpu "$1")
  n=$(echo "$out" | awk '/requests in/ { print $1 }')
  echo "$(echo "$out" | awk '/Requests\/sec/ { print $2 }') $(echo "scale=1; ($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / $n" | bc)"
}
echo "| round | hello | before: requests/s | before: CPU µs a request | after: requests/s | after: CPU µs a request | after ÷ before |"
echo "|---|---|---|---|---|---|---|"
for i in $(seq 1 "$rounds"); do
  h=$(wrk -t2 -c64 -d"$DURATION" http://127.0.0.1:18193/ | awk '/Requests\/sec/ { print $2 }')
  read -r ra ca <<< "$(run "$a" 18191)"
  read -r rb cb <<< "$(run "$b" 18192)"
  echo "| $i | $h | $ra | $ca | $rb | $cb | $(echo "scale=2; $rb / $ra" | bc) |"
done
