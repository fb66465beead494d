#!/usr/bin/env python3
"""Builds exact arithmetic test vectors from the capture decimal fixture, using Python's `decimal` module
(independent of HFTKit) with 100 digits of precision, so every result below is exact.

Usage: scripts/make-decimal-arithmetic-fixture.py Tests/HFTCoreTests/Fixtures/capture-decimals.tsv \
         > Tests/HFTCoreTests/Fixtures/decimal-arithmetic.tsv
Output lines: A <TAB> B <TAB> A+B <TAB> A-B <TAB> A*B <TAB> CMP(A,B)   (canonical text; '!' = outside 38 digits)
"""
import random
import sys
from decimal import Decimal, getcontext

getcontext().prec = 100
MAX_DIGITS = 38


def canonical(d: Decimal) -> str:
    if d == 0:
        return '0'
    n = d.normalize()
    digits = len(n.as_tuple().digits)
    exponent = n.as_tuple().exponent
    # Representable as mantissa*10^-scale with |mantissa| < 10^38 and scale <= 38 (after removing zeros).
    scale = max(0, -exponent)
    mantissa_digits = digits + max(0, exponent)
    if scale > MAX_DIGITS or mantissa_digits > MAX_DIGITS:
        return '!'
    return format(n, 'f')


def main(path):
    values = [line.split('\t')[1] for line in open(path)]
    rng = random.Random(20261122)
    for _ in range(3000):
        a, b = rng.choice(values), rng.choice(values)
        da, db = Decimal(a), Decimal(b)
        cmp = (da > db) - (da < db)
        print(f"{a}\t{b}\t{canonical(da + db)}\t{canonical(da - db)}\t{canonical(da * db)}\t{cmp}")


if __name__ == '__main__':
    main(sys.argv[1])
