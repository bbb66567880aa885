#!/bin/sh
# Run ../shared/tools/corpus-check over the shared public capture corpus.
# usage: run.sh SIPCAUSE MIN_RECALL
# Skips (exit 77) when the corpus is not there: it lives beside the
# repository, never inside it. SIPCAUSE_SHARED overrides its location.
set -eu
bin=$1
min=$2
here=$(cd "$(dirname "$0")" && pwd)
shared=${SIPCAUSE_SHARED:-$here/../../../shared}
if [ ! -x "$shared/tools/corpus-check" ] || [ ! -d "$shared/corpus" ]; then
	echo "SKIP: no shared corpus at $shared"
	exit 77
fi
exec python3 "$shared/tools/corpus-check" --bin "$bin" --quiet \
	--min-recall "$min" --timeout 60 "$shared/corpus"
