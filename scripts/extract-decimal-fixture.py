#!/usr/bin/env python3
"""Extracts every decimal string and JSON number from recorded captures into a test fixture.

Usage: scripts/extract-decimal-fixture.py ../shared/captures/*.jsonl > Tests/HFTCoreTests/Fixtures/capture-decimals.tsv

The expected values come from Python's `decimal` module (independent of HFTKit's parser):
  canonical = normalized value, plain notation, no trailing fractional zeros, no negative zero;
  plain     = the value with its original number of fractional digits (exponents applied), no negative zero.
Output lines: KIND <TAB> INPUT <TAB> CANONICAL <TAB> PLAIN, with PLAIN written as '=' when it equals INPUT.
KIND is 's' (a JSON string holding a decimal) or 'n' (a JSON number, raw text as sent).
"""
import json
import re
import sys
from decimal import Decimal, getcontext

getcontext().prec = 100  # normalize() rounds to the context precision; 100 digits keeps it exact

DECIMAL_TEXT = re.compile(r'^-?\d+(\.\d+)?([eE][+-]?\d+)?$')


class RawNumber(str):
    pass


def walk(value, strings, numbers):
    if isinstance(value, RawNumber):
        numbers.add(str(value))
    elif isinstance(value, str):
        if DECIMAL_TEXT.match(value):
            strings.add(value)
    elif isinstance(value, list):
        for v in value:
            walk(v, strings, numbers)
    elif isinstance(value, dict):
        for v in value.values():
            walk(v, strings, numbers)


def plain(d: Decimal) -> str:
    text = format(d, 'f')
    return text[1:] if text.startswith('-') and d == 0 else text


def canonical(d: Decimal) -> str:
    if d == 0:
        return '0'
    return format(d.normalize(), 'f')


def main(paths):
    strings, numbers = set(), set()
    for path in paths:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if record.get('t') not in ('recv', 'http', 'send'):
                    continue
                try:
                    data = json.loads(record['data'], parse_float=RawNumber, parse_int=RawNumber)
                except ValueError:
                    continue  # non-JSON text frames such as 'pong'
                walk(data, strings, numbers)
    out = sys.stdout
    for kind, values in (('s', strings), ('n', numbers)):
        for text in sorted(values):
            d = Decimal(text)
            p = plain(d)
            out.write(f"{kind}\t{text}\t{canonical(d)}\t{'=' if p == text else p}\n")


if __name__ == '__main__':
    main(sys.argv[1:])
