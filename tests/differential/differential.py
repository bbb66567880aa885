#!/usr/bin/env python3
"""A fast path against its reference: the JSON of every capture must be
the same byte for byte with and without REFERENCE_OPTION.

--full-parse:
Without --full-parse a hand scanner reads the messages it is sure of and
GNU oSIP2 only the others; with it oSIP parses every message (the path
the scanner must match). Captures: samples/, samples/proxy/, tests/data/
and every file of ../shared/corpus (skipped with a message when absent).
No field of the JSON is run-dependent (no clock, no path other than the
input's own name), so nothing is masked.

--no-spool: json normally writes each finished call to a temporary file
and copies it back at the end, patching the B2BUA links made later;
with --no-spool every call stays in memory until the end. With
--to-file the fast run writes its JSON with -o into a file, where the
calls go directly after room left for the statistics (the spaces that
pad that room are dropped before comparing); with
SIPCAUSE_JSON_HOLD_MEMORY=0 each call goes at once, so every call that
finishes out of order sends those after its place back through the
temporary file.

The JSON does not show every
field of a parsed message (Via count, Contact, Warning agent...), so
MSGDIFF, when given, also compares the two parses of every framed
message of the same captures field by field.

--threads 1: a file is normally read on two threads (reading, decoding
and parsing on one; calls, diagnosis and reports on the other); the
output must be that of one thread, in JSON and in the order JSON Lines
streams calls.

SIPCAUSE_IN_FLIGHT_MEMORY=0 (--fast-env, with --compaction): calls in
progress are compacted after each of their messages (their parsed
messages given back, read again from the capture file when the call goes
on or ends); the output must be that of no compaction, except for the
counters of stats.compaction, which are masked; at least one call must
have been compacted, and no message lost.

usage: differential.py SIPCAUSE SOURCE_ROOT --reference=OPTION
         [--fast=OPTION] [--fast-env NAME=VALUE] [--compaction] [--to-file]
         [--format json|jsonl] [--msgdiff MSGDIFF]
(--fast: the option the fast run gets, none by default)
exit 0 all identical, 1 a difference, 77 nothing could run.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import subprocess
import sys
import tempfile

SKIP = 77
CAPTURE_EXT = ('.pcap', '.pcapng', '.cap', '.pcap.gz', '.erf')


def captures(folder, recursive):
    found = []
    if not os.path.isdir(folder):
        return found
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if recursive:
                # the corpus holds captures of many kinds; only its
                # notes and tables are not captures
                if not f.endswith(('.tsv', '.md', '.txt', '.json')):
                    found.append(os.path.join(root, f))
            elif f.endswith(CAPTURE_EXT):
                found.append(os.path.join(root, f))
        if not recursive:
            break
    return found


# the counters of work the compaction did (stats.compaction): all that
# may differ with it
COMPACTION_WORK = re.compile(rb'"(calls_compacted|messages_reread)": ?(\d+)')
compacted = []


# the spaces a JSON document written into a file directly may leave
# between the head and the first call
HEAD_ROOM = re.compile(rb'("calls": ?\[) +')


def run(exe, path, fmt, option, env=None, to_file=False):
    args = [exe, '--format', fmt]
    if option:
        args.extend(option.split())
    env = dict(os.environ, LC_ALL='C', TZ='UTC', **(env or {}))
    if not to_file:
        p = subprocess.run(args + [path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=300)
        return p.returncode, p.stdout, p.stderr
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'out')
        p = subprocess.run(args + ['-o', out, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=300)
        with open(out, 'rb') as f:
            return p.returncode, HEAD_ROOM.sub(rb'\1', f.read()), p.stderr


def mask_compaction(out):
    """The output with the compaction's work counters masked, and how
    many calls it compacted."""
    calls = sum(int(m.group(2)) for m in COMPACTION_WORK.finditer(out)
                if m.group(1) == b'calls_compacted')
    return COMPACTION_WORK.sub(rb'"\1": -', out), calls


def compare(exe, path, fmt, fast_option, reference, fast_env, compaction,
            to_file):
    fast = run(exe, path, fmt, fast_option, fast_env, to_file)
    full = run(exe, path, fmt, reference)
    if compaction:
        out, calls = mask_compaction(fast[1])
        compacted.append(calls)
        fast = (fast[0], out, fast[2])
        full = (full[0], mask_compaction(full[1])[0], full[2])
    if fast == full:
        return None
    lines = ['%s: fast path (exit %d, %d bytes) != %s (exit %d, %d bytes)'
             % (path, fast[0], len(fast[1]), reference, full[0], len(full[1]))]
    diff = difflib.unified_diff(
        full[1].decode('utf-8', 'replace').splitlines(),
        fast[1].decode('utf-8', 'replace').splitlines(),
        reference, 'fast', n=2, lineterm='')
    lines.extend(list(diff)[:60])
    if fast[2] != full[2]:
        lines.append('stderr differs: %r != %r' % (fast[2][:300], full[2][:300]))
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument('exe')
    ap.add_argument('root')
    ap.add_argument('--reference', required=True)
    ap.add_argument('--fast', default=None)
    ap.add_argument('--format', default='json')
    ap.add_argument('--msgdiff', default=None)
    ap.add_argument('--fast-env', action='append', default=[])
    ap.add_argument('--compaction', action='store_true')
    ap.add_argument('--to-file', action='store_true',
                    help='the fast run writes to a file (-o)')
    args = ap.parse_args()
    fast_env = dict(e.split('=', 1) for e in args.fast_env)
    exe, root, reference = args.exe, args.root, args.reference
    files = (captures(os.path.join(root, 'samples'), False) +
             captures(os.path.join(root, 'samples', 'proxy'), False) +
             captures(os.path.join(root, 'tests', 'data'), False))
    corpus = os.path.join(root, '..', 'shared', 'corpus')
    if os.path.isdir(corpus):
        files += captures(corpus, True)
    else:
        print('differential: no %s, the corpus part is skipped' % corpus)
    if not files:
        print('differential: no capture found')
        return SKIP
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for res in pool.map(lambda f: compare(exe, f, args.format, args.fast,
                                             reference, fast_env,
                                             args.compaction,
                                             args.to_file), files):
            if res:
                failures.append(res)
    for f in failures:
        print(f)
    print('differential %s: %d captures, %d differ in %s' %
          (reference, len(files), len(failures), args.format))
    if args.compaction:
        print('differential: %d calls compacted and read back in %d of '
              'the captures' % (sum(compacted),
                                sum(1 for n in compacted if n)))
        if args.format == 'json' and not sum(compacted):
            failures.append('no call was compacted: the path did not run')
    if args.msgdiff:
        p = subprocess.run([args.msgdiff] + files, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=600)
        print(p.stdout.decode('utf-8', 'replace')[-6000:], end='')
        if p.returncode != 0:
            failures.append('msgdiff exit %d' % p.returncode)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
