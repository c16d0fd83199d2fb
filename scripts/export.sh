#!/usr/bin/env bash
# export.sh [TREE]: turn the commits base..HEAD of the series tree into
# patches/ (git format-patch with cover letter and base-commit) and copy
# the files the series adds to their kernel paths in this repository.
# The cover letter's text comes from patches/cover-letter.txt (first line
# the subject, then the body); the shortlog and diffstat are generated.
# Identities come from the git identity of whoever runs this.
#
# export.sh --recipients KTREE PATCH...: print the addresses the series is
# sent to for PATCH... (get_maintainer.pl run in the kernel tree KTREE, as
# below), one a line; scripts/lint.sh checks To/Cc against it.
source "$(dirname "$0")/common.sh"

# The version of the thread this series continues.
SUBJECT_PREFIX="PATCH bpf-next v4"

# Recipients, as bpf developers choose them: the maintainers, reviewers
# and lists of the files a patch touches. get_maintainer.pl runs with
# --no-keywords (a K: line is a regex on the patch's text: CLANG/LLVM
# BUILD SUPPORT's matches "clang" or "llvm" anywhere, in a selftest's
# comment or in the patch's own Cc: header) and without git history.
# N: lines are regexes on file paths and match anywhere in a path; the
# sections below match a file of the series only through a fragment of
# a word, so their N: lines are left out of the copy of MAINTAINERS that
# get_maintainer.pl reads. To: is the BPF list; Cc: everyone else named.
NOT_OURS=(
	"ARM/STM32 ARCHITECTURE"	# "N: stm" matches bpf_testmod.c
)
recipients() {
	local tree=$1 m o p
	shift
	m=$(mktemp) o=$(mktemp)
	awk -v skip="$(printf '%s\n' "${NOT_OURS[@]}")" '
		BEGIN { n = split(skip, s, "\n"); for (i = 1; i <= n; i++) if (s[i] != "") drop[s[i]] = 1 }
		/^[A-Z]:\t/ { if (/^N:/ && sec in drop) next; print; next }
		{ sec = $0; print }' "$tree/MAINTAINERS" >"$m"
	for p in "$@"; do
		p=$(readlink -f "$p")
		(cd "$tree" && perl scripts/get_maintainer.pl --mpath "$m" --no-rolestats \
			--no-git --no-git-fallback --no-tree --no-keywords --no-fixes "$p") >>"$o" ||
			{ rm -f "$m" "$o"; die "get_maintainer.pl failed on $p"; }
	done
	sort -u "$o"
	rm -f "$m" "$o"
}

if [ "${1:-}" = --recipients ]; then
	shift
	recipients "$@"
	exit
fi

TREE=${1:-$CACHE/base/src}
git -C "$TREE" rev-parse -q --verify base >/dev/null || die "$TREE has no base tag; run make tree"
git -C "$TREE" merge-base --is-ancestor base HEAD ||
	die "$TREE: HEAD does not descend from base (make tree checks out the series)"
name=$(git config user.name || true)
email=$(git config user.email || true)
[ -n "$name" ] && [ -n "$email" ] || die "set git user.name and user.email: the patches carry them"

out=$(mktemp -d)
fp=(git -C "$TREE" format-patch -q --cover-letter --base=base --thread=shallow
	--subject-prefix="$SUBJECT_PREFIX" -o "$out")
"${fp[@]}" base..HEAD
patches=("$out"/0*.patch)
cc=$(recipients "$TREE" "${patches[@]:1}")
cc=$(grep -vix 'bpf@vger.kernel.org' <<<"$cc" || true)
rm -f "$out"/*.patch
args=(--to="bpf@vger.kernel.org")
while IFS= read -r a; do [ -n "$a" ] && args+=(--cc="$a"); done <<<"$cc"
"${fp[@]}" "${args[@]}" base..HEAD
cover=$out/0000-cover-letter.patch
subj=$(head -n1 "$TOP/patches/cover-letter.txt")
python3 - "$cover" "$TOP/patches/cover-letter.txt" "$subj" <<'PY'
import sys
cover, src, subj = sys.argv[1:]
s = open(cover).read()
body = open(src).read().split('\n', 1)[1].strip('\n')
s = s.replace('*** SUBJECT HERE ***', subj, 1)
s = s.replace('*** BLURB HERE ***', body, 1)
open(cover, 'w').write(s)
PY
rm -f "$TOP"/patches/*.patch
cp "$out"/*.patch "$TOP/patches/"
rm -rf "$out"

# Files the series adds, at their kernel paths.
git -C "$TREE" diff --name-only --diff-filter=A base..HEAD | while read -r f; do
	mkdir -p "$TOP/$(dirname "$f")"
	cp "$TREE/$f" "$TOP/$f"
done
ls "$TOP"/patches/*.patch
