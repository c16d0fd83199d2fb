#!/usr/bin/env bash
# Fetch Debian's linux-source-7.3 (trixie-backports) through a private apt
# state (the system's apt configuration is not touched) and unpack it into
# $CACHE/linux-$BASE_VERSION, once. The archive signature is checked by apt
# against the Debian archive keyring; no trusted=yes.
# Prints the path of the pristine tree on its last line.
source "$(dirname "$0")/common.sh"

SRC=$CACHE/base/src
if [ -f "$SRC/.unpacked" ] || [ -f "$SRC/.git/unpacked" ]; then
	echo "$SRC"
	exit 0
fi

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$KEYRING" ] || die "no $KEYRING (package debian-archive-keyring)"

# Use the same Debian mirror the system already uses, so no host name is
# written down here.
MIRROR=$(grep -hoE '(https?://[^ ]+/debian)/?( |$)' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	/etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | tr -d ' ' || true)
MIRROR=${KPTR_DEBIAN_MIRROR:-${MIRROR%/}}
[ -n "$MIRROR" ] || die "cannot find the Debian mirror in the system's apt sources; set KPTR_DEBIAN_MIRROR"

APT=$CACHE/apt
mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/etc/sources.list.d" "$APT/etc/preferences.d"
echo "deb [signed-by=$KEYRING] $MIRROR $BASE_SUITE main" >"$APT/etc/sources.list"
: >"$APT/etc/preferences"
APTOPTS=(
	-o "Dir::Etc::sourcelist=$APT/etc/sources.list"
	-o "Dir::Etc::sourceparts=$APT/etc/sources.list.d"
	-o "Dir::Etc::preferences=$APT/etc/preferences"
	-o "Dir::Etc::preferencesparts=$APT/etc/preferences.d"
	-o "APT::Sandbox::User=root"
	-o "Dir::State::Lists=$APT/lists"
	-o "Dir::State::status=/dev/null"
	-o "Dir::Cache::archives=$APT/archives"
	-o "Dir::Cache=$APT/cache"
	-o "APT::Get::List-Cleanup=0"
)
mkdir -p "$APT/cache"
apt-get "${APTOPTS[@]}" -q update
ver=$(apt-cache "${APTOPTS[@]}" show "$BASE_PKG" | awk '/^Version:/ {print $2; exit}')
echo "fetch: $BASE_PKG $ver from $BASE_SUITE"
(cd "$APT/archives" && apt-get "${APTOPTS[@]}" -q download "$BASE_PKG")
deb=$(ls -t "$APT/archives/${BASE_PKG}"_*.deb | head -n1)

tmp=$CACHE/unpack.$$
rm -rf "$tmp" && mkdir -p "$tmp"
dpkg-deb -x "$deb" "$tmp"
tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.* | head -n1)
mkdir -p "$(dirname "$SRC")"
rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
tar -xaf "$tarball" -C "$SRC.tmp" --strip-components=1
rm -rf "$tmp"
grep -q "^SUBLEVEL = ${BASE_VERSION##*.}\$" "$SRC.tmp/Makefile" ||
	die "unpacked tree is not $BASE_VERSION: $(head -n4 "$SRC.tmp/Makefile" | tr '\n' ' ')"
rm -rf "$SRC" && mv "$SRC.tmp" "$SRC"
chmod -R a-w "$SRC"	# pristine: builds are out of tree, series trees are copies
touch "$SRC/.unpacked" 2>/dev/null || { chmod u+w "$SRC"; touch "$SRC/.unpacked"; chmod u-w "$SRC"; }
echo "$SRC"
