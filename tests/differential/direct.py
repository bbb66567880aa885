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
  end, no padding at all;
- a call answered at t = 0 s and hung up only at t = 40 s, while 6,000
  short calls from t = 1 s end (the calls side finishes them early, past
  its memory for lingering calls). Each of them would make the long
  call late, so with the default hold none goes into the output before
  the long call ends: they go through the temporary file at once, not
  into the output and copied back at the end. The capture is fed
  through a pipe, held open before the hang-up's 200; the output must
  then name no short call (written directly, thousands would be
  there). Then the document must be the one --no-spool writes.

usage: direct.py SIPCAUSE SOURCE_ROOT
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from late_links import answered_call, write_capture  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "hostile"))
from gen import pcap_header, pcap_record  # noqa: E402

T0 = 1700000000
SHORT_CALLS = 6000

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


def open_call_frames():
    """The long call (its BYE at 40 s, the BYE's 200 last) and the short
    ones, as pcap records in time order."""
    frames = answered_call("long@open.test", 1, 0)
    # the long call's BYE and its 200 at 40 s: in progress until then
    frames[3] = (40000000, frames[3][1])
    frames[4] = (40001000, frames[4][1])
    for i in range(SHORT_CALLS):
        frames += answered_call("short-%d@open.test" % i, 100 + i,
                                1000000 + i * 1000)
    frames.sort(key=lambda f: f[0])
    return [pcap_record(T0 + t // 1000000, t % 1000000, pkt)
            for t, pkt in frames]


def settled_size(path, quiet=1.0, limit=120.0):
    """The size of @path once it stopped growing for @quiet seconds."""
    end = time.monotonic() + limit
    size, since = -1, time.monotonic()
    while time.monotonic() < end:
        now = os.path.getsize(path) if os.path.exists(path) else 0
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.1)
    return size


def check_open_call(exe, tmp, failures):
    """Calls after one still open take the spool at once."""
    records = open_call_frames()
    cap = os.path.join(tmp, "open-call.pcap")
    with open(cap, "wb") as f:
        f.write(pcap_header(False))
        f.writelines(records)
    out = os.path.join(tmp, "open.json")
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    p = subprocess.Popen([exe, "--format", "json", "-o", out, "-"],
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env)
    try:
        p.stdin.write(pcap_header(False))
        p.stdin.writelines(records[:-1])
        p.stdin.flush()
        settled_size(out)
        with open(out, "rb") as f:
            early = f.read().count(b"@open.test")
        p.stdin.write(records[-1])
        p.stdin.close()
        err = p.stderr.read()
        p.wait(timeout=300)
    finally:
        if p.poll() is None:
            p.kill()
    if p.returncode != 0:
        failures.append("open call: exited %d: %s"
                        % (p.returncode, err.decode(errors="replace")))
        return
    if early:
        failures.append("open call: %d calls in the output before the "
                        "long call ended" % early)
    with open(out, "rb") as f:
        direct = PAD.sub(rb"\1", f.read(), count=1)
    with open(cap, "rb") as f:
        held = subprocess.run([exe, "--format", "json", "--no-spool", "-"],
                              stdin=f, stdout=subprocess.PIPE, env=env,
                              timeout=300).stdout
    if direct != held:
        failures.append("open call: not the document --no-spool writes")
    if json.loads(held)["calls"][0]["call_id"] != "long@open.test":
        failures.append("open call: the long call is not first")


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
        check_open_call(exe, tmp, failures)
    for f in failures:
        print("direct:", f)
    print("direct: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
