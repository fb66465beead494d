#!/usr/bin/env python3
"""Compare the parse speed of the working tree with a base revision, in alternating runs.

Usage: scripts/ab-parse.py [--base REV] [--filter REGEX] [--rounds N]

A change to the parsers is worth a few percent at most, and one benchmark run moves more than that: the machine
is shared, and a build's code layout alone moves some rows by 3-5%. So the base revision (default HEAD) is built in
a worktree of its own (.build-bench/ab-base), the working tree as `make bench` builds it (.build-bench), and the
two ParseBenchmarks executables run one after the other, N rounds. Printed per row: the generated adapter's median
and fastest ns/frame for each side (p50 of each run's iterations) and B/A (below 1: the working tree is faster).
Only the adapter is timed; the baseline's ratio is `make bench`'s business.

Example: scripts/ab-parse.py --filter '^(okx|binance).*generated.*' --rounds 7
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_TREE = os.path.join(ROOT, ".build-bench", "ab-base")
SWIFT = os.environ.get("SWIFT", "swift")


def build(tree):
    env = dict(os.environ, HFTKIT_BENCHMARKS="1")
    subprocess.run([SWIFT, "build", "-c", "release", "--scratch-path", ".build-bench", "--product", "ParseBenchmarks"],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(tree, ".build-bench", "release", "ParseBenchmarks")


def base_tree(rev):
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    if not os.path.isdir(BASE_TREE):
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)  # after `make clean` removed the folder
        subprocess.run(["git", "worktree", "add", "--detach", BASE_TREE, commit], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    else:
        subprocess.run(["git", "checkout", "--detach", "-q", commit], cwd=BASE_TREE, check=True)
    return BASE_TREE


def run(binary, pattern):
    """{row: ns per frame} from one run: the p50 of each benchmark's wall-clock iterations over its frame count."""
    env = dict(os.environ, HFTKIT_BENCHMARKS="1")
    out = subprocess.run([binary, "--filter", pattern], capture_output=True, text=True, env=env).stdout
    rows = {}
    for block in out.split("Debug results for ")[1:]:
        name = block.split(":\n", 1)[0]
        frames = re.search(r"\(per (\d+) frames\)", name)
        if not frames or "Time (wall clock):" not in block:
            continue
        for line in block.split("Time (wall clock):", 1)[1].splitlines():
            f = line.split()
            if len(f) >= 3 and re.fullmatch(r"[0-9.]+", f[0]) and re.fullmatch(r"[0-9.]+", f[1]) and float(f[1]) >= 0.5:
                rows[name.split(" (per")[0].replace(": generated adapter", "")] = float(f[0]) / int(frames.group(1))
                break
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD")
    parser.add_argument("--filter", default=".*generated.*")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    a_bin = build(base_tree(args.base))
    b_bin = build(ROOT)
    samples = {"A": {}, "B": {}}
    for _ in range(args.rounds):
        for side, binary in (("A", a_bin), ("B", b_bin)):
            for row, ns in run(binary, args.filter).items():
                samples[side].setdefault(row, []).append(ns)
    print(f"A = {args.base}, B = working tree; ns/frame of the generated adapter over {args.rounds} rounds")
    for row in sorted(samples["A"]):
        a, b = samples["A"][row], samples["B"].get(row)
        if not b:
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{row:30s} median A {ma:8.1f} B {mb:8.1f} B/A {mb / ma:6.3f} | fastest A {min(a):8.1f} B {min(b):8.1f} "
              f"B/A {min(b) / min(a):6.3f}")


if __name__ == "__main__":
    sys.exit(main())
