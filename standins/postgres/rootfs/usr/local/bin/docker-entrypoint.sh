#!/usr/bin/env bash
# Entrypoint of the postgres:16 stand-in. It follows the official image's
# contract: POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required
# unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default: the user),
# POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, scripts in
# /docker-entrypoint-initdb.d on first start; the server runs as `postgres`.
set -Eeo pipefail

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
self="${BASH_SOURCE[0]}"

# "docker run postgres:16 -c fsync=off": options go to the server.
if [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

# Anything but the server runs as given (psql, bash...).
if [ "$1" != 'postgres' ]; then
	exec "$@"
fi

# As root: prepare the directories, then run this script again as postgres.
if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 00700 "$PGDATA" || :
	chown postgres:postgres /var/run/postgresql
	chmod 03775 /var/run/postgresql || :
	export HOME=/var/lib/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$self" "$@"
fi

export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

psql_setup() {
	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
		--no-password --no-psqlrc "$@"
}

run_initdb_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					printf '%s: running %s\n' "$0" "$f"
					"$f"
				else
					printf '%s: sourcing %s\n' "$0" "$f"
					# shellcheck disable=SC1090
					. "$f"
				fi
				;;
			*.sql)
				printf '%s: running %s\n' "$0" "$f"
				psql_setup --dbname "$POSTGRES_DB" -f "$f"
				echo
				;;
			*.sql.gz)
				printf '%s: running %s\n' "$0" "$f"
				gzip -dc "$f" | psql_setup --dbname "$POSTGRES_DB"
				echo
				;;
			*)
				printf '%s: ignoring %s\n' "$0" "$f"
				;;
		esac
	done
}

if [ -s "$PGDATA/PG_VERSION" ]; then
	cat <<-'EOM'

		PostgreSQL Database directory appears to contain a database; Skipping initialization

	EOM
	exec "$@"
fi

if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
	cat >&2 <<-'EOE'
		Error: Database is uninitialized and superuser password is not specified.
		       You must specify POSTGRES_PASSWORD to a non-empty value for the
		       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

		       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
		       connections without a password. This is *not* recommended.

		       See PostgreSQL documentation about "trust":
		       https://www.postgresql.org/docs/current/auth-trust.html
	EOE
	exit 1
fi
if [ "$POSTGRES_HOST_AUTH_METHOD" = 'trust' ]; then
	cat >&2 <<-'EOW'
		********************************************************************************
		WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
		         anyone with access to the Postgres port to access your database without
		         a password, even if POSTGRES_PASSWORD is set.
		********************************************************************************
	EOW
fi

# First start: create the cluster with the user as superuser.
if [ -n "${POSTGRES_PASSWORD:-}" ]; then
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		$POSTGRES_INITDB_ARGS
else
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
fi

# initdb writes its own postgresql.conf: listen on every address, and put the
# socket where Debian's psql looks for it.
cat >>"$PGDATA/postgresql.conf" <<-'EOC'

	# Added by the stand-in's entrypoint (the official image's defaults)
	listen_addresses = '*'
	unix_socket_directories = '/var/run/postgresql'
EOC
printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

# A temporary server on the socket only, to create the database and run the
# init scripts.
pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
if [ "$POSTGRES_DB" != 'postgres' ]; then
	exists="$(psql_setup --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOS'
		SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOS
	)"
	if [ -z "${exists// /}" ]; then
		psql_setup --dbname postgres --set db="$POSTGRES_DB" <<-'EOS'
			CREATE DATABASE :"db" ;
		EOS
		echo
	fi
fi
run_initdb_scripts
pg_ctl -D "$PGDATA" -m fast -w stop

cat <<-'EOM'

	PostgreSQL init process complete; ready for start up.

EOM
exec "$@"
