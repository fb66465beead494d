#!/bin/sh
# A stream from the command line, with no internet: `hft simulate` serves a recorded Binance session on loopback
# (a real WebSocket server), `hft stream` connects to it through MarketStream and prints the normalized events,
# then the simulator is stopped with SIGINT (clean shutdown).
# Usage: scripts/demo-stream.sh [path/to/hft]   (default .build/debug/hft; run from the package folder)
set -eu
HFT=${1:-.build/debug/hft}
CAPTURE=Tests/ExchangeConformanceTests/Captures/binance.jsonl
# The instruments and channels the capture recorded (the simulator serves the recorded connection they match).
REQUEST="binance NKN-USDT BLZ-ETH LRC-BTC RUNE-EUR --channels l2_book,ticker,candles,trade"

out=$(mktemp)
err=$(mktemp)
"$HFT" simulate --capture "$CAPTURE" --loop --speed 4 >"$out" 2>"$err" &
sim=$!
trap 'kill -INT $sim 2>/dev/null || true; wait $sim 2>/dev/null || true; rm -f "$out" "$err"' EXIT INT TERM

url=""
for _ in $(seq 100); do
    url=$(head -n 1 "$out")
    [ -n "$url" ] && break
    if ! kill -0 "$sim" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "demo: hft simulate did not start:" >&2
    cat "$err" >&2
    exit 1
fi
echo "--- hft simulate --capture $CAPTURE --loop --speed 4   (serving at $url)"
cut -c 1-160 "$err"
echo "--- hft stream $REQUEST --endpoint $url --count 20 --format table"
# shellcheck disable=SC2086
"$HFT" stream $REQUEST --endpoint "$url" --count 20 --seconds 30 --format table
echo "--- the same stream as JSON lines (docs/replay-format.md), 3 events"
# shellcheck disable=SC2086
"$HFT" stream $REQUEST --endpoint "$url" --count 3 --seconds 30 2>/dev/null | cut -c 1-160
kill -INT "$sim"
wait "$sim"
echo "--- simulator stopped: $(tail -n 1 "$err")"
