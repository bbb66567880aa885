#!/usr/bin/env python3
"""The man page and --help name the same options.

usage: manpage.py SIPCAUSE MANPAGE
Every long option (--word) in `SIPCAUSE --help` must appear in the man
page, and every long option the man page documents must be accepted by
--help's list. Short options are checked the same way.
"""
import re
import subprocess
import sys


def options(text):
    longs = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]+)", text))
    shorts = set(re.findall(r"(?<![\w-])-([A-Za-z])\b", text))
    return longs, shorts


def main():
    binary, man_path = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], capture_output=True,
                               timeout=30).stdout.decode()
    man = open(man_path, encoding="utf-8").read()
    # roff escapes the hyphen: \- and \(hy
    man = man.replace("\\-", "-").replace("\\(hy", "-").replace("\\fB", "") \
        .replace("\\fI", "").replace("\\fR", "").replace("\\fP", "")
    hl, hs = options(help_text)
    ml, ms = options(man)
    bad = ["--%s is in --help but not in the man page" % o
           for o in sorted(hl - ml)]
    bad += ["--%s is in the man page but not in --help" % o
            for o in sorted(ml - hl)]
    bad += ["-%s is in --help but not in the man page" % o
            for o in sorted(hs - ms)]
    for b in bad:
        print(b)
    print("%d long and %d short options in --help; %d mismatches"
          % (len(hl), len(hs), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
