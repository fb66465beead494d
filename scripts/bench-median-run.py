#!/usr/bin/env python3
"""Keeps, for each benchmark group, the run whose same-run ratio is the median of several runs.

`scripts/bench.sh` runs ParseBenchmarks for one spec in BENCH_RUNS fresh processes (3 by default). On this 2-vCPU
VM identical code moves 5-10% between processes and about one process in four is disturbed by the host. Within
one run, a group's generated adapter and its JSONSerialization baseline share the disturbance, so the report keeps
whole runs: per group (`okx`, `okx ticker+trade`, ...), the run whose baseline / adapter ratio is the median, with
both of its rows. The ratio therefore stays a same-run ratio; the other runs' ratios are printed beside it.

Usage: scripts/bench-median-run.py OUT.jmh.json RUN1.jmh.json [RUN2.jmh.json ...]
Writes OUT.jmh.json (the chosen entries, in the JMH export format that scripts/bench-report.py reads; empty when the
runs hold no benchmark: ParseBenchmarks has no pairs for a spec that names no capture).
"""
import importlib.util
import json
import os
import statistics
import sys

_spec = importlib.util.spec_from_file_location(
    'bench_report', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bench-report.py'))
bench_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_report)


def group_ratios(entries):
    """{group: (ratio or None, [entries])} for one run's entries."""
    groups = {}
    for entry in entries:
        m = bench_report.NAME.match(entry['benchmark'])
        if not m:
            continue
        group = groups.setdefault(m['group'], {'entries': [], 'baseline': None, 'adapter': None})
        group['entries'].append(entry)
        ns = bench_report.ns_per_item(entry, int(m['n']))
        if m['name'].startswith('baseline'):
            group['baseline'] = ns
        elif m['name'].startswith('generated_adapter'):
            group['adapter'] = ns
    return {name: ((g['baseline'] / g['adapter']) if g['baseline'] and g['adapter'] else None, g['entries'])
            for name, g in groups.items()}


def main(argv):
    if len(argv) < 1:
        sys.exit(__doc__)
    out, runs = argv[0], [group_ratios(json.load(open(path))) for path in argv[1:]]
    chosen = []
    for group in sorted({g for run in runs for g in run}):
        measured = [(run[group][0], run[group][1]) for run in runs if group in run and run[group][0] is not None]
        if not measured:  # no ratio to rank by: keep the first run's entries
            chosen += next(run[group][1] for run in runs if group in run)
            continue
        measured.sort(key=lambda pair: pair[0])
        ratio, entries = measured[(len(measured) - 1) // 2]  # the lower median for an even count
        chosen += entries
        spread = ', '.join(f'{r:.1f}x' for r, _ in measured)
        print(f"  {group.replace('_', ' ')}: median run {ratio:.1f}x of {len(measured)} (runs: {spread};"
              f" sd {statistics.pstdev([r for r, _ in measured]) / ratio * 100:.0f}%)")
    if not chosen:
        print('  (no ParseBenchmarks pairs in these runs: the spec names no capture)')
    json.dump(chosen, open(out, 'w'))


if __name__ == '__main__':
    main(sys.argv[1:])
