#!/usr/bin/env bash
# export.sh [TREE]: turn the commits base..HEAD of the series tree into
# patches/ (git format-patch with cover letter and base-commit) and copy
# the files the series adds to their kernel paths in this repository.
# The cover letter's text comes from patches/cover-letter.txt (first line
# the subject, then the body); the shortlog and diffstat are generated.
# Identities come from the git identity of whoever runs this.
source "$(dirname "$0")/common.sh"

TREE=${1:-$CACHE/base/src}
git -C "$TREE" rev-parse -q --verify base >/dev/null || die "$TREE has no base tag; run make tree"
git -C "$TREE" merge-base --is-ancestor base HEAD ||
	die "$TREE: HEAD does not descend from base (make tree checks out the series)"
name=$(git config user.name || true)
email=$(git config user.email || true)
[ -n "$name" ] && [ -n "$email" ] || die "set git user.name and user.email: the patches carry them"

out=$(mktemp -d)
fp=(git -C "$TREE" format-patch -q --cover-letter --base=base --thread=shallow
	--subject-prefix="PATCH bpf-next" -o "$out")
# To: the BPF list; Cc: everyone get_maintainer.pl names for the series.
"${fp[@]}" base..HEAD
cc=$(for p in "$out"/0*.patch; do
	[ "${p##*/0000-}" = "$p" ] || continue
	(cd "$TREE" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
		--no-git-fallback --no-tree "$p" 2>/dev/null)
done | grep -v 'bpf@vger.kernel.org' | sort -u)
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
