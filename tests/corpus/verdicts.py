#!/usr/bin/env python3
"""verdicts.py - check sipcause's verdicts against the hand-checked file.

usage: verdicts.py [--shared DIR] [--capture SUBSTR] [--jobs N] SIPCAUSE VERDICTS.TSV

Runs `SIPCAUSE --format json CAPTURE` once per capture named in VERDICTS.TSV
(paths under the shared corpus), finds each row's call by Call-ID and its
attempt (`calls[].attempts[]`, keyed by kind and CSeq of the first request,
or the only/headline attempt for `*`), and compares state, final code, root
cause (code and hop), category and the word the cause must contain. Without
`attempts` in the JSON it falls back to the call's own state and verdict.

Prints one line per mismatch and a summary line
    verdicts: N rows, P passed, F failed, K known-wrong
Rows whose status is `known-wrong: ...` are reported but do not fail.
Exit 0 when every `ok` row passes, 1 otherwise, 77 (skip) when the shared
corpus is absent, 2 on bad usage or an unreadable verdict file.

The shared corpus is ../shared beside the source root (the directory two
levels above this file's), or $SIPCAUSE_SHARED, or --shared.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

COLUMNS = ["capture", "call_id", "attempt", "state", "final_code",
           "root_code", "root_hop", "category", "cause_word", "status",
           "note"]
RUN_TIMEOUT = 300


def unescape(s):
    """\\xHH escapes (bytes) back to a string, UTF-8 where possible."""
    if "\\x" not in s:
        return s
    raw = bytearray()
    i = 0
    while i < len(s):
        if s.startswith("\\x", i) and re.match(r"[0-9a-fA-F]{2}",
                                               s[i + 2:i + 4]):
            raw.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            raw += s[i].encode("utf-8")
            i += 1
    return raw.decode("utf-8", "replace")


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < len(COLUMNS) - 1:
                raise ValueError("%s:%d: %d columns, want %d" % (
                    path, lineno, len(fields), len(COLUMNS)))
            fields += [""] * (len(COLUMNS) - len(fields))
            row = dict(zip(COLUMNS, fields))
            row["lineno"] = lineno
            row["call_id_raw"] = row["call_id"]
            row["call_id"] = unescape(row["call_id"])
            rows.append(row)
    return rows


def run_capture(binary, path):
    """(calls, error) for one capture."""
    try:
        p = subprocess.run([binary, "--format", "json", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % RUN_TIMEOUT
    except OSError as e:
        return None, str(e)
    if p.returncode != 0:
        return None, "exit %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:200])
    try:
        doc = json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError as e:
        return None, "bad JSON: %s" % e
    return doc.get("calls") or [], None


def code_str(v):
    return "-" if v in (None, 0, "") else str(v)


def pick_attempt(row, calls):
    """(view, problems): the attempt's fields, or the call's as a fallback."""
    problems = []
    cands = [c for c in calls if c.get("call_id") == row["call_id"]]
    if not cands:
        return None, [("call", "present", "no call with this Call-ID")]
    have_attempts = any(isinstance(c.get("attempts"), list) for c in cands)
    want = row["attempt"]
    if not have_attempts:
        c = cands[0]
        v = c.get("verdict") or {}
        return {"state": c.get("state"), "final_code": v.get("code"),
                "verdict": v, "fallback": True}, problems
    atts = []
    for c in cands:
        for a in c.get("attempts") or []:
            atts.append((c, a))
    if want == "*":
        if len(atts) != 1:
            problems.append(("attempts", "1", "%d (%s)" % (
                len(atts), ", ".join("%s:%s" % (a.get("kind"),
                                                a.get("cseq"))
                                     for _, a in atts) or "none")))
        head = [x for x in atts if x[1].get("headline")]
        if not atts:
            c = cands[0]
            v = c.get("verdict") or {}
            return {"state": c.get("state"), "final_code": v.get("code"),
                    "verdict": v, "fallback": True}, problems
        c, a = head[0] if head else atts[0]
    else:
        m = re.match(r"^([A-Za-z][A-Za-z0-9_.!%*+`'~-]*):(\d+)$", want)
        if not m:
            return None, [("attempt", "METHOD:CSEQ or *", want)]
        kind, cseq = m.group(1).upper(), int(m.group(2))
        found = [(c, a) for c, a in atts
                 if str(a.get("kind", "")).upper() == kind
                 and a.get("cseq") == cseq]
        if not found:
            return None, [("attempt", want, ", ".join(
                "%s:%s" % (a.get("kind"), a.get("cseq"))
                for _, a in atts) or "none")]
        c, a = found[0]
    return {"state": a.get("state"), "final_code": a.get("final_code"),
            "verdict": a.get("verdict") or {}, "fallback": False}, problems


def compare(row, calls):
    """List of (column, want, got) that disagree."""
    view, problems = pick_attempt(row, calls)
    if view is None:
        return problems
    v = view["verdict"]
    out = list(problems)
    if row["state"] != "-" and view["state"] != row["state"]:
        out.append(("state", row["state"], view["state"]))
    got_final = code_str(view["final_code"])
    if row["final_code"] != got_final:
        out.append(("final_code", row["final_code"], got_final))
    root = v.get("root_cause")
    if not isinstance(root, dict):
        root = None
    got_root = code_str(root.get("code")) if root else "-"
    if row["root_code"] == "-":
        if root and got_root not in ("-", got_final):
            out.append(("root_code", "-", "%s at %s>%s" % (
                got_root, root.get("src"), root.get("dst"))))
    elif got_root != row["root_code"]:
        out.append(("root_code", row["root_code"], got_root))
    if row["root_hop"] != "-":
        got_hop = "%s>%s" % (root.get("src"), root.get("dst")) if root \
            else "-"
        if got_hop != row["root_hop"]:
            out.append(("root_hop", row["root_hop"], got_hop))
    if row["category"] != "-" and v.get("category") != row["category"]:
        out.append(("category", row["category"], v.get("category")))
    word = row["cause_word"]
    if word != "-":
        cause = v.get("cause") or ""
        if word.lower() not in cause.lower():
            out.append(("cause_word", word, cause or "(no cause)"))
    return out


def main():
    ap = argparse.ArgumentParser(
        description="check sipcause against tests/corpus/verdicts.tsv")
    ap.add_argument("binary")
    ap.add_argument("verdicts")
    ap.add_argument("--shared", help="the shared directory (holds corpus/)")
    ap.add_argument("--capture", help="only captures containing SUBSTR")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()

    here = os.path.dirname(os.path.abspath(a.verdicts))
    root = os.path.dirname(os.path.dirname(here))
    shared = a.shared or os.environ.get("SIPCAUSE_SHARED") or \
        os.path.join(os.path.dirname(root), "shared")
    corpus = os.path.join(shared, "corpus")
    if not os.path.isdir(corpus):
        print("SKIP: no shared corpus at %s" % corpus)
        return 77
    try:
        rows = read_rows(a.verdicts)
    except (OSError, ValueError) as e:
        print("verdicts: %s" % e, file=sys.stderr)
        return 2
    if a.capture:
        rows = [r for r in rows if a.capture in r["capture"]]
    caps = sorted({r["capture"] for r in rows})
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as ex:
        futs = {ex.submit(run_capture, a.binary,
                          os.path.join(corpus, cap)): cap for cap in caps}
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()

    passed = failed = known = 0
    for row in rows:
        calls, err = results[row["capture"]]
        if err:
            diffs = [("run", "sipcause analyses the capture", err)]
        else:
            diffs = compare(row, calls)
        kw = row["status"].startswith("known-wrong")
        if kw:
            known += 1
        elif diffs:
            failed += 1
        else:
            passed += 1
        tag = "KNOWN-WRONG" if kw else "MISMATCH"
        for col, want, got in diffs:
            print("%s\t%s\t%s\t%s\t%s\twant=%s\tgot=%s" % (
                tag, row["capture"], row["call_id_raw"], row["attempt"],
                col, want, got))
        if kw and not diffs:
            print("FIXED\t%s\t%s\t%s\tknown-wrong row passes now" % (
                row["capture"], row["call_id_raw"], row["attempt"]))
    print("verdicts: %d rows, %d passed, %d failed, %d known-wrong" % (
        len(rows), passed, failed, known))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
