# shellcheck shell=bash
# Shared settings for the project's scripts. Sourced, never run.
#
# Everything big (the base tree, build directories, ccache, the private
# apt state) lives under $CACHE, outside the repository, and is reused
# across runs.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KPTR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kptr-dtor-nmi}
BASE_VERSION=7.3.4
BASE_PKG=linux-source-7.3
BASE_SUITE=trixie-backports
LLVM_BIN=/usr/lib/llvm-22/bin
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
mkdir -p "$CACHE" "$CACHE/logs"

# stage NAME LOG CMD...: run CMD with output to LOG, print what it did and
# how long it took; on failure name the stage and the log, and fail.
stage() {
	local name=$1 log=$2 t0 rc
	shift 2
	t0=$(date +%s)
	printf '[%s] %s ...\n' "$(date +%T)" "$name"
	set +e
	"$@" >"$log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		printf '[%s] %s FAILED (rc=%d) after %ss; log: %s\n' \
			"$(date +%T)" "$name" $rc $(($(date +%s) - t0)) "$log"
		tail -n 30 "$log" | sed 's/^/    | /'
		return $rc
	fi
	printf '[%s] %s done in %ss\n' "$(date +%T)" "$name" $(($(date +%s) - t0))
	echo "$name $(($(date +%s) - t0))" >>"$CACHE/logs/stage-times"
}

die() { echo "error: $*" >&2; exit 1; }
