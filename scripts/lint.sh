#!/usr/bin/env bash
# lint.sh: the series is mail-ready.
# 1. git am of patches/ onto a clean checkout of the base works in one go;
# 2. checkpatch --strict: no findings but those of a type justified in
#    patches/checkpatch.justified;
# 3. the files the series adds match their copies at kernel paths here;
# 4. every address get_maintainer.pl names for a patch is in To/Cc of the
#    cover letter.
source "$(dirname "$0")/common.sh"
BASE=$("$TOP/scripts/fetch-base.sh" | tail -n1)
W=$CACHE/lint/src
rc=0

# 1. A throwaway worktree of the series tree's base commit, reset before
# every run.
"$TOP/scripts/tree.sh" >/dev/null
if [ ! -e "$W/.git" ]; then
	rm -rf "$W"; mkdir -p "$(dirname "$W")"
	git -C "$BASE" worktree prune
	git -C "$BASE" worktree add -q --detach "$W" base
fi
git -C "$W" am --abort >/dev/null 2>&1 || true
git -C "$W" checkout -q -f --detach base
git -C "$W" clean -q -fdx
if git -C "$W" -c user.name=lint -c user.email=lint@localhost am -q "$TOP"/patches/0[0-9][0-9][1-9]-*.patch; then
	echo "lint: git am of $(ls "$TOP"/patches/0*.patch | grep -vc 0000-) patches onto base: ok"
else
	echo "lint: git am FAILED"; git -C "$W" am --abort || true; exit 1
fi

# 2. checkpatch: findings of a type justified in patches/checkpatch.justified
# are counted, anything else fails.
just=$(sed -n 's/^\([A-Z_]*\):.*/\1/p' "$TOP/patches/checkpatch.justified" | paste -sd'|')
nj=0
for p in "$TOP"/patches/0[0-9][0-9][1-9]-*.patch; do
	out=$(cd "$W" && perl scripts/checkpatch.pl --strict --no-tree --quiet --show-types --terse "$p" 2>&1) || true
	[ -n "$out" ] || continue
	other=$(echo "$out" | grep -vE "(WARNING|CHECK):($just):" | grep -vE '^total:' || true)
	nj=$((nj + $(echo "$out" | grep -cE "(WARNING|CHECK):($just):" || true)))
	if [ -n "$other" ]; then
		echo "lint: checkpatch --strict on $(basename "$p"):"; echo "$other" | head -n 30; rc=1
	fi
done
[ $rc -eq 0 ] && echo "lint: checkpatch --strict: 0 errors; $nj warnings/checks, all of types justified in patches/checkpatch.justified"

# 3. overlay files == files the series adds
added=$(git -C "$W" diff --name-only --diff-filter=A base HEAD)
for f in $added; do
	if ! cmp -s "$W/$f" "$TOP/$f"; then
		echo "lint: $f differs between patches/ and ./$f (run make export, or edit in the tree)"; rc=1
	fi
done
for f in $(cd "$TOP" && find kernel include tools/testing/selftests Documentation -type f 2>/dev/null); do
	echo "$added" | grep -qxF "$f" || { echo "lint: ./$f is not added by patches/"; rc=1; }
done
[ $rc -eq 0 ] && echo "lint: $(echo "$added" | wc -w) files at kernel paths match patches/"

# 5. kernel-doc of the added C files, reST of the added documents: no
# warnings.
for f in $added; do
	case "$f" in
	*.c|*.h)
		out=$(cd "$W" && perl scripts/kernel-doc -none -Wall "$f" 2>&1)
		[ -z "$out" ] || { echo "lint: kernel-doc $f:"; echo "$out"; rc=1; } ;;
	*.rst)
		out=$(/usr/bin/python3 -c 'import sys, docutils.core
docutils.core.publish_doctree(open(sys.argv[1]).read(), source_path=sys.argv[1],
	settings_overrides={"report_level": 2, "halt_level": 5})' "$W/$f" 2>&1)
		[ -z "$out" ] || { echo "lint: reST $f:"; echo "$out"; rc=1; } ;;
	esac
done
[ $rc -eq 0 ] && echo "lint: kernel-doc and reST of the added files: no warnings"

# 4. get_maintainer.pl
cover=$TOP/patches/0000-cover-letter.patch
hdr=$(sed -n '1,/^$/p' "$cover" | tr 'A-Z' 'a-z')
missing=0
for p in "$TOP"/patches/0[0-9][0-9][1-9]-*.patch; do
	(cd "$W" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback --no-tree "$p" 2>/dev/null) |
		grep -oE '<?[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+>?' | tr -d '<>' | tr 'A-Z' 'a-z' | sort -u
done | sort -u >"$CACHE/lint/maintainers"
while read -r a; do
	echo "$hdr" | grep -qF "$a" || { echo "lint: $a (get_maintainer.pl) not in To/Cc of the cover letter"; missing=1; }
done <"$CACHE/lint/maintainers"
[ $missing -eq 0 ] && echo "lint: To/Cc cover all $(wc -l <"$CACHE/lint/maintainers") get_maintainer.pl addresses" || rc=1
exit $rc
