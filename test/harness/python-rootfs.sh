#!/usr/bin/env bash
# Makes a root filesystem with Python 3 and scikit-learn, offline, from the host's own Debian packages:
# the dependency closure of python3-sklearn (Depends and Pre-Depends, installed ones only, without compilers
# and -dev packages), copied file by file as dpkg lists them, plus the shared libraries Debian's alternatives
# system points at (BLAS/LAPACK) and busybox as /bin/sh. The image tests build their base image from it:
# no public image can be pulled here, and debootstrap + apt inside it would take minutes on every run.
#
# Usage: python-rootfs.sh DIR        (DIR must be empty or absent; needs python3-sklearn and busybox-static)
set -euo pipefail
out=$1
mkdir -p "$out"
for p in python3-sklearn busybox-static; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
    { echo "python-rootfs: Debian package $p is not installed (apt-get install $p)" >&2; exit 1; }
done

declare -A seen=()
queue=(python3-sklearn)
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}; queue=("${queue[@]:1}")
  [ -n "${seen[$p]:-}" ] && continue
  case "$p" in *-dev|gcc*|g++*|cpp*|binutils*|python3-pythran|python3-all*|dpkg|tar|procps|init-system-helpers|libjs-*) continue ;; esac
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || continue
  seen[$p]=1
  for d in $(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/ //g'); do
    [ -n "$d" ] && queue+=("$d")
  done
done

# merged /usr: /lib, /lib64, /bin, /sbin are links into /usr on bookworm; list the real paths.
for p in "${!seen[@]}"; do dpkg -L "$p"; done |
  sed -E 's#^/(lib|lib64|bin|sbin)/#/usr/\1/#' | sort -u |
  grep -v -E '^/usr/share/(doc|man|locale|info|lintian)/' |
  while read -r f; do if [ -L "$f" ] || [ -f "$f" ]; then echo "${f#/}"; fi; done >"$out.files"
tar -C / -cf - --no-recursion -T "$out.files" | tar -C "$out" -xf -
rm -f "$out.files"
cd "$out"
for d in lib lib64 bin sbin; do [ -d "usr/$d" ] && ln -s "usr/$d" "$d"; done
mkdir -p usr/bin tmp etc && chmod 1777 tmp
cp /bin/busybox usr/bin/busybox && ln -sf busybox usr/bin/sh

# Links into /etc/alternatives (set up by maintainer scripts, not listed by dpkg): copy what they point at.
find . -type l | while read -r l; do
  case "$(readlink "$l")" in /etc/alternatives/*) rm "$l"; cp -L "/${l#./}" "$l" ;; esac
done
# Libraries still missing (BLAS/LAPACK resolve through alternatives): ask the image's own loader.
for _ in 1 2 3 4; do
  missing=$(find usr/lib -name '*.so*' -type f | sed 's#^#/#' |
    while read -r f; do chroot . /usr/lib64/ld-linux-x86-64.so.2 --list "$f" 2>&1 || true; done |
    sed -nE 's/^\s*(\S+) => not found.*/\1/p; s/.*error while loading shared libraries: ([^:]+):.*/\1/p' | sort -u)
  [ -z "$missing" ] && break
  for m in $missing; do
    # awk reads to the end: leaving early would kill ldconfig with SIGPIPE, which pipefail turns into a
    # silent exit 141 whenever ldconfig had not written everything yet (seen under load in CI)
    src=$(ldconfig -p | awk -v m="$m" '$1==m && /x86-64/ && !src {src=$NF} END {print src}')
    [ -n "$src" ] || { echo "python-rootfs: $m not found on the host" >&2; exit 1; }
    cp -L "$src" "usr/lib/x86_64-linux-gnu/$m"
  done
done
chroot . /usr/bin/python3 -c 'import sklearn, joblib, numpy, scipy' ||
  { echo "python-rootfs: python3 in $out cannot import scikit-learn" >&2; exit 1; }
