#!/usr/bin/env bash
# Makes a root filesystem with this machine's Node.js, offline: the `node` binary, the shared libraries ldd
# lists for it (merged-/usr layout), and busybox as /bin/sh. The node-flavor image test builds its base from it.
#
# Usage: node-rootfs.sh DIR
set -euo pipefail
r=$1
node=$(readlink -f "$(command -v node)")
mkdir -p "$r/usr/bin" "$r/usr/lib64" "$r/tmp"
chmod 1777 "$r/tmp"
for d in lib lib64 bin sbin; do ln -s "usr/$d" "$r/$d"; done
cp "$node" "$r/usr/bin/node"
cp /bin/busybox "$r/usr/bin/busybox"
ln -s busybox "$r/usr/bin/sh"
ldd "$node" | grep -o '/[^ ]*' | while read -r lib; do
  case "$lib" in /usr/*) dest="$r$lib" ;; *) dest="$r/usr$lib" ;; esac
  mkdir -p "$(dirname "$dest")"
  cp -L "$lib" "$dest"
done
chroot "$r" /usr/bin/node -e 0 || { echo "node-rootfs: node does not run in $r" >&2; exit 1; }
