# Sourced by the bench scripts that run one or several builds side by side
# (votes.sh, results_updates.sh), after they check their tools: BINS, the
# builds to run (default: a release build of this tree); $root, a scratch
# folder; $pids, the servers they start. Both are cleaned up on exit.
if [ -z "${BINS:-}" ]; then
  cargo build --release --quiet -p xieshang --bin xieshang
  BINS=target/release/xieshang
fi
root=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
