#!/usr/bin/env python3
"""Every JSON key sipcause writes is documented in doc/json.md.

usage: json_doc.py SIPCAUSE DOC CAPTURE...
Runs `SIPCAUSE --format json` and `--format jsonl` on each capture,
collects every object key at any depth (numeric keys of count maps such
as stats.responses excepted), and fails naming each key that doc/json.md
does not mention as "key".
"""
import json
import re
import subprocess
import sys


def keys(node, path, out):
    if isinstance(node, dict):
        for k, v in node.items():
            # maps keyed by data (status codes, methods, reasons, peers)
            if not re.fullmatch(r"[0-9]+|[A-Z][A-Z0-9_-]*", k):
                out.setdefault(k, path + "." + k)
                keys(v, path + "." + k, out)
            else:
                keys(v, path + ".*", out)
    elif isinstance(node, list):
        for v in node:
            keys(v, path + "[]", out)


def main():
    binary, doc_path, captures = sys.argv[1], sys.argv[2], sys.argv[3:]
    doc = open(doc_path, encoding="utf-8").read()
    found = {}
    for cap in captures:
        for fmt in ("json", "jsonl"):
            r = subprocess.run([binary, "--format", fmt, cap],
                               capture_output=True, timeout=120)
            if r.returncode != 0:
                print("FAIL: %s %s exited %d" % (fmt, cap, r.returncode))
                return 1
            for line in r.stdout.decode().splitlines() if fmt == "jsonl" \
                    else [r.stdout.decode()]:
                if line.strip():
                    keys(json.loads(line), "", found)
    missing = sorted((p, k) for k, p in found.items()
                     if '"%s"' % k not in doc)
    for path, key in missing:
        print("undocumented key %r (at %s)" % (key, path))
    print("%d keys seen, %d undocumented" % (len(found), len(missing)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
