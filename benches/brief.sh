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
# (and the seals of its finished segments, which a journal benched by an older build lacks).
if [ ! -d "$dir/checkpoints" ] || [ ! -d "$dir/digests" ] || ! ls "$dir"/digests/*.seal > /dev/null 2>&1; then
    "$target/release/attache" --journal "$dir" journal checkpoint
fi
# Warm: every run below reads from the page cache. (On the VM these figures come from, pages
# of a file left idle for half a minute are already being dropped, so each run warms first.)
warm() { cat "$dir"/*.jsonl "$dir"/*.idx "$dir"/digests/* "$dir"/checkpoints/*.carry.json > /dev/null 2>&1 || true; }
brief() {
    "$target/release/attache" --config config/attache.toml --journal "$dir" brief \
        --from "$1" --to 2026-11-25T00:00:00Z --generated-at 2026-11-25T00:00:00Z --format json -o /dev/null
}
brief_mid() {
    "$target/release/attache" --config config/attache.toml --journal "$dir" brief \
        --from 2026-11-16T13:17:00Z --to 2026-11-23T13:17:00Z --generated-at 2026-11-25T00:00:00Z \
        --format json -o /dev/null
}
seconds() { # "best median" of seven runs of "$@", in seconds, each run warmed first
    times=
    for _ in 1 2 3 4 5 6 7; do
        ${before:-true}
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
wc_s=$(seconds wc -l "$dir"/*.jsonl)
# One briefing first, as a desk's first briefing of its missions: it measures the digests' items
# against the missions once and keeps the gaps beside them (nearness files) for the rest.
brief 2026-11-18T00:00:00Z
brief_mid
brief7_s=$(seconds brief 2026-11-18T00:00:00Z)
# The first briefing of a set of missions: no nearness files yet, every digest's items are
# measured against the missions and the gaps written. (Later ones take them: the line above.)
forget_gaps() { rm -f "$dir"/digests/*.near; }
brief7_first_s=$(before=forget_gaps seconds brief 2026-11-18T00:00:00Z)
brief1h_s=$(seconds brief 2026-11-24T23:00:00Z)
# The same briefing without digests (every record the briefing uses parsed), for comparison.
mv "$dir/digests" "$dir/digests.aside"
brief7_parsed_s=$(seconds brief 2026-11-18T00:00:00Z)
mv "$dir/digests.aside" "$dir/digests"
# A 7-day briefing whose period starts and ends inside digests' spans.
brief7_mid_s=$(seconds brief_mid)
window_s=$(seconds "$target/release/attache" --journal "$dir" journal export --from 2026-11-18T00:00:00Z --kind none)
echo "                                   best       median (of 7, each warmed first)"
echo "wc -l, all files:                 $(best "$wc_s") s  $(median "$wc_s") s"
echo "brief, 7 days:                    $(best "$brief7_s") s  $(median "$brief7_s") s" \
    "(best $(echo "scale=2; $(best "$brief7_s") / $(best "$wc_s")" | bc)x," \
    "median $(echo "scale=2; $(median "$brief7_s") / $(median "$wc_s")" | bc)x wc -l)"
echo "brief, 7 days, first of its missions: $(best "$brief7_first_s") s  $(median "$brief7_first_s") s" \
    "(best $(echo "scale=2; $(best "$brief7_first_s") / $(best "$wc_s")" | bc)x," \
    "median $(echo "scale=2; $(median "$brief7_first_s") / $(median "$wc_s")" | bc)x wc -l; gaps measured and written)"
echo "brief, 7 days inside the journal: $(best "$brief7_mid_s") s  $(median "$brief7_mid_s") s (starts and ends inside digests' spans)"
echo "brief, 7 days, without digests:   $(best "$brief7_parsed_s") s  $(median "$brief7_parsed_s") s"
echo "brief, last hour (the prefix):    $(best "$brief1h_s") s  $(median "$brief1h_s") s"
echo "checked read of the 7-day window: $(best "$window_s") s  $(median "$window_s") s (one core, every record's sum checked)"
