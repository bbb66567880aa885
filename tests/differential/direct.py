#!/usr/bin/env python3
"""JSON written into a file directly, after room left for its head.

With -o FILE (or a standard output that is a regular file), --format
json puts each finished call straight into the output, in document
order, after 64 KiB left for the statistics, which are known only at
the end; spaces pad what they do not fill. The document must be the one
--no-spool writes (held in memory, no file involved), once the padding
is dropped, and must parse as is. Cases, each with nothing held in
memory (SIPCAUSE_JSON_HOLD_MEMORY=0: every call goes out at once):

- the B2BUA capture of late_links.py: leg B names leg A long after A was
  written, so every call from A on is copied back and merged again;
- the same when $TMPDIR cannot be written: no call goes into the output
  directly (the calls stay in memory, as they did without the spool);
- 300 input files with 245-character names: the head is bigger than the
  room, so every call is merged again after it;
- samples/demo.pcap with the default hold: nothing goes out before the
  end, no padding at all.

usage: direct.py SIPCAUSE SOURCE_ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from late_links import write_capture  # noqa: E402

PAD = re.compile(rb'("calls": ?\[)( +)')


def sipcause(exe, args, env=None, out=None):
    env = dict(os.environ, LC_ALL="C", TZ="UTC", **(env or {}))
    p = subprocess.run([exe, "--format", "json"] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=300)
    if p.returncode != 0:
        sys.exit("direct: %s exited %d: %s"
                 % (" ".join(args)[:200], p.returncode,
                    p.stderr.decode(errors="replace")[-500:]))
    if out is None:
        return p.stdout
    with open(out, "rb") as f:
        return f.read()


def check(name, exe, inputs, tmp, env, want_pad, failures):
    """-o into a file against --no-spool to a pipe."""
    out = os.path.join(tmp, "out.json")
    held = sipcause(exe, ["--no-spool"] + inputs)
    direct = sipcause(exe, ["-o", out] + inputs, env, out)
    pad = PAD.search(direct)
    padded = pad is not None and len(pad.group(2)) > 0
    if padded != want_pad:
        failures.append("%s: padded %s, expected %s" % (name, padded,
                                                        want_pad))
    try:
        if json.loads(direct) != json.loads(held):
            failures.append("%s: not the same document" % name)
    except ValueError as e:
        failures.append("%s: not JSON: %s" % (name, e))
    if PAD.sub(rb"\1", direct, count=1) != held:
        failures.append("%s: %d bytes without the padding, %d with "
                        "--no-spool" % (name, len(PAD.sub(rb"\1", direct)),
                                        len(held)))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    exe, root = sys.argv[1], sys.argv[2]
    failures = []
    none_held = {"SIPCAUSE_JSON_HOLD_MEMORY": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "late-links.pcap")
        write_capture(cap)
        check("late link", exe, [cap], tmp, none_held, True, failures)
        check("no temporary file", exe, [cap], tmp,
              dict(none_held, TMPDIR=os.path.join(tmp, "none")), False,
              failures)
        demo = os.path.abspath(os.path.join(root, "samples", "demo.pcap"))
        names = []
        for i in range(300):
            name = os.path.join(tmp, "%03d-%s.pcap" % (i, "n" * 236))
            os.symlink(demo, name)
            names.append(name)
        check("head over its room", exe, names, tmp, none_held, False,
              failures)
        check("held to the end", exe, [demo], tmp, None, False, failures)
    for f in failures:
        print("direct:", f)
    print("direct: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
