# shellcheck shell=bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for drillhall's store tests.
#
# Usage (bash; safe under `set -euo pipefail`):
#
#     source .ci/start-postgres.sh        # exports DRILLHALL_TEST_POSTGRES_URL
#     trap 'stop_postgres || true' EXIT   # or: eval "$DRILLHALL_PG_STOP"
#
# What it does, one progress line per step on stderr:
#   1. finds initdb/pg_ctl (on PATH, else under /usr/lib/postgresql/*/bin); if there are none,
#      installs the Debian package `postgresql` with apt-get (needs root);
#   2. creates a cluster in a new temporary directory, owned by an unprivileged user
#      (PostgreSQL refuses to run as root: as root it uses the `postgres` system user from the
#      Debian package, creating it if needed), with a superuser `drillhall` whose password is
#      generated now and never written anywhere but the cluster;
#   3. starts it with `pg_ctl -w` on 127.0.0.1 on a free port (fsync off: test data only);
#   4. creates the database `drillhall_test` and exports
#      DRILLHALL_TEST_POSTGRES_URL=postgresql+psycopg://drillhall:PASSWORD@127.0.0.1:PORT/drillhall_test
#      plus DRILLHALL_PG_STOP (a command string for eval) and the function stop_postgres,
#      which stops the server and removes the directory.
#
# If DRILLHALL_TEST_POSTGRES_URL is already set, the script leaves it alone and starts nothing.
# It sets no shell options and no traps of its own; a failure returns non-zero from `source`.

_dh_pg_log() { printf '[postgres] %s\n' "$*" >&2; }

_dh_pg_find_bindir() {
  local candidate dir found=""
  if candidate=$(command -v initdb 2>/dev/null) && [ -n "$candidate" ]; then
    candidate=$(readlink -f "$candidate")
    dir=$(dirname "$candidate")
    if [ -x "$dir/pg_ctl" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  fi
  # Debian keeps the server binaries off PATH, one directory per major version: take the newest.
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      if [ -z "$found" ] || [ "${dir//[^0-9]/}" -gt "${found//[^0-9]/}" ]; then
        found=$dir
      fi
    fi
  done
  if [ -n "$found" ]; then
    printf '%s\n' "$found"
    return 0
  fi
  return 1
}

_dh_pg_install() {
  if [ "$(id -u)" -ne 0 ]; then
    _dh_pg_log "initdb not found and not root: install PostgreSQL (apt-get install postgresql)"
    return 1
  fi
  _dh_pg_log "installing PostgreSQL from Debian packages (apt-get install postgresql)"
  if [ -z "${DRILLHALL_APT_UPDATED:-}" ]; then
    apt-get update -qq >&2 || return 1
    export DRILLHALL_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
}

_dh_pg_free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_dh_pg_start() {
  local bindir owner workdir password port attempt started=0 as_owner=()

  if [ -n "${DRILLHALL_TEST_POSTGRES_URL:-}" ]; then
    _dh_pg_log "DRILLHALL_TEST_POSTGRES_URL is already set: using that server, starting none"
    stop_postgres() { return 0; }
    export DRILLHALL_PG_STOP=":"
    return 0
  fi

  _dh_pg_log "looking for initdb and pg_ctl"
  if ! bindir=$(_dh_pg_find_bindir); then
    _dh_pg_install || { _dh_pg_log "could not install PostgreSQL"; return 1; }
    bindir=$(_dh_pg_find_bindir) || { _dh_pg_log "initdb still not found"; return 1; }
  fi
  _dh_pg_log "using PostgreSQL $("$bindir/pg_ctl" --version | sed 's/^[^0-9]*//') from $bindir"

  workdir=$(mktemp -d "${TMPDIR:-/tmp}/drillhall-pg.XXXXXX") || return 1
  if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    if ! id -u "$owner" >/dev/null 2>&1; then
      _dh_pg_log "creating the system user $owner (PostgreSQL does not run as root)"
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        "$owner" || { rm -rf "$workdir"; return 1; }
    fi
    chown "$owner" "$workdir" || { rm -rf "$workdir"; return 1; }
    as_owner=(runuser -u "$owner" --)
  else
    owner=$(id -un)
  fi
  chmod 700 "$workdir"

  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))') || return 1
  ( umask 077 && printf '%s\n' "$password" >"$workdir/pwfile" ) || return 1
  if [ "${#as_owner[@]}" -gt 0 ]; then chown "$owner" "$workdir/pwfile"; fi

  _dh_pg_log "creating a cluster in $workdir/data (owner $owner)"
  if ! "${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U drillhall \
      --pwfile="$workdir/pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$workdir/initdb.log" 2>&1; then
    _dh_pg_log "initdb failed:"; tail -n 20 "$workdir/initdb.log" >&2 || true
    rm -rf "$workdir"; return 1
  fi
  rm -f "$workdir/pwfile"

  for attempt in 1 2 3; do
    port=$(_dh_pg_free_port) || break
    _dh_pg_log "starting the server on 127.0.0.1:$port (attempt $attempt)"
    if "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        start >/dev/null; then
      started=1
      break
    fi
  done
  if [ "$started" -ne 1 ]; then
    _dh_pg_log "the server did not start:"; tail -n 20 "$workdir/server.log" >&2 || true
    rm -rf "$workdir"; return 1
  fi

  export DRILLHALL_PG_DIR="$workdir"
  export DRILLHALL_PG_STOP="${as_owner[*]} '$bindir/pg_ctl' -D '$workdir/data' -m fast -w stop \
>/dev/null 2>&1; rm -rf '$workdir'"
  stop_postgres() {
    _dh_pg_log "stopping the server and removing ${DRILLHALL_PG_DIR:-its directory}"
    eval "${DRILLHALL_PG_STOP:-:}"
  }

  _dh_pg_log "creating the database drillhall_test"
  if ! PGPASSWORD="$password" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U drillhall \
      drillhall_test; then
    _dh_pg_log "createdb failed"; stop_postgres; return 1
  fi
  export DRILLHALL_TEST_POSTGRES_URL="postgresql+psycopg://drillhall:$password@127.0.0.1:$port/drillhall_test"
  _dh_pg_log "ready: DRILLHALL_TEST_POSTGRES_URL=postgresql+psycopg://drillhall:***@127.0.0.1:$port/drillhall_test"
}

_dh_pg_start
