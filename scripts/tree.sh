#!/usr/bin/env bash
# tree.sh [series|base]: check out the kernel tree for a build.
#
# The tree is the unpacked Debian tarball ($CACHE/base/src) turned into a
# git repository: tag "base" is the tarball as it is, branch "series" is
# base + patches/ applied with git am. Both kernels build from this one
# path (into different build directories), so their compiler command
# lines are identical and ccache serves every file the series does not
# change; a checkout touches only the files that differ.
#   series (default): branch series, re-applied when patches/ changed
#   base: tag base, with the series' tools/testing/selftests/bpf on top
#         (the series' selftests and bpf_testmod built for the base kernel)
# Developers edit on branch series with normal git and bring the result
# back with `make export`.
source "$(dirname "$0")/common.sh"

WANT=${1:-series}
TREE=$("$TOP/scripts/fetch-base.sh" | tail -n1)
g() { git -C "$TREE" "$@"; }
if [ ! -d "$TREE/.git" ]; then
	chmod -R u+w "$TREE"
	rm -f "$TREE/.unpacked"
	# Debian's tarball ignores everything at the top level (a packaging
	# rule that upstream's .gitignore does not have); drop that block so
	# git sees new files in the tree as it would in bpf-next.
	sed -i '/^# Debian packaging/,$d' "$TREE/.gitignore"
	sed -i '$ { /^#$/d }' "$TREE/.gitignore"
	g init -q -b master
	g config gc.auto 0
	g add -A
	# Fixed identity and dates: the same tarball gives the same base
	# commit id everywhere, which the patches' base-commit: names.
	GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
		g -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $BASE_VERSION (Debian $BASE_PKG)"
	g tag -f base >/dev/null
	touch "$TREE/.git/unpacked"
fi
g am --abort >/dev/null 2>&1 || true

# Branch series = base + patches/, rebuilt only when patches/ changed.
# git am runs in a separate worktree, so that the tree the kernels build
# from only sees the files that differ between the old and the new
# series (and make rebuilds only what they affect).
want=$(cat "$TOP"/patches/0*.patch 2>/dev/null | sha1sum | cut -c1-12)
if [ "$(cat "$TREE/.git/kptr-series" 2>/dev/null)" != "$want $(g rev-parse -q --verify series)" ]; then
	AM=$CACHE/base/am
	if [ ! -e "$AM/.git" ]; then
		rm -rf "$AM"
		g worktree prune
		g worktree add -q --detach "$AM" base
	fi
	a() { git -C "$AM" "$@"; }
	a am --abort >/dev/null 2>&1 || true
	a checkout -q -f --detach base
	a clean -q -fdx
	shopt -s nullglob
	# Committer = author date: the same patches give the same commit ids,
	# so a new export that changes only the cover letter or Message-Ids
	# does not change the kernel's version string (and relink it).
	n=0
	for f in "$TOP"/patches/0*.patch; do
		case "$f" in */0000-*) continue ;; esac
		a -c user.name=series -c user.email=series@localhost am -q --keep-cr --committer-date-is-author-date "$f" ||
			die "git am failed on $(basename "$f")"
		n=$((n + 1))
	done
	new=$(a rev-parse HEAD)
	a checkout -q --detach base
	if [ "$(g rev-parse --abbrev-ref HEAD)" = series ]; then
		g reset -q --hard "$new"	# touches only the files that differ
	else
		g branch -f series "$new"
	fi
	echo "$want $new" >"$TREE/.git/kptr-series"
	echo "tree: series = base + $n patches from patches/"
fi

case $WANT in
series)
	g checkout -q -f series
	g clean -q -fd -e /.git
	;;
base)
	g checkout -q -f --detach base
	g clean -q -fd -e /.git
	g checkout -q series -- tools/testing/selftests/bpf
	;;
*) die "tree.sh: series or base" ;;
esac
echo "tree: $TREE at $WANT ($(g rev-parse --short HEAD))"
