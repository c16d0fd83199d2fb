#!/usr/bin/env bash
# lint.sh: the series is mail-ready, and the repository says nothing about
# how it was worked on.
# 1. git am of patches/ onto a clean checkout of the base works in one go;
# 2. checkpatch --strict: no findings but those of a type justified in
#    patches/checkpatch.justified;
# 3. the files the series adds match their copies at kernel paths here;
# 4. kernel-doc of the added C files and reST of the added documents: no
#    warnings;
# 5. To/Cc: To: is the BPF list; To/Cc of the cover letter name every
#    address get_maintainer.pl names for the patches (as scripts/export.sh
#    --recipients runs it: no keyword matches) and nothing else; every
#    patch carries the same To/Cc as the cover letter;
# 6. no file refers to the team's working periods or internal tooling.
# Every check runs; lint fails if any of them failed.
source "$(dirname "$0")/common.sh"
BASE=$("$TOP/scripts/fetch-base.sh" | tail -n1)
W=$CACHE/lint/src
rc=0
mkdir -p "$CACHE/lint"
series=()
for p in "$TOP"/patches/0*.patch; do
	case $p in */0000-*) ;; *) series+=("$p") ;; esac
done
[ ${#series[@]} -gt 0 ] || die "no patches in $TOP/patches"
cover=$TOP/patches/0000-cover-letter.patch
[ -f "$cover" ] || die "no $cover"

# 6. Words about working periods or internal tooling, in every file of the
# repository, tracked or new (not .git, not this file, which holds the
# patterns): case-insensitive, plus "AI" as a word in capitals.
words_i='\bsessions?\b|\bstop [0-9]+|\bissue [0-9]+|subagent|\bclaude\b|\bLLM\b|\bagents?\b|\.ci/run #?[0-9]+|\brun #[0-9]+'
# A numbered run ("run 3", "run 3's", "(run 3)"), not "run 20 s" or "run 20 times".
words_i+="|\\brun [0-9]+(:|'s\\b|\\)|,|\$)"
words_c='\bAI\b'
if git -C "$TOP" rev-parse -q --git-dir >/dev/null 2>&1; then
	mapfile -d '' files < <(git -C "$TOP" ls-files -z -co --exclude-standard | grep -zvx 'scripts/lint.sh')
else
	mapfile -d '' files < <(cd "$TOP" && find . -path ./.git -prune -o -type f ! -path ./scripts/lint.sh -printf '%P\0')
fi
words=
if [ ${#files[@]} -gt 0 ]; then
	words=$(cd "$TOP" && { grep -snIiE "$words_i" -- "${files[@]}"; grep -snIE "$words_c" -- "${files[@]}"; } | sort -u || true)
fi
if [ -n "$words" ]; then
	echo "lint: words about working periods or internal tooling ($(echo "$words" | wc -l) lines):"
	echo "$words" | cut -c1-160 | sed 's/^/    /'
	rc=1
else
	echo "lint: ${#files[@]} files: no words about working periods or internal tooling"
fi

# 1. A throwaway worktree of the base commit of the series tree, reset
# before every run. The series tree only has to exist (tag base); lint
# never checks anything out there.
git -C "$BASE" rev-parse -q --verify base >/dev/null 2>&1 || "$TOP/scripts/tree.sh" >/dev/null
if [ ! -e "$W/.git" ]; then
	rm -rf "$W"; mkdir -p "$(dirname "$W")"
	git -C "$BASE" worktree prune
	git -C "$BASE" worktree add -q --detach "$W" base
fi
git -C "$W" am --abort >/dev/null 2>&1 || true
git -C "$W" checkout -q -f --detach base
git -C "$W" clean -q -fdx
if git -C "$W" -c user.name=lint -c user.email=lint@localhost am -q "${series[@]}"; then
	echo "lint: git am of ${#series[@]} patches onto base: ok"
else
	echo "lint: git am FAILED"; git -C "$W" am --abort || true; exit 1
fi

# 2. checkpatch: findings of a type justified in patches/checkpatch.justified
# are counted, anything else fails.
just=$(sed -n 's/^\([A-Z_]*\):.*/\1/p' "$TOP/patches/checkpatch.justified" | paste -sd'|')
nj=0 bad=0
for p in "${series[@]}"; do
	out=$(cd "$W" && perl scripts/checkpatch.pl --strict --no-tree --quiet --show-types --terse "$p" 2>&1) || true
	[ -n "$out" ] || continue
	other=$(echo "$out" | grep -vE "(WARNING|CHECK):($just):" | grep -vE '^total:' || true)
	nj=$((nj + $(echo "$out" | grep -cE "(WARNING|CHECK):($just):" || true)))
	if [ -n "$other" ]; then
		echo "lint: checkpatch --strict on $(basename "$p"):"; echo "$other" | head -n 30; bad=1
	fi
done
[ $bad -eq 0 ] && echo "lint: checkpatch --strict: 0 errors; $nj warnings/checks, all of types justified in patches/checkpatch.justified"
[ $bad -eq 0 ] || rc=1

# 3. overlay files == files the series adds
added=$(git -C "$W" diff --name-only --diff-filter=A base HEAD)
bad=0
for f in $added; do
	if ! cmp -s "$W/$f" "$TOP/$f"; then
		echo "lint: $f differs between patches/ and ./$f (run make export, or edit in the tree)"; bad=1
	fi
done
for f in $(cd "$TOP" && find kernel include tools/testing/selftests Documentation -type f 2>/dev/null); do
	echo "$added" | grep -qxF "$f" || { echo "lint: ./$f is not added by patches/"; bad=1; }
done
[ $bad -eq 0 ] && echo "lint: $(echo "$added" | wc -w) files at kernel paths match patches/"
[ $bad -eq 0 ] || rc=1

# 4. kernel-doc of the added C files, reST of the added documents: no
# warnings.
bad=0
for f in $added; do
	case "$f" in
	*.c|*.h)
		out=$(cd "$W" && perl scripts/kernel-doc -none -Wall "$f" 2>&1)
		[ -z "$out" ] || { echo "lint: kernel-doc $f:"; echo "$out"; bad=1; } ;;
	*.rst)
		out=$(/usr/bin/python3 -c 'import sys, docutils.core
docutils.core.publish_doctree(open(sys.argv[1]).read(), source_path=sys.argv[1],
	settings_overrides={"report_level": 2, "halt_level": 5})' "$W/$f" 2>&1)
		[ -z "$out" ] || { echo "lint: reST $f:"; echo "$out"; bad=1; } ;;
	esac
done
[ $bad -eq 0 ] && echo "lint: kernel-doc and reST of the added files: no warnings"
[ $bad -eq 0 ] || rc=1

# 5. To/Cc against get_maintainer.pl, in both directions.
# hdr FILE [to|cc|to,cc]: the addresses in those headers of FILE's mail
# header (continuation lines unfolded), lower case, sorted, one a line.
hdr() {
	sed -n '1,/^$/p' "$1" |
		awk '/^[ \t]/ { cur = cur " " $0; next } { if (cur != "") print cur; cur = $0 } END { if (cur != "") print cur }' |
		grep -iE "^(${2//,/|}):" | grep -oE '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+' | tr 'A-Z' 'a-z' | LC_ALL=C sort -u || true
}
L=$CACHE/lint
bad=0
"$TOP/scripts/export.sh" --recipients "$W" "${series[@]}" >"$L/recipients" || {
	echo "lint: get_maintainer.pl failed"; bad=1; }
grep -oE '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+' "$L/recipients" | tr 'A-Z' 'a-z' | LC_ALL=C sort -u >"$L/maintainers" || true
hdr "$cover" to,cc >"$L/tocc"
to=$(hdr "$cover" to | paste -sd' ')
[ "$to" = bpf@vger.kernel.org ] || { echo "lint: To: of the cover letter is '$to', not bpf@vger.kernel.org"; bad=1; }
missing=$(LC_ALL=C comm -23 "$L/maintainers" "$L/tocc")
extra=$(LC_ALL=C comm -13 "$L/maintainers" "$L/tocc" | grep -vx 'bpf@vger.kernel.org' || true)
if [ -n "$missing" ]; then
	echo "lint: named by get_maintainer.pl --no-keywords, not in To/Cc of the cover letter:"
	echo "$missing" | sed 's/^/    /'; bad=1
fi
if [ -n "$extra" ]; then
	echo "lint: in To/Cc of the cover letter, not named by get_maintainer.pl --no-keywords (nor the BPF list):"
	echo "$extra" | sed 's/^/    /'; bad=1
fi
for p in "${series[@]}"; do
	hdr "$p" to,cc | cmp -s - "$L/tocc" || { echo "lint: To/Cc of $(basename "$p") differ from the cover letter's"; bad=1; }
done
[ $bad -eq 0 ] && echo "lint: To/Cc: bpf@vger.kernel.org and the $(wc -l <"$L/maintainers") addresses get_maintainer.pl names, on every patch"
[ $bad -eq 0 ] || rc=1
exit $rc
