#!/usr/bin/env python3
"""Validates every specs/*.json against specs/exchange-spec.schema.json (what editors check), so the schema and
the compiler cannot drift apart. The compiler (hft-codegen, run by `swift build`) checks more than the schema.
Usage: scripts/check-spec-schema.py   (exit 1 on any violation)
"""
import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("check-spec-schema: python3 module 'jsonschema' missing; install it with: pip install jsonschema", file=sys.stderr)
    sys.exit(1)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
schema = json.load(open(os.path.join(root, 'specs', 'exchange-spec.schema.json')))
validator = jsonschema.Draft202012Validator(schema)
failed = 0
specs = sorted(p for p in glob.glob(os.path.join(root, 'specs', '*.json')) if not p.endswith('.schema.json'))
for path in specs:
    for error in validator.iter_errors(json.load(open(path))):
        where = '.'.join(str(p) for p in error.absolute_path) or '$'
        print(f"specs/{os.path.basename(path)}: schema: {where}: {error.message}", file=sys.stderr)
        failed += 1
print(f"check-spec-schema: {len(specs)} specs, {failed} schema violations")
sys.exit(1 if failed else 0)
