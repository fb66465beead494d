#!/usr/bin/env bash
# make bench: every benchmark target, then the summary of same-run ratios (scripts/bench-report.py).
#
# ParseBenchmarks runs once per exchange spec, each in a fresh process (its two pairs: the whole capture and the
# ticker+trade frames). In one process for all specs, a pair's numbers depended on what ran before it: the heap
# that earlier pairs left moved a baseline by up to 25% (Coinbase's whole capture: 182–231 µs per frame) and an
# adapter by up to 10% (Binance's whole capture: 229–253 ns per frame) from one ordering to another.
#
# Each spec runs BENCH_RUNS times (3 by default), each time in a fresh process; per group the report keeps the run
# whose same-run ratio is the median (scripts/bench-median-run.py), and prints every run's ratio beside it.
#
# Usage: [BENCH_RUNS=N] scripts/bench.sh [TARGET]   (TARGET: one benchmark target, e.g. StreamBenchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
RUNS=${BENCH_RUNS:-3}
out=.build-bench/results
rm -rf "$out" && mkdir -p "$out"
run() {  # run PATH ARGS...: one `swift package benchmark` invocation writing PATH/Current_run.jmh.json
    local path=$1; shift
    HFTKIT_BENCHMARKS=1 "$SWIFT" package --scratch-path .build-bench benchmark "$@" --format jmh --path "$path"
}

target=${1:-}
parts=()
if [[ "$target" != "ParseBenchmarks" ]]; then
    if [[ -n "$target" ]]; then run "$out/rest" --target "$target"; else run "$out/rest" --skip-target ParseBenchmarks; fi
    parts+=("$out/rest/Current_run.jmh.json")
fi
if [[ -z "$target" || "$target" == "ParseBenchmarks" ]]; then
    for spec in specs/*.json; do
        name=$(basename "$spec" .json)
        [[ "$name" == *schema* ]] && continue
        # `kraken` must not select `kraken_futures`: the name is followed by ':' or ' ticker+trade:'.
        runs=()
        for ((k = 1; k <= RUNS; k++)); do
            run "$out/parse-$name-$k" --target ParseBenchmarks --filter "^${name}(:|.ticker.trade:).*"
            if [[ -f "$out/parse-$name-$k/Current_run.jmh.json" ]]; then runs+=("$out/parse-$name-$k/Current_run.jmh.json"); fi
        done
        echo "$name:"
        scripts/bench-median-run.py "$out/parse-$name.jmh.json" "${runs[@]}"
        parts+=("$out/parse-$name.jmh.json")
    done
fi
python3 - "$out/Current_run.jmh.json" "${parts[@]}" <<'EOF'
import json, sys
merged = []
for path in sys.argv[2:]:
    merged += json.load(open(path))
json.dump(merged, open(sys.argv[1], 'w'))
EOF
python3 scripts/asyncio-queue-baseline.py > "$out/asyncio-queue.json"
python3 scripts/pyzmq-pubsub-baseline.py > "$out/pyzmq-pubsub.json"
scripts/bench-report.py "$out/Current_run.jmh.json" --asyncio "$out/asyncio-queue.json" --pyzmq "$out/pyzmq-pubsub.json"
