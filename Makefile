# HFTKit: the two set-up commands (`make demo`, `make test`) plus `make bench`.
# Each installs missing Debian packages first (scripts/ensure-system-packages.sh; sudo when not root).

SWIFT ?= swift

.PHONY: demo test bench deps clean

deps:
	@scripts/ensure-system-packages.sh

## The local demo. Until the exchange simulator exists (issue 4), it shows the CLI and what it can do today.
demo: deps
	$(SWIFT) build --product hft
	.build/debug/hft --help
	.build/debug/hft version
	.build/debug/hft decimal 0.00001234 65083.67 6195.00000000 1e-8 5.5E+3
	.build/debug/hft time 2026-08-09T21:05:48.228568804Z 1633998511098
	.build/debug/hft instrument btc/usdt BTC-USDT-PERP BTC-USD-22K27

## All tests (unit, capture fixtures, C bindings, generated exchange conformance) and the specs' schema check.
## Never runs benchmarks.
test: deps
	$(SWIFT) test
	@python3 scripts/check-spec-schema.py

## Benchmarks (release build, separate scratch folder), summarized as same-run ratios against baselines.
bench: deps
	HFTKIT_BENCHMARKS=1 $(SWIFT) package --scratch-path .build-bench benchmark --format jmh --path .build-bench/results
	@scripts/bench-report.py .build-bench/results/Current_run.jmh.json

clean:
	rm -rf .build .build-bench
