# HFTKit: the two set-up commands (`make demo`, `make test`) plus `make bench`.
# Each installs missing Debian packages first (scripts/ensure-system-packages.sh; sudo when not root).

SWIFT ?= swift

.PHONY: demo demo-live test bench deps clean

deps:
	@scripts/ensure-system-packages.sh
	@scripts/ensure-python-packages.sh

## The demo: three local exchanges (hft simulate serving the bundled Binance, Coinbase and Kraken captures), a
## gateway process streaming from them through the generated adapters and publishing on IPC, and a console process
## subscribed over IPC showing the live table (scripts/demo.sh). Ctrl-C stops everything and leaves nothing behind;
## when standard output is not a terminal it stops after DEMO_SECONDS (default 20). `make demo-live`: real exchanges.
demo: deps
	$(SWIFT) build --product hft
	@scripts/demo.sh

demo-live: deps
	$(SWIFT) build --product hft
	@scripts/demo.sh --live

## All tests (unit, capture fixtures, C bindings, generated exchange conformance) and the specs' schema check.
## Never runs benchmarks.
test: deps
	$(SWIFT) test
	@python3 scripts/check-spec-schema.py

## Benchmarks (release build, separate scratch folder), summarized as same-run ratios against baselines
## (Python's asyncio.Queue and pyzmq pub/sub are measured right after, in the same run). ParseBenchmarks runs one
## process per exchange spec, three times, keeping the median run (scripts/bench.sh says why; BENCH_RUNS=N).
## One target: make bench BENCH=StreamBenchmarks
bench: deps
	SWIFT=$(SWIFT) scripts/bench.sh $(BENCH)

clean:
	rm -rf .build .build-bench
