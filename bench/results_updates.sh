#!/usr/bin/env bash
# What each run of the deliberation results job costs as votes arrive in a
# large deliberation, on SQLite: the demo's open deliberation gets PLANTED
# anonymous participants (default 100,000) who vote on each of its statements
# in two camps (inserted with sqlite3), then ROUNDS (default 6) rounds of 1,000
# more, GAP seconds apart (default 10). SERVERS (default 1) servers share the
# database; each prints its job's debug lines: participants, rows read, whether
# all votes were read, places written, and the milliseconds spent reading,
# computing and writing places. Builds before the job kept votes between runs
# log no read time: sqlx's slow-statement lines (over 1 s) give it. Each
# server's peak memory (VmHWM) is printed at the end.
# Several builds side by side: BINS="old/xieshang new/xieshang" runs each on
# its own copy of the database at the same time.
# Usage: bench/results_updates.sh (about two minutes). Needs sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
PLANTED=${PLANTED:-100000}
ROUNDS=${ROUNDS:-6}
GAP=${GAP:-10}
SERVERS=${SERVERS:-1}
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed: apt-get install sqlite3" >&2; exit 2; }
. bench/builds.sh

# plant DB N FIRST [AGE]: N participants, keys FIRST.., each voting on every
# accepted statement of deliberation 3 (camp by the key's parity, some
# passes), their votes stamped AGE seconds ago (default 0).
plant() {
  local at="(CAST(strftime('%s', 'now') AS INTEGER) - ${4:-0}) * 1000000"
  sqlite3 "$1" >/dev/null <<SQL
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE k(i) AS (SELECT $3 UNION ALL SELECT i + 1 FROM k WHERE i < $3 + $2 - 1)
INSERT INTO deliberation_participants (deliberation_id, anon_key, created_at)
SELECT 3, 'plant-' || i, $at FROM k;
INSERT INTO deliberation_votes (statement_id, participant_id, deliberation_id, value, voted_at)
SELECT s.id, p.id, 3,
  CASE WHEN CAST(substr(p.anon_key, 7) AS INTEGER) % 2 = s.id % 2 THEN 1
       WHEN (CAST(substr(p.anon_key, 7) AS INTEGER) * 7 + s.id) % 5 = 0 THEN 0 ELSE -1 END,
  $at
FROM deliberation_participants p
JOIN deliberation_statements s ON s.deliberation_id = 3 AND s.status = 'accepted'
WHERE p.deliberation_id = 3 AND p.anon_key LIKE 'plant-%'
  AND CAST(substr(p.anon_key, 7) AS INTEGER) >= $3;
UPDATE deliberation_statements SET
  agrees = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = 1),
  disagrees = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = -1),
  passes = (SELECT COUNT(*) FROM deliberation_votes v WHERE v.statement_id = deliberation_statements.id AND v.value = 0)
WHERE deliberation_id = 3;
UPDATE deliberations SET participants = (SELECT COUNT(*) FROM deliberation_participants WHERE deliberation_id = 3) WHERE id = 3;
COMMIT;
SQL
}

first=$(echo "$BINS" | awk '{print $1}')
"$first" --data-dir "$root/base" demo --demo-password 'demo password' --demo-history 0 >/dev/null
# Cast an hour ago, as in a deliberation that has run for a while.
plant "$root/base/xieshang.db" "$PLANTED" 0 3600
port=8300
n=0
for bin in $BINS; do
  n=$((n + 1))
  mkdir -p "$root/$n"
  cp "$root/base/xieshang.db" "$root/$n/xieshang.db"
  for s in $(seq 1 "$SERVERS"); do
    port=$((port + 1))
    RUST_LOG=xieshang_store=debug,info "$bin" --data-dir "$root/$n" serve --listen "127.0.0.1:$port" \
      > "$root/$n/server-$s.log" 2>&1 &
    pids+=($!)
  done
done
# The first results, from scratch.
sleep 30
for r in $(seq 1 "$ROUNDS"); do
  for b in $(seq 1 "$n"); do plant "$root/$b/xieshang.db" 1000 $((PLANTED + r * 1000)); done
  sleep "$GAP"
done
b=0
k=0
for bin in $BINS; do
  b=$((b + 1))
  for s in $(seq 1 "$SERVERS"); do
    echo "$bin, server $s: peak memory $(awk '/VmHWM/ {print $2, $3}' "/proc/${pids[$k]}/status")"
    k=$((k + 1))
    sed 's/\x1b\[[0-9;]*m//g' "$root/$b/server-$s.log" \
      | grep -o 'participants=.*\|slow statement.*SELECT statement_id, participant_id, value.*elapsed=[0-9.]*s' \
      | sed 's/slow statement.*elapsed=/  votes read (sqlx slow statement): /; s/^participants/  participants/'
  done
done
