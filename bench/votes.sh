#!/usr/bin/env bash
# Vote throughput on SQLite: servers with the demo data take anonymous votes on
# the demo's open public deliberation through PUT …/statements/{id}/vote, as
# new visitors (a participant made per vote) and as re-votes of visitors
# already known (bench/vote.lua), measured with wrk. Several builds can be
# compared side by side: BINS="old/xieshang new/xieshang" starts one server
# per build, each on its own copy of the demo, and the rounds take turns.
# After the runs each server's kept tallies are checked against a count of
# its votes (they must agree whatever the load).
# Usage: bench/votes.sh [DURATION] (default 10s). Needs wrk and sqlite3.
# ROUNDS (default 2), CONNECTIONS (default 16), THREADS (default 2).
# PG=postgres://USER@HOST:PORT runs the servers on PostgreSQL instead, each on
# a database of its own (votes_bench_1, …, dropped and made again; needs psql).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed: apt-get install sqlite3" >&2; exit 2; }
. bench/builds.sh

ports=()
n=0
for bin in $BINS; do
  n=$((n + 1))
  port=$((18090 + n))
  mkdir -p "$root/$n"
  url="sqlite://$root/$n/xieshang.db"
  if [ -n "${PG:-}" ]; then
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS votes_bench_$n" -c "CREATE DATABASE votes_bench_$n"
    url="$PG/votes_bench_$n"
  fi
  RUST_LOG=warn "$bin" --data-dir "$root/$n" --database-url "$url" serve --demo --demo-password 'bench password' --demo-history 0 \
    --trust-proxy --listen "127.0.0.1:$port" > "$root/$n/server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server $bin did not start:" >&2; cat "$root/$n/server.log" >&2; exit 1; }
  ports+=("$port")
done

db() {
  if [ -n "${PG:-}" ]; then psql -tA "$PG/votes_bench_$1" -c "$2"; else sqlite3 "$root/$1/xieshang.db" "$2"; fi
}
deliberation=$(db 1 "SELECT id FROM deliberations WHERE state = 'open' AND audience = 'public' ORDER BY id LIMIT 1")
statements=$(db 1 "SELECT id FROM deliberation_statements WHERE deliberation_id = $deliberation AND status = 'accepted' ORDER BY id" | paste -sd, -)
echo "deliberation $deliberation, statements $statements; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"

for round in $(seq 1 "$ROUNDS"); do
  for mode in new revote; do
    i=0
    for bin in $BINS; do
      port=${ports[$i]}
      i=$((i + 1))
      out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/vote.lua \
        "http://127.0.0.1:$port" -- "$deliberation" "$statements" "$mode")
      rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
      p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
      p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
      bad=$(echo "$out" | awk '/Non-2xx/ { print $5 }')
      echo "round $round  $mode  $bin  ${rps} votes/s  p50 $p50  p99 $p99  refused ${bad:-0}"
    done
  done
done

i=0
for bin in $BINS; do
  i=$((i + 1))
  votes=$(db "$i" "SELECT COUNT(*) FROM deliberation_votes WHERE deliberation_id = $deliberation")
  people=$(db "$i" "SELECT COUNT(*) FROM deliberation_participants WHERE deliberation_id = $deliberation")
  kept=$(db "$i" "SELECT COALESCE(SUM(agrees + disagrees + passes), 0) FROM deliberation_statements WHERE deliberation_id = $deliberation" 2>/dev/null || echo "-")
  kept_people=$(db "$i" "SELECT participants FROM deliberations WHERE id = $deliberation" 2>/dev/null || echo "-")
  wrong=$(db "$i" "SELECT COUNT(*) FROM deliberation_statements s WHERE s.deliberation_id = $deliberation AND s.agrees <> (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = s.id AND v.value = 1)" 2>/dev/null || echo "-")
  echo "$bin: $votes votes by $people participants; kept tallies $kept votes, $kept_people participants; statements whose agrees differ from a count: $wrong"
done
