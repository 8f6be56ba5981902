#!/usr/bin/env python3
"""Run the Python client's tests (unittest discovery under tests/) and print one summary line.

Exit status: 0 all passed; 1 a failure or error, no tests found at all, or (with
--no-skips, as CI runs it) any test skipped, e.g. the live tests without `make build`.
"""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-skips", action="store_true", help="a skipped test fails the run")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(os.path.join(HERE, "tests"), top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    print(f"python client: {result.testsRun} tests, {failed} failed, {skipped} skipped")
    if result.testsRun == 0:
        print("python client: no tests ran", file=sys.stderr)
        return 1
    if failed > 0 or (args.no_skips and skipped > 0):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
