#!/bin/sh
# The C sources follow .clang-format (checked with clang-format 14, as on
# Debian 12). Skips (77) when clang-format is not installed.
# usage: format.sh SOURCE_ROOT
cd "$1"
command -v clang-format >/dev/null 2>&1 || { echo "no clang-format: skipped"; exit 77; }
bad=0
for f in $(find src include -name '*.c' -o -name '*.h' | sort); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (clang-format -i $f)"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "src and include follow .clang-format"
exit $bad
