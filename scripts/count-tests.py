#!/usr/bin/env python3
"""Count test cases in meson's testlog.json.

TAP tests are counted per test case (their "ok"/"not ok" lines); any
other test counts once by its result.  Prints "N passed, N failed,
N skipped" and exits 1 if anything failed.
"""
import json
import re
import sys

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')


def count(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            result = entry.get('result', '')
            cases = 0
            for out in entry.get('stdout', '').splitlines():
                m = TAP_LINE.match(out.strip())
                if not m:
                    continue
                cases += 1
                if '# SKIP' in m.group(2).upper():
                    skipped += 1
                elif m.group(1) == 'ok':
                    passed += 1
                else:
                    failed += 1
            if cases == 0 or result not in ('OK', 'SKIP', 'EXPECTEDFAIL'):
                # No TAP output, or the program died/timed out after it:
                # count the program itself.
                if result in ('OK', 'EXPECTEDFAIL'):
                    passed += 1 if cases == 0 else 0
                elif result == 'SKIP':
                    skipped += 1 if cases == 0 else 0
                else:
                    failed += 1
    return passed, failed, skipped


def main():
    passed, failed, skipped = count(sys.argv[1])
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
