#!/usr/bin/env python3
"""The ClickHouse and Elasticsearch recipes of README.md name
only fields that the call objects of `--format jsonl` really have.

Usage: recipes.py SIPCAUSE RECIPES.md SAMPLE...
"""
import json
import re
import subprocess
import sys


def clickhouse_paths(text):
    """Every JSONExtract*(j, 'a', 'b', ...) path of the INSERT."""
    paths = []
    for args in re.findall(r"JSONExtract\w*\(j,([^)]*)\)", text):
        # the type argument ('Nullable(UInt16)') is cut at its "(" and
        # has no closing quote here, so only the keys are found
        paths.append(tuple(re.findall(r"'([^'(]*)'", args)))
    return paths


def es_paths(text):
    """Every field path of the PUT mapping."""
    start = text.index("PUT sipcause-calls") + len("PUT sipcause-calls")
    body = text[start:text.index("}}}}", start) + 4]
    mapping = json.loads(body)["mappings"]["properties"]
    paths = []

    def walk(props, prefix):
        for k, v in props.items():
            if "properties" in v:
                walk(v["properties"], prefix + (k,))
            else:
                paths.append(prefix + (k,))
    walk(mapping, ())
    return paths


def has(obj, path):
    for k in path:
        if not isinstance(obj, dict) or k not in obj:
            return False
        obj = obj[k]
    return True


def main():
    exe, recipes, samples = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(recipes) as f:
        text = f.read()
    calls = []
    for s in samples:
        out = subprocess.run([exe, "--format", "jsonl", "-V", s], check=True,
                             capture_output=True, text=True).stdout
        calls += [json.loads(line) for line in out.splitlines()]
    assert calls
    ch, es = clickhouse_paths(text), es_paths(text)
    assert len(ch) >= 15 and len(es) >= 20, (ch, es)
    for path in ch + es:
        if path == ("messages",):   # only with messages kept; documented
            continue
        assert all(has(c, path) for c in calls), \
            "recipe field %s is not in the call objects" % ".".join(path)
    print("ok: %d ClickHouse and %d Elasticsearch fields found in %d calls"
          % (len(ch), len(es), len(calls)))


if __name__ == "__main__":
    main()
