#!/bin/sh
# mmdebstrap --extract-hook for postgres:16. $1 is the root file system.
# Environment from build.sh: TPD_RECIPE (this folder), TPD_WORK (temp dir),
# TPD_PGSTAGE (PostgreSQL 16 from npm, laid out as /usr/lib/postgresql/16).
set -eu
root="$1"

ls "$root/var/cache/apt/archives" >"$TPD_WORK/postgres-debs.txt"

# The server: PostgreSQL 16 with its own libraries (RUNPATH $ORIGIN/../lib).
mkdir -p "$root/usr/lib/postgresql"
cp -a "$TPD_PGSTAGE" "$root/usr/lib/postgresql/16"
chown -R 0:0 "$root/usr/lib/postgresql/16"

# Users, the entrypoint, the data and socket directories (uid/gid 999 as in
# the official image).
cp -R "$TPD_RECIPE/rootfs/." "$root/"
chmod 0644 "$root/etc/passwd" "$root/etc/group"
chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
ln -sf usr/local/bin/docker-entrypoint.sh "$root/docker-entrypoint.sh"
mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql" \
	"$root/docker-entrypoint-initdb.d" "$root/tmp" "$root/root"
chown 999:999 "$root/var/lib/postgresql" "$root/var/lib/postgresql/data" \
	"$root/var/run/postgresql"
chmod 1777 "$root/var/lib/postgresql/data" "$root/tmp"
chmod 3777 "$root/var/run/postgresql"
chmod 0700 "$root/root"

# Debian's psql goes through pg_wrapper, a Perl script that needs the
# postgresql-common set-up: point the client commands at version 17 directly
# and drop Perl, which nothing else here uses.
for link in "$root/usr/bin/"*; do
	[ -L "$link" ] || continue
	case "$(readlink "$link")" in
		*pg_wrapper)
			name="$(basename "$link")"
			rm -f "$link"
			if [ -e "$root/usr/lib/postgresql/17/bin/$name" ]; then
				ln -s "../lib/postgresql/17/bin/$name" "$link"
			fi
			;;
	esac
done
rm -rf "$root/usr/share/postgresql-common" "$root/usr/bin/perl"* \
	"$root/usr/share/perl" "$root/usr/share/perl5" \
	"$root/usr/lib/x86_64-linux-gnu/perl" "$root/usr/lib/x86_64-linux-gnu/perl5" \
	"$root/usr/lib/x86_64-linux-gnu/perl-base" "$root/usr/lib/x86_64-linux-gnu/libperl.so"*

# psql pages wide results through "pager" (an alternative nothing set up here).
[ -e "$root/usr/bin/pager" ] || ln -s more "$root/usr/bin/pager"

rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/info" \
	"$root/usr/share/locale" "$root/usr/share/lintian"
