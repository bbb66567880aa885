#!/usr/bin/env python3
"""A flood of unanswered INVITEs, each with its own Call-ID (issue #14,
item 3): more calls than the cap on open calls (65536), so the oldest are
finished early. The report must count every call, decide each as the end
of the input would (timeout when older than 32 s, else in progress), and
the memory must stay within what the caps allow.

usage: mem_calls_flood.py SIPCAUSE GEN_PY [N]
"""
import os
import re
import subprocess
import sys
import tempfile

# Peak RSS allowed for N=100000 (KiB): 65536 open calls of one message
# (about 2.2 KB each) plus the finished ones (about 1 KB each). Skipped
# under sanitizers, which multiply memory.
MAX_RSS_KIB = 320 * 1024


def main():
    exe, gen = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "flood.pcap")
        subprocess.run([sys.executable, gen, "calls", cap, str(n)],
                       check=True)
        # sipcause's own peak RSS: RUSAGE_CHILDREN would include gen.py
        with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
            p = subprocess.Popen([exe, "-q", "--color", "never", cap],
                                 stdout=so, stderr=se)
            _, status, ru = os.wait4(p.pid, 0)
            so.seek(0)
            se.seek(0)
            out = subprocess.CompletedProcess(
                p.args, os.waitstatus_to_exitcode(status),
                so.read().decode(errors="replace"),
                se.read().decode(errors="replace"))
    rss = ru.ru_maxrss
    if out.returncode != 0:
        print("exit status %d: %s" % (out.returncode, out.stderr))
        return 1
    m = re.search(r"^\s*calls\s+(\d+):(.*)$", out.stdout, re.M)
    if not m:
        print("no calls line in:\n" + out.stdout[:2000])
        return 1
    total = int(m.group(1))
    states = dict((k, int(v)) for k, v in
                  re.findall(r"([a-z-]+) (\d+)", m.group(2)))
    progress = states.get("in-progress", 0)
    timeout = states.get("timeout", 0)
    # gen.py sends one INVITE a millisecond: the last 32 s are in progress
    if total != n or progress + timeout != n:
        print("calls %d (in progress %d, timeout %d), expected %d"
              % (total, progress, timeout, n))
        return 1
    expected_progress = min(n, 32000)
    if progress != expected_progress:
        print("in progress %d, expected %d" % (progress, expected_progress))
        return 1
    sanitized = any(os.environ.get(v) for v in
                    ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"))
    if not sanitized and n == 100000 and rss > MAX_RSS_KIB:
        print("peak RSS %d KiB above %d KiB" % (rss, MAX_RSS_KIB))
        return 1
    print("ok: %d calls, peak RSS %d KiB" % (n, rss))
    return 0


if __name__ == "__main__":
    sys.exit(main())
