#!/usr/bin/env python3
"""Summarizes an ordo-one/benchmark JMH export as same-run ratios against each group's baseline.

Benchmark names follow `<group>: <name> (per <N> <items>)`; in every group the benchmark whose name starts
with `baseline` is the reference. Prints ns per item (median wall-clock time of an iteration / items), allocations per item and the speed-up
over the baseline.
Usage: scripts/bench-report.py results/Current_run.jmh.json
"""
import json
import re
import sys

NAME = re.compile(r'^package\.benchmark\.(?P<target>[^.]+)\.(?P<group>[^:]+):_(?P<name>.*?)_\(per_(?P<n>\d+)_(?P<unit>\w+)\)$')


def main(path):
    groups = {}
    for b in json.load(open(path)):
        m = NAME.match(b['benchmark'])
        if not m:
            print(f"(unrecognized benchmark name {b['benchmark']})")
            continue
        per = int(m['n'])
        secondary = b.get('secondaryMetrics', {})
        wall = secondary.get('Time (wall clock)', {}).get('scorePercentiles', {}).get('50.0')  # µs per iteration
        throughput = b['primaryMetric']['scorePercentiles']['50.0']  # iterations per second (integer: coarse)
        mallocs = secondary.get('Malloc (total)', {}).get('scorePercentiles', {}).get('50.0')
        ns = wall * 1000 / per if wall else (1e9 / (throughput * per) if throughput else float('inf'))
        row = {
            'name': m['name'].replace('_', ' '),
            'ns': ns,
            'allocs': (mallocs / per) if mallocs is not None else None,
            'unit': m['unit'].rstrip('s'),
        }
        groups.setdefault(m['group'].replace('_', ' '), []).append(row)
    for group, rows in groups.items():
        baseline = next((r for r in rows if r['name'].startswith('baseline')), None)
        print(f"\n{group}")
        for r in rows:
            ratio = f"{baseline['ns'] / r['ns']:8.1f}x baseline" if baseline and r is not baseline else " " * 17
            allocs = f"{r['allocs']:.2f} allocs/{r['unit']}" if r['allocs'] is not None else ""
            print(f"  {r['name']:<55} {r['ns']:10.1f} ns/{r['unit']}  {ratio}  {allocs}")


if __name__ == '__main__':
    main(sys.argv[1])
