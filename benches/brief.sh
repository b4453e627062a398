#!/bin/sh
# Briefing benchmark (BENCHMARKS.md, "Briefings"): a 7-day briefing on a generated journal of
# 1,000,000 events over 30 days, against `wc -l` over all of the journal's files, warm cache;
# with the checkpoints a console leaves, and with none.
# Usage: benches/brief.sh [DIR]   (DIR defaults to /tmp/attache-brief-bench; made if missing;
# its checkpoints are written into it: give a copy of a journal that must stay as it is)
# ATTACHE=PATH times that binary instead of building one (a target directory shared with other
# builds may change under a run).
set -eu
dir=${1:-/tmp/attache-brief-bench}
target=${CARGO_TARGET_DIR:-target}
if [ -z "${ATTACHE:-}" ]; then
    cargo build -q --release --bin attache --example gen-journal
fi
attache=${ATTACHE:-$target/release/attache}
if [ ! -e "$dir/00000001.jsonl" ]; then
    "$target/release/examples/gen-journal" --events 1000000 --days 30 --seed 7 \
        --journal "$dir" --until 2026-11-25T00:00:00Z
fi
# The checkpoints the consoles that wrote the journal would have left along it (one every
# 10,000 records); a generated journal has none until they are made.
if ! ls "$dir"/checkpoints/*.json.gz > /dev/null 2>&1; then
    "$attache" --journal "$dir" journal checkpoint
fi
# Warm: every run below reads from the page cache.
warm() { cat "$dir"/*.jsonl "$dir"/*.idx "$dir"/checkpoints/* > /dev/null 2>&1 || true; }
brief() {
    "$attache" --config config/attache.toml --journal "$dir" brief \
        --from "$1" --to "${2:-2026-11-25T00:00:00Z}" --generated-at 2026-11-25T00:00:00Z \
        --format json --read-only -o /dev/null
}
seconds() { # "best median" of seven runs of "$@", in seconds, each run warmed first
    times=
    for _ in 1 2 3 4 5 6 7; do
        warm
        start=$(date +%s.%N)
        "$@" > /dev/null
        end=$(date +%s.%N)
        times="$times $(echo "$end - $start" | bc)"
    done
    echo $times | tr ' ' '\n' | sort -n | awk '{t[NR] = $1} END {print t[1], t[4]}'
}
best() { echo "$1" | cut -d' ' -f1; }
median() { echo "$1" | cut -d' ' -f2; }
ratio() { echo "scale=2; $1 / $2" | bc; }
peak() { # peak resident memory of one 7-day briefing from "$1", in MB
    /usr/bin/time -f %M "$attache" --config config/attache.toml --journal "$dir" brief \
        --from "$1" --to 2026-11-25T00:00:00Z --generated-at 2026-11-25T00:00:00Z --format json \
        --read-only -o /dev/null 2>&1 > /dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'
}
wc_s=$(seconds wc -l "$dir"/*.jsonl)
brief7_s=$(seconds brief 2026-11-18T00:00:00Z)
brief7_mb=$(peak 2026-11-18T00:00:00Z)
brief7_mid_s=$(seconds brief 2026-11-16T13:17:00Z 2026-11-23T13:17:00Z)
brief1h_s=$(seconds brief 2026-11-24T23:00:00Z)
# The same 7-day briefing on the journal without its checkpoints: every record from the first.
mv "$dir/checkpoints" "$dir/checkpoints.aside"
trap 'mv "$dir/checkpoints.aside" "$dir/checkpoints"' EXIT
bare_s=$(seconds brief 2026-11-18T00:00:00Z)
bare_mb=$(peak 2026-11-18T00:00:00Z)
rm -rf "$dir/checkpoints"
echo "                                   best       median (of 7, each warmed first)"
echo "wc -l, all segments:              $(best "$wc_s") s  $(median "$wc_s") s"
echo "brief, 7 days:                    $(best "$brief7_s") s  $(median "$brief7_s") s" \
    "(best $(ratio "$(best "$brief7_s")" "$(best "$wc_s")")x," \
    "median $(ratio "$(median "$brief7_s")" "$(median "$wc_s")")x wc -l; peak ${brief7_mb} MB)"
echo "brief, 7 days inside the journal: $(best "$brief7_mid_s") s  $(median "$brief7_mid_s") s"
echo "brief, last hour:                 $(best "$brief1h_s") s  $(median "$brief1h_s") s"
echo "brief, 7 days, no checkpoints:    $(best "$bare_s") s  $(median "$bare_s") s" \
    "(best $(ratio "$(best "$bare_s")" "$(best "$wc_s")")x wc -l; peak ${bare_mb} MB)"
