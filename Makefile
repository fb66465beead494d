# HFTKit: the two set-up commands (`make demo`, `make test`) plus `make bench`.
# Each installs missing Debian packages first (scripts/ensure-system-packages.sh; sudo when not root).

SWIFT ?= swift

.PHONY: demo test bench deps clean

deps:
	@scripts/ensure-system-packages.sh
	@scripts/ensure-python-packages.sh

## The local demo, with no internet: `hft simulate` serves a recorded Binance session on loopback and
## `hft stream` prints its live normalized events (scripts/demo-live.sh); then recorded sessions of every
## exchange are replayed offline through the adapters compiled from specs/.
demo: deps
	$(SWIFT) build --product hft
	.build/debug/hft --help
	.build/debug/hft exchanges
	@scripts/demo-live.sh .build/debug/hft
	@echo "--- offline replay of recorded sessions through the generated adapters (hft replay --summary-only):"
	@for x in binance binance_futures coinbase kraken kraken_futures; do \
		.build/debug/hft replay Tests/ExchangeConformanceTests/Captures/$$x.jsonl --summary-only || exit 1; done
	.build/debug/hft replay Tests/ExchangeConformanceTests/Captures/okx.jsonl --exchange okx --summary-only
	.build/debug/hft replay Tests/ExchangeConformanceTests/Captures/okx.jsonl --exchange okx_swap --summary-only

## All tests (unit, capture fixtures, C bindings, generated exchange conformance) and the specs' schema check.
## Never runs benchmarks.
test: deps
	$(SWIFT) test
	@python3 scripts/check-spec-schema.py

## Benchmarks (release build, separate scratch folder), summarized as same-run ratios against baselines
## (Python's asyncio.Queue and pyzmq pub/sub are measured right after, in the same run). One target: make bench BENCH=StreamBenchmarks
bench: deps
	HFTKIT_BENCHMARKS=1 $(SWIFT) package --scratch-path .build-bench benchmark $(if $(BENCH),--target $(BENCH)) --format jmh --path .build-bench/results
	@python3 scripts/asyncio-queue-baseline.py > .build-bench/results/asyncio-queue.json
	@python3 scripts/pyzmq-pubsub-baseline.py > .build-bench/results/pyzmq-pubsub.json
	@scripts/bench-report.py .build-bench/results/Current_run.jmh.json --asyncio .build-bench/results/asyncio-queue.json \
		--pyzmq .build-bench/results/pyzmq-pubsub.json

clean:
	rm -rf .build .build-bench
