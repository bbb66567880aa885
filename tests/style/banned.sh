#!/bin/sh
# Functions that invite overflows or hidden state have no place in src/:
# strcpy, strcat, sprintf, vsprintf, gets, strtok, atoi, atol. Use the
# bounded helpers in util/str.h, snprintf, or strtol with its checks.
# usage: banned.sh SOURCE_ROOT
cd "$1"
hits=$(grep -rnE '(^|[^_[:alnum:]])(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)[[:space:]]*\(' \
	src include bench tests/unit tests/fuzz --include='*.c' --include='*.h' |
	grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' || true)
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
echo "no banned function in src, include, bench, tests/unit, tests/fuzz"
