#!/bin/sh
# mmdebstrap --extract-hook for python:3.9-slim. $1 is the root file system.
# Environment from build.sh: TPD_RECIPE (this folder), TPD_WORK (temp dir),
# TPD_WHEELS (Debian packages to turn into wheels, comma-separated).
set -eu
root="$1"

# Which packages went in (for the image's origin label).
ls "$root/var/cache/apt/archives" >"$TPD_WORK/python-debs.txt"

# Nothing runs maintainer scripts in extract mode: add what they would have
# made and the image needs (users, a sticky /tmp), and /etc/pip.conf.
cp -R "$TPD_RECIPE/rootfs/." "$root/"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/pip.conf"
mkdir -p "$root/tmp" "$root/root" "$root/home" "$root/media" "$root/mnt" "$root/opt" "$root/srv"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"

# The wheelhouse: the Debian packages of FastAPI, Uvicorn and their
# dependencies, downloaded (not installed: the image has none of them until
# `pip install`) with the root's own apt sources, then made into wheels.
debs="$TPD_WORK/wheel-debs"
mkdir -p "$debs"
(
	cd "$debs"
	# shellcheck disable=SC2046 # one argument per package
	APT_CONFIG="$MMDEBSTRAP_APT_CONFIG" apt-get download $(echo "$TPD_WHEELS" | tr ',' ' ')
)
python="$(cd "$root/usr/bin" && ls | grep -E '^python3\.[0-9]+$' | head -n 1)"
[ -n "$python" ] || { echo "hook.sh : aucun python3.X dans l'image" >&2; exit 1; }
python3 "$TPD_RECIPE/wheelhouse.py" "$root" "$debs" "${python#python}" "$TPD_WORK/python-wheels.txt"

# Trim what a slim image has no use for.
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
	"$root/usr/share/locale" "$root/usr/share/lintian"
