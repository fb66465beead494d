#!/bin/sh
# The demo (`make demo`): three local exchanges (`hft simulate` serving the recorded Binance, Coinbase and Kraken
# sessions bundled in Tests/ExchangeConformanceTests/Captures, looped), a gateway process (`hft run
# examples/demo/gateway.json`: PublisherService streaming from them through the generated adapters and publishing
# on IPC) and a console process (`hft run examples/demo/console.json`: ConsoleService subscribed over IPC, showing
# the live table). Ctrl-C stops everything; the trap removes every process, socket file and temporary folder.
#
# Usage: scripts/demo.sh [--live]     (run from the package folder after `swift build --product hft`)
#   --live            connect the gateway to the real exchanges instead (examples/demo/gateway-live.json)
#   HFT=path          the hft binary (default .build/debug/hft)
#   DEMO_SECONDS=N    stop after N seconds (default: 20 when standard output is not a terminal, else until Ctrl-C)
set -eu
HFT=${HFT:-.build/debug/hft}
LIVE=0
[ "${1:-}" = "--live" ] && LIVE=1
if [ -z "${DEMO_SECONDS:-}" ] && [ ! -t 1 ]; then DEMO_SECONDS=20; fi
CAPTURES=Tests/ExchangeConformanceTests/Captures

HFT_IPC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hftkit-demo.XXXXXX")
export HFT_IPC_DIR
pids=""
cleanup() {
    trap - EXIT INT TERM
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$HFT_IPC_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# hft simulate for one capture; sets URL to the address it prints.
simulate() {
    out="$HFT_IPC_DIR/sim-$1.out"
    : >"$out"  # exists before the background job opens it (the loop below reads it at once)
    "$HFT" simulate --capture "$CAPTURES/$1.jsonl" --loop >"$out" 2>"$HFT_IPC_DIR/sim-$1.err" &
    pids="$pids $!"
    URL=""
    for _ in $(seq 200); do
        URL=$(head -n 1 "$out" 2>/dev/null || true)
        [ -n "$URL" ] && return 0
        sleep 0.05
    done
    echo "demo: hft simulate --capture $CAPTURES/$1.jsonl did not start:" >&2
    cat "$HFT_IPC_DIR/sim-$1.err" >&2
    exit 1
}

if [ "$LIVE" = 1 ]; then
    GATEWAY=examples/demo/gateway-live.json
    CONSOLE=examples/demo/console-live.json
    echo "--- gateway: hft run $GATEWAY (real exchanges)"
else
    simulate binance;  BINANCE_ENDPOINT=$URL
    simulate coinbase; COINBASE_ENDPOINT=$URL
    simulate kraken;   KRAKEN_ENDPOINT=$URL
    export BINANCE_ENDPOINT COINBASE_ENDPOINT KRAKEN_ENDPOINT
    GATEWAY=examples/demo/gateway.json
    CONSOLE=examples/demo/console.json
    echo "--- local exchanges (hft simulate, looped captures): binance $BINANCE_ENDPOINT, coinbase $COINBASE_ENDPOINT, kraken $KRAKEN_ENDPOINT"
    echo "--- gateway: hft run $GATEWAY (streams through the generated adapters, publishes on IPC in $HFT_IPC_DIR)"
fi
"$HFT" run "$GATEWAY" >"$HFT_IPC_DIR/gateway.out" 2>"$HFT_IPC_DIR/gateway.err" &
pids="$pids $!"
echo "--- console: hft run $CONSOLE (subscribed over IPC)${DEMO_SECONDS:+ for $DEMO_SECONDS s}"
if "$HFT" run "$CONSOLE" ${DEMO_SECONDS:+--seconds "$DEMO_SECONDS"}; then status=0; else status=$?; fi
echo "--- gateway:"
cat "$HFT_IPC_DIR/gateway.out" "$HFT_IPC_DIR/gateway.err" | cut -c 1-200
exit $status
