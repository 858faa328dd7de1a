# Sourced by side_by_side.sh and instructions.sh.
# up PORT: waits until a server answers on PORT (up to five minutes).
# seed_demo BINARY DIR PORT: seeds the default demo into DIR/seed with BINARY,
# signs in as staff, stops the server and sets $cookie (the session's Cookie
# header); the database is then sqlite://DIR/seed/xieshang.db. While it runs,
# $seeding holds the server's pid, for the caller's cleanup.
up() { for _ in $(seq 1 3000); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; echo "port $1 did not start" >&2; exit 1; }
seed_demo() {
  local bin=$1 dir=$2 port=$3 jar csrf
  RUST_LOG=warn "$bin" --data-dir "$dir/seed" serve --demo --demo-password 'bench password' --listen "127.0.0.1:$port" > "$dir/seed.log" 2>&1 &
  seeding=$!
  up "$port"
  jar="$dir/cookies"
  csrf=$(curl -s -c "$jar" "http://127.0.0.1:$port/login" | grep -o 'name="_csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
  curl -s -o /dev/null -b "$jar" -c "$jar" --data "_csrf=$csrf&username=staff&password=bench+password&next=/" "http://127.0.0.1:$port/login"
  cookie="Cookie: xs_session=$(awk '$6 == "xs_session" { print $7 }' "$jar")"
  kill "$seeding"; wait "$seeding" 2>/dev/null || true
  seeding=""
}
