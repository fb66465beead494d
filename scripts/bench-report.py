#!/usr/bin/env python3
"""Summarizes an ordo-one/benchmark JMH export as same-run ratios against each group's baseline.

Benchmark names follow `<group>: <name> (per <N> <items>)`; in every group the benchmark whose name starts
with `baseline` is the reference. Prints ns per item (median wall-clock time of an iteration / items), allocations
per item and the speed-up over the baseline; custom latency metrics (`latency p50 (ns)`, `latency p99 (ns)`, the
median over iterations) where a benchmark records them. With `--asyncio FILE` (the JSON line printed by
scripts/asyncio-queue-baseline.py in the same `make bench` run) the queue hand-off rows also get their ratio
against Python's asyncio.Queue. Ends with the issue targets, each as a measured ratio.
With `--pyzmq FILE` (scripts/pyzmq-pubsub-baseline.py's line) the pub/sub rows get their ratio against pyzmq.
Usage: scripts/bench-report.py results/Current_run.jmh.json [--asyncio asyncio-queue.json] [--pyzmq pyzmq-pubsub.json]
"""
import json
import re
import sys

NAME = re.compile(r'^package\.benchmark\.(?P<target>[^.]+)\.(?P<group>[^:]+):_(?P<name>.*?)_\(per_(?P<n>\d+)_(?P<unit>\w+)\)$')
LATENCY = ('latency p50 (ns)', 'latency p99 (ns)')

# (group regex, row-name prefix, what the ratio is against, target ratio): the issues' targets, as same-run
# ratios (a "at most 1.5x slower" target is a ratio of at least 1/1.5).
TARGETS = [
    (r'.* ticker\+trade', 'generated adapter', 'baseline', 40.0),        # issue 3: parse ≥ 40x JSONSerialization
    # issue 3 names the whole capture: every frame, books included
    (r'(binance|binance futures|coinbase|kraken|kraken futures|okx|okx swap)', 'generated adapter', 'baseline', 40.0),
    ('queue handoff', 'EventQueue', 'bare SPSC ring', 0.1),               # issue 4
    ('queue handoff', 'EventQueue', 'asyncio.Queue', 10.0),               # issue 4
    ('wire to observer', 'MarketStream', 'bare C lws client', 0.8),       # issue 4
    ('book apply', 'OrderBook', 'baseline', 1 / 1.5),                     # issue 5: ≤ 1.5x a C sorted-array book
    ('book checksum', 'verification', 'baseline', 1 / 1.5),               # issue 5: ≤ 1.5x the raw CRC32
    # issue 6: ≥ 0.8x C libzmq PUB/SUB, like for like (the same threads and socket calls, plus encode and decode);
    # end to end (one more thread: the observer's) reported beside it, and against pyzmq.
    ('pubsub throughput', 'MarketDataPublisher to MarketDataDecoder', 'baseline', 0.8),
    ('pubsub throughput', 'MarketDataPublisher to MarketDataSubscriber', 'baseline', None),  # reported, no target
    # against the C pair using the publisher's zero-copy payload pool too: how much is the technique (no target)
    ('pubsub throughput', 'MarketDataPublisher to MarketDataDecoder', 'C zero-copy', None),
    ('pubsub throughput', 'MarketDataPublisher', 'pyzmq', 1.0),
    ('command round trip latency', 'IPCCommandSystem', 'baseline p50', 1 / 1.1),  # issue 6: p50 ≤ 1.1x C libzmq
    ('command round trip latency', 'IPCCommandSystem', 'baseline p99', 1 / 1.5),  # issue 6: p99 ≤ 1.5x C libzmq
]


def median(metrics, key):
    return metrics.get(key, {}).get('scorePercentiles', {}).get('50.0')


def ns_per_item(entry, per):
    """ns per item of one JMH entry: the median wall-clock time of an iteration over its items (else throughput)."""
    wall = median(entry.get('secondaryMetrics', {}), 'Time (wall clock)')  # µs per iteration
    throughput = entry['primaryMetric']['scorePercentiles']['50.0']  # iterations per second (integer: coarse)
    return wall * 1000 / per if wall else (1e9 / (throughput * per) if throughput else float('inf'))


def read_groups(path):
    groups = {}
    for b in json.load(open(path)):
        m = NAME.match(b['benchmark'])
        if not m:
            print(f"(unrecognized benchmark name {b['benchmark']})")
            continue
        per = int(m['n'])
        secondary = b.get('secondaryMetrics', {})
        mallocs = median(secondary, 'Malloc (total)')
        ns = ns_per_item(b, per)
        group = m['group'].replace('_', ' ')
        row = {
            'name': m['name'].replace('_', ' '),
            'ns': ns,
            'allocs': (mallocs / per) if mallocs is not None else None,
            'unit': m['unit'].rstrip('s'),
            # The JMH export carries earlier benchmarks' custom metrics along: read them only where recorded.
            'latency': [median(secondary, k) for k in LATENCY] if 'latency' in group else None,
        }
        groups.setdefault(group, []).append(row)
    return groups


def main(argv):
    path = argv[0]
    asyncio_ns = None
    if '--asyncio' in argv:
        lines = [l for l in open(argv[argv.index('--asyncio') + 1]).read().splitlines() if l.strip()]
        asyncio_ns = json.loads(lines[-1])['ns_per_event']
    pyzmq_ns = None
    if '--pyzmq' in argv:  # scripts/pyzmq-pubsub-baseline.py's JSON line, same run
        lines = [l for l in open(argv[argv.index('--pyzmq') + 1]).read().splitlines() if l.strip()]
        pyzmq_ns = json.loads(lines[-1])['ns_per_event'] if lines else None
    groups = read_groups(path)
    ratios = []  # (group, row, against, ratio)
    for group, rows in groups.items():
        baseline = next((r for r in rows if r['name'].startswith('baseline')), None)
        print(f"\n{group}")
        for r in rows:
            ratio = f"{baseline['ns'] / r['ns']:8.2f}x baseline" if baseline and r is not baseline else " " * 18
            allocs = f"{r['allocs']:.2f} allocs/{r['unit']}" if r['allocs'] is not None else ""
            extra = ""
            if r['latency'] and all(v is not None for v in r['latency']):
                extra = f"  latency p50 {r['latency'][0] / 1000:.1f} µs, p99 {r['latency'][1] / 1000:.1f} µs"
            if group == 'queue handoff' and asyncio_ns and not r['name'].startswith('baseline'):
                extra += f"  {asyncio_ns / r['ns']:6.1f}x asyncio.Queue"
                ratios.append((group, r['name'], 'asyncio.Queue', asyncio_ns / r['ns']))
            if group == 'pubsub throughput' and pyzmq_ns and not r['name'].startswith('baseline'):
                extra += f"  {pyzmq_ns / r['ns']:6.1f}x pyzmq"
                ratios.append((group, r['name'], 'pyzmq', pyzmq_ns / r['ns']))
            pooled = next((x for x in rows if x['name'].startswith('reference C')), None)
            if group == 'pubsub throughput' and pooled and r['name'].startswith('MarketDataPublisher'):
                extra += f"  {pooled['ns'] / r['ns']:.2f}x C zero-copy"
                ratios.append((group, r['name'], 'C zero-copy', pooled['ns'] / r['ns']))
            if baseline and r is not baseline:
                against = {'queue handoff': 'bare SPSC ring'}.get(group, 'bare C lws client' if 'wire to observer' in group else 'baseline')
                ratios.append((group, r['name'], against, baseline['ns'] / r['ns']))
            if r['latency'] is not None:  # paced: its time per item is the recording's pace, not a cost
                base = baseline['latency'] if baseline and r is not baseline else None
                if base and all(v for v in base) and all(v for v in r['latency']):
                    # Latency groups with a baseline (command round trip): ratios of the percentiles.
                    ratios.append((group, r['name'], 'baseline p50', base[0] / r['latency'][0]))
                    ratios.append((group, r['name'], 'baseline p99', base[1] / r['latency'][1]))
                    extra += f"  ({base[0] / r['latency'][0]:.2f}x / {base[1] / r['latency'][1]:.2f}x baseline)"
                print(f"  {r['name']:<72} {extra.strip()}")
                continue
            print(f"  {r['name']:<72} {r['ns']:10.1f} ns/{r['unit']}  {ratio}  {allocs}{extra}")
    if asyncio_ns:
        print(f"\nasyncio.Queue (scripts/asyncio-queue-baseline.py, same run): {asyncio_ns:.1f} ns/event")
    if pyzmq_ns:
        print(f"pyzmq protobuf pub/sub (scripts/pyzmq-pubsub-baseline.py, same run): {pyzmq_ns:.1f} ns/event")
    print("\ntargets (same-run ratios; higher is faster)")
    print(f"  {'measured':<72} {'ratio':>8}  {'target':>7}")
    for group, prefix, against, target in TARGETS:
        for g, name, a, value in ratios:
            if re.fullmatch(group, g) and a == against and name.startswith(prefix):
                if target is None:
                    print(f"  {(g + ': ' + name + ' vs ' + against)[:72]:<72} {value:7.2f}x  {'':>7}  reported")
                    continue
                verdict = "met" if value >= target else "MISSED"
                print(f"  {(g + ': ' + name + ' vs ' + against)[:72]:<72} {value:7.2f}x  ≥{target:5.2f}x  {verdict}")


if __name__ == '__main__':
    main(sys.argv[1:])
