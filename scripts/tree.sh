#!/usr/bin/env bash
# tree.sh: make $CACHE/series/src a git tree of base + patches/ as commits.
# The base commit is made once from the pristine tree; every run resets
# to it and applies patches/ with git am, so unchanged files keep their
# timestamps and the out-of-tree build stays incremental.
# Developers edit there with normal git and bring the result back with
# `make export`.
source "$(dirname "$0")/common.sh"

BASE=$("$TOP/scripts/fetch-base.sh" | tail -n1)
TREE=${1:-$CACHE/series/src}
if [ ! -d "$TREE/.git" ]; then
	rm -rf "$TREE" && mkdir -p "$(dirname "$TREE")"
	cp -a "$BASE" "$TREE"
	chmod -R u+w "$TREE"
	rm -f "$TREE/.unpacked"
	# Debian's tarball ignores everything at the top level (a packaging
	# rule that upstream's .gitignore does not have); drop that block so
	# git sees new files in the tree as it would in bpf-next.
	sed -i '/^# Debian packaging/,$d' "$TREE/.gitignore"
	sed -i '$ { /^#$/d }' "$TREE/.gitignore"
	git -C "$TREE" init -q -b master
	git -C "$TREE" config gc.auto 0
	git -C "$TREE" add -A
	# Fixed identity and dates: the same tarball gives the same base
	# commit id everywhere, which the patches' base-commit: names.
	GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
		git -C "$TREE" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $BASE_VERSION (Debian $BASE_PKG)"
	git -C "$TREE" tag -f base >/dev/null
fi
git -C "$TREE" am --abort >/dev/null 2>&1 || true
cur=$(git -C "$TREE" rev-parse HEAD)
want=$(cat "$TOP"/patches/*.patch 2>/dev/null | sha1sum | cut -c1-12)
if [ "$(cat "$TREE/.git/kptr-series" 2>/dev/null)" = "$want $cur" ] &&
   git -C "$TREE" diff --quiet HEAD; then
	echo "tree: $TREE already at patches/ ($want)"
	exit 0
fi
git -C "$TREE" checkout -q -f -B series base
git -C "$TREE" clean -q -fdx -e /.git
shopt -s nullglob
p=("$TOP"/patches/0*.patch)
for f in "${p[@]}"; do
	case "$f" in */0000-*) continue ;; esac
	git -C "$TREE" -c user.name=series -c user.email=series@localhost am -q --keep-cr "$f" ||
		die "git am failed on $(basename "$f")"
done
echo "$want $(git -C "$TREE" rev-parse HEAD)" >"$TREE/.git/kptr-series"
echo "tree: $TREE = base + ${#p[@]} file(s) from patches/"
