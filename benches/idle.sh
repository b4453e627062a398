#!/bin/sh
# Idle cost benchmark (BENCHMARKS.md, "Idle"): a quiet desk (the bundled missions and contacts,
# one feed read from disk every 10 minutes) in a 120x40 terminal, recorded by `script`. After
# the first picture settles, for 20 s: the console's CPU time (from /proc/PID/schedstat, in ns)
# and the bytes it wrote to the terminal. Once as it runs by default, once with --low-bandwidth.
# Usage: benches/idle.sh [SECONDS]   ATTACHE=PATH measures that binary instead of building one;
# SETTLE=S waits S seconds after the start (default 65) before measuring; KEEP=1 keeps the
# working directory (its typescript) for a look afterwards. The desk files are this checkout's:
# an older build may refuse them (a contact's `id`), so run it on its own checkout's files.
set -eu
seconds=${1:-20}
target=${CARGO_TARGET_DIR:-target}
if [ -z "${ATTACHE:-}" ]; then
    cargo build -q --release --bin attache
fi
attache=$(realpath "${ATTACHE:-$target/release/attache}")
work=$(mktemp -d /tmp/attache-idle.XXXXXX)
trap 'tmux kill-session -t attache-idle 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cp config/missions.toml config/contacts.toml "$work/"
mkdir -p "$work/demo"
cp config/demo/usgs-significant_month-2014-03-24-12features.geojson "$work/demo/quakes.geojson"
cat > "$work/attache.toml" <<TOML
[desk]
name = "Idle desk"
tz = "Asia/Manila"
journal = "journal"
missions = "missions.toml"
contacts = "contacts.toml"

[[feed]]
name = "quakes"
kind = "usgs-geojson"
path = "demo/quakes.geojson"
every = "10m"
TOML

measure() { # $1: label, the rest: extra arguments
    label=$1
    shift
    rm -rf "$work/journal" "$work/typescript"
    tmux kill-session -t attache-idle 2>/dev/null || true
    # The console's own pid, written by the shell it replaces.
    tmux new-session -d -s attache-idle -x 120 -y 40 \
        "script -q -f -c 'echo \$\$ > $work/pid; exec $attache --config $work/attache.toml $*' $work/typescript"
    # Past the first minute: the steady state of a quiet desk, not its first poll settling.
    sleep "${SETTLE:-65}"
    pid=$(cat "$work/pid")
    cpu0=$(cut -d' ' -f1 "/proc/$pid/schedstat")
    bytes0=$(stat -c %s "$work/typescript")
    sleep "$seconds"
    cpu1=$(cut -d' ' -f1 "/proc/$pid/schedstat")
    bytes1=$(stat -c %s "$work/typescript")
    # `script` outlives a killed tmux session, and with it the console: end the console first.
    kill "$pid"
    sleep 1
    tmux kill-session -t attache-idle 2>/dev/null || true
    cpu_ms=$(echo "scale=1; ($cpu1 - $cpu0) / 1000000" | bc)
    bytes=$((bytes1 - bytes0))
    rate=$(echo "scale=2; $bytes / $seconds" | bc)
    printf '%-16s %8s ms CPU in %ss   %6s B to the terminal (%s B/s)\n' "$label" "$cpu_ms" "$seconds" "$bytes" "$rate"
}

measure default
measure low-bandwidth --low-bandwidth
