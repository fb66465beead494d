#!/usr/bin/env python3
"""Copies a recorded capture into the conformance test fixtures, dropping bulky REST reference data that no
test reads (exchangeInfo, instrument and asset lists). Kept: header, connect, send, recv, and REST order-book
snapshots (URLs containing 'depth' or 'book').

Usage: scripts/import-capture.py ../shared/captures/binance.jsonl   (writes Tests/ExchangeConformanceTests/Captures/)
Conformance counts in specs are computed on the copied file with the spec's countCommand.
"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(here, '..', 'Tests', 'ExchangeConformanceTests', 'Captures')
for path in sys.argv[1:]:
    out_path = os.path.join(target, os.path.basename(path))
    kept = dropped = 0
    with open(path) as src, open(out_path, 'w') as out:
        for line in src:
            record = json.loads(line)
            if record['t'] == 'http' and not any(k in record.get('url', '') for k in ('depth', 'book')):
                dropped += 1
                continue
            out.write(line)
            kept += 1
    print(f"{out_path}: kept {kept} lines, dropped {dropped} REST reference lines")
