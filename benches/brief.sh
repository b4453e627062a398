#!/bin/sh
# Briefing benchmark (BENCHMARKS.md, "Briefings"): a 7-day briefing on a generated journal of
# 1,000,000 events over 30 days, against `wc -l` over all of the journal's files, warm cache.
# Usage: benches/brief.sh [DIR]   (DIR defaults to /tmp/attache-brief-bench; made if missing)
set -eu
dir=${1:-/tmp/attache-brief-bench}
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release --bin attache --example gen-journal
if [ ! -e "$dir/00000001.jsonl" ]; then
    "$target/release/examples/gen-journal" --events 1000000 --days 30 --seed 7 \
        --journal "$dir" --until 2026-11-25T00:00:00Z
fi
# The checkpoints and digests the consoles that wrote the journal would have left along it
# (one of each every 10,000 records); a generated journal has none until they are made.
if [ ! -d "$dir/checkpoints" ] || [ ! -d "$dir/digests" ]; then
    "$target/release/attache" --journal "$dir" journal checkpoint
fi
cat "$dir"/*.jsonl > /dev/null
brief() {
    "$target/release/attache" --config config/attache.toml --journal "$dir" brief \
        --from "$1" --to 2026-11-25T00:00:00Z --generated-at 2026-11-25T00:00:00Z --format json -o /dev/null
}
seconds() { # the best of five runs of "$@", in seconds
    best=
    for _ in 1 2 3 4 5; do
        start=$(date +%s.%N)
        "$@" > /dev/null
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
    done
    echo "$best"
}
wc_s=$(seconds wc -l "$dir"/*.jsonl)
brief7_s=$(seconds brief 2026-11-18T00:00:00Z)
brief1h_s=$(seconds brief 2026-11-24T23:00:00Z)
# The same briefing without digests (every record the briefing uses parsed), for comparison.
mv "$dir/digests" "$dir/digests.aside"
brief7_parsed_s=$(seconds brief 2026-11-18T00:00:00Z)
mv "$dir/digests.aside" "$dir/digests"
window_s=$(seconds "$target/release/attache" --journal "$dir" journal export --from 2026-11-18T00:00:00Z --kind none)
echo "wc -l, all files:                 ${wc_s} s"
echo "brief, 7 days:                    ${brief7_s} s ($(echo "scale=2; $brief7_s / $wc_s" | bc)x wc -l)"
echo "brief, 7 days, without digests:   ${brief7_parsed_s} s"
echo "brief, last hour (the prefix):    ${brief1h_s} s"
echo "checked read of the 7-day window: ${window_s} s (one core, every record's sum checked)"
