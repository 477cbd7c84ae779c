#!/bin/sh
# mmdebstrap --extract-hook for python:3.9-slim. $1 is the root file system.
# Environment from build.sh: TPD_RECIPE (this folder), TPD_WORK (temp dir).
set -eu
root="$1"

# Which packages went in (for the image's origin label).
ls "$root/var/cache/apt/archives" >"$TPD_WORK/python-debs.txt"

# Nothing runs maintainer scripts in extract mode: add what they would have
# made and the image needs (users, a sticky /tmp).
cp -R "$TPD_RECIPE/rootfs/." "$root/"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
mkdir -p "$root/tmp" "$root/root" "$root/home" "$root/media" "$root/mnt" "$root/opt" "$root/srv"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

# Trim what a slim image has no use for.
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
	"$root/usr/share/locale" "$root/usr/share/lintian"
