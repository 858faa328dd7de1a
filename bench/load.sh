#!/usr/bin/env bash
# Load test: starts the release build on SQLite with demo data and a minimal
# axum "hello" server (the ceiling), then measures requests per second and
# p50/p99 latency with wrk at 64 connections, signed in as staff where a page
# needs it, all in one run: hello's "/", /healthz, the login page, the member
# list, the proposal list (20 rows filtered by year and state, with its total),
# one proposal's page and a full-text search.
# Usage: bench/load.sh [DURATION] (default 15s). Needs wrk (apt-get install wrk).
# The list is also measured on a second server over the same file with the read
# cache off (XIESHANG_READ_CACHE=off), side by side, to show what the cache adds,
# and with a new address each request, so that the whole page is never kept
# (web::page_cache) and each request renders it.
# DEMO_HISTORY=N seeds N proposals a year for five years (default 6000, i.e.
# 30,000 proposals; 20000 gives 100,000) and 1.83 N public-opinion pieces a
# year (default about 55,000). ONLY=search measures the search alone;
# ONLY=opinions the piece list and the bulletin alone.
# Besides wrk's figures it times, with curl, publishing a bulletin issue of 30
# pieces (written, submitted and adopted through the API first) and producing
# its DOCX (ten downloads).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DEMO_HISTORY=${DEMO_HISTORY:-6000}
ONLY=${ONLY:-}
PORT=${PORT:-18080}
HELLO_PORT=${HELLO_PORT:-18081}
UNCACHED_PORT=${UNCACHED_PORT:-18082}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 2; }

cargo build --release --quiet -p xieshang --bin xieshang --example hello
data=$(mktemp -d)
cleanup() { kill "${server:-}" "${hello:-}" "${uncached:-}" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

started=$(date +%s.%N)
RUST_LOG=warn target/release/xieshang --data-dir "$data" serve --demo --demo-password 'bench password' --demo-history "$DEMO_HISTORY" --listen "127.0.0.1:$PORT" > "$data/server.log" 2>&1 &
server=$!
target/release/examples/hello "127.0.0.1:$HELLO_PORT" > /dev/null 2>&1 &
hello=$!
# Seeding 100,000 proposals takes minutes on two cores: wait up to 15.
for _ in $(seq 1 9000); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "the server did not start; its log:" >&2; cat "$data/server.log" >&2; exit 1; }
ready=$(date +%s.%N)
grep -h "demo data" "$data/server.log" || true
mkdir -p "$data/uncached"
XIESHANG_READ_CACHE=off RUST_LOG=warn target/release/xieshang --data-dir "$data/uncached" --database-url "sqlite://$data/xieshang.db" serve --listen "127.0.0.1:$UNCACHED_PORT" > "$data/uncached.log" 2>&1 &
uncached=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$UNCACHED_PORT/healthz" >/dev/null && break; sleep 0.1; done

# Sign in as staff through the login form to get a session cookie.
jar="$data/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -b "$jar" -c "$jar" --data "_csrf=$csrf&username=staff&password=bench+password&next=/" "http://127.0.0.1:$PORT/login"
session=$(awk '$6 == "xs_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in" >&2; exit 1; }
members="/admin/members?committee_id=1"
rows=$(curl -s -H "Cookie: xs_session=$session" "http://127.0.0.1:$PORT$members" | grep -c '<tr>' || true)
cookie="Cookie: xs_session=$session"
list="/proposals?committee_id=1&year=2025&state=closed"
list_html=$(curl -s -H "$cookie" "http://127.0.0.1:$PORT$list")
list_rows=$(echo "$list_html" | grep -c '<tr>' || true)
list_total=$(echo "$list_html" | grep -o '<p class="count">[^<]*' | sed 's/.*>//')
one=$(echo "$list_html" | grep -o 'href="/proposals/[0-9]*"' | head -n 1 | sed 's/href="//; s/"$//')
# 养老服务 ("elderly care services"): a word inside many bodies.
search="/api/v1/proposals?committee_id=1&q=%E5%85%BB%E8%80%81%E6%9C%8D%E5%8A%A1&per_page=20"
# The first search waits until this server's index has caught up with the log.
indexed_started=$(date +%s.%N)
hits=$(curl -s -m 900 -H "$cookie" "http://127.0.0.1:$PORT$search" | grep -o '"total":[0-9]*' | sed 's/.*://')
indexed=$(echo "$(date +%s.%N) - $indexed_started" | bc)
proposals=$(sqlite3 "$data/xieshang.db" "SELECT COUNT(*) FROM proposals" 2>/dev/null || echo "?")
pieces=$(sqlite3 "$data/xieshang.db" "SELECT COUNT(*) FROM opinions" 2>/dev/null || echo "?")
# The staff piece list (information staff see every submitted piece), and the
# same list narrowed to instructed pieces of one year.
pieces_list="/opinions?committee_id=1"
pieces_filtered="/opinions?committee_id=1&instructed=true&from=2025-01-01&until=2025-12-31"
pieces_rows=$(curl -s -H "Cookie: xs_session=$session" "http://127.0.0.1:$PORT$pieces_list" | grep -c '<tr>' || true)

# A bulletin issue of 30 pieces through the API: the member writes and
# submits them, information staff edit and adopt them; then publishing and
# the DOCX are timed.
api="http://127.0.0.1:$PORT/api/v1"
token_of() { curl -sf -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"bench password\"}" "$api/auth/login" | jq -r .token; }
member_token=$(token_of member)
staff_token=$(token_of staff)
call() { # token method path [json]
  curl -sf -X "$2" -H "authorization: Bearer $1" -H 'content-type: application/json' ${4:+-d "$4"} "$api$3"
}
issue=$(call "$staff_token" POST /bulletins '{"editor_note":"压测专刊"}' | jq -r .id)
for i in $(seq 1 30); do
  id=$(call "$member_token" POST /opinions "{\"title\":\"压测信息第${i}篇：关于基层养老服务的情况反映\",\"body\":\"$(printf '近期群众反映基层养老服务站缺少护理员，老人白天无人照看。%.0s' $(seq 1 12))\\n建议县级统一招聘、乡镇统筹使用。\",\"category\":\"society\"}" | jq -r .id)
  call "$member_token" POST "/opinions/$id/actions/submit" '{}' >/dev/null
  call "$staff_token" POST "/opinions/$id/actions/start-editing" '{}' >/dev/null
  call "$staff_token" POST "/opinions/$id/actions/adopt" "{\"bulletin_id\":$issue}" >/dev/null
done
publish_s=$(curl -sf -o /dev/null -w '%{time_total}' -X POST -H "authorization: Bearer $staff_token" -H 'content-type: application/json' -d '{}' "$api/bulletins/$issue/actions/publish")
docx_times=""
for _ in $(seq 1 10); do
  docx_times="$docx_times $(curl -sf -o "$data/issue.docx" -w '%{time_total}' -H "authorization: Bearer $staff_token" "$api/bulletins/$issue.docx")"
done
docx_bytes=$(stat -c %s "$data/issue.docx")
docx_stats=$(echo "$docx_times" | tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1; s += $1 } END { printf "median %.1f ms, slowest %.1f ms, mean %.1f ms", (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2 * 1000, a[NR] * 1000, s / NR * 1000 }')

# A wrk script that asks for a new address each time (the path with `&n=`,
# its thread and a counter), so that no whole page is ever kept for it
# (page_cache).
cat > "$data/fresh.lua" <<'LUA'
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&n=" .. id .. "-" .. n)
end
LUA
measure() { # name url [header] [wrk script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" ${4:+-s "$4"} "$2")
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
echo "server start with demo seeding (release, SQLite): $(echo "$ready - $started" | bc) s; proposals: $proposals; search index caught up in $indexed s"
echo "member list page: $((rows - 1)) rows; proposal list: $((list_rows - 1)) rows ($list_total); search: $hits hits"
echo "public-opinion pieces: $pieces; staff piece list: $((pieces_rows - 1)) rows a page"
echo "bulletin issue of 30 pieces: publish $(echo "$publish_s * 1000" | bc) ms; DOCX ($docx_bytes bytes): $docx_stats"
echo
echo "| endpoint | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
measure "axum hello (ceiling)" "http://127.0.0.1:$HELLO_PORT/"
if [ -z "$ONLY" ] || [ "$ONLY" = "opinions" ]; then
  measure "GET $pieces_list (information staff)" "http://127.0.0.1:$PORT$pieces_list" "$cookie"
  measure "GET $pieces_filtered" "http://127.0.0.1:$PORT$pieces_filtered" "$cookie"
  measure "the piece list, read cache off" "http://127.0.0.1:$UNCACHED_PORT$pieces_list" "$cookie"
fi
if [ -z "$ONLY" ]; then
  measure "GET /healthz" "http://127.0.0.1:$PORT/healthz"
  measure "GET /login" "http://127.0.0.1:$PORT/login"
  measure "GET $members (staff, 50 of 360)" "http://127.0.0.1:$PORT$members" "$cookie"
  measure "GET $list (staff)" "http://127.0.0.1:$PORT$list" "$cookie"
  measure "the same list, a new address each time (never kept whole)" "http://127.0.0.1:$PORT$list" "$cookie" "$data/fresh.lua"
  measure "the same list, read cache off" "http://127.0.0.1:$UNCACHED_PORT$list" "$cookie"
  measure "GET $one (staff)" "http://127.0.0.1:$PORT$one" "$cookie"
fi
if [ "$ONLY" != "opinions" ]; then
  measure "GET /api/v1/proposals?q=养老服务 (staff)" "http://127.0.0.1:$PORT$search" "$cookie"
  THREADS=1 CONNECTIONS=1 measure "the same search, one connection" "http://127.0.0.1:$PORT$search" "$cookie"
fi
