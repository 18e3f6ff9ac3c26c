#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the tests (what ./dev.sh test starts when no
# server answers):
#   tests/pg_cluster.sh start DIR   initdb into DIR/data, start it on a free port of
#                                   127.0.0.1 (trust auth there only, no Unix socket) and
#                                   print its SQLAlchemy URL (for SPRINTDECK_TEST_PG)
#   tests/pg_cluster.sh stop DIR    stop it and remove DIR
# Debian's `postgresql` is installed first when no initdb is found. The server never runs
# as root: as root, it runs as the system user `postgres` (made by the Debian package) or
# else `sprintdeck-test` (made here with useradd). Durability is off (fsync, synchronous
# commit, full page writes): the cluster lives for one test run.
set -euo pipefail

say() { echo "pg_cluster: $*" >&2; }

bin_dir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_postgresql() {
  if ! command -v apt-get >/dev/null; then
    say "no PostgreSQL server binaries (initdb) and no apt-get: install PostgreSQL or set SPRINTDECK_TEST_PG"
    exit 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  say "installing Debian's postgresql (for a throwaway test server)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
}

server_user() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id sprintdeck-test >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin sprintdeck-test
    echo sprintdeck-test
  fi
}

as_user() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 bin user port
  bin=$(bin_dir) || { install_postgresql; bin=$(bin_dir); }
  user=$(server_user)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown "$user" "$dir"; fi
  as_user "$user" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  as_user "$user" tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  echo "host all all 127.0.0.1/32 trust" | as_user "$user" tee "$dir/data/pg_hba.conf" >/dev/null
  as_user "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  say "started a throwaway PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') as $user on 127.0.0.1:$port ($dir)"
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir=$1 bin user
  if [ -f "$dir/data/postmaster.pid" ]; then
    bin=$(bin_dir)
    user=$(stat -c %U "$dir/data")
    as_user "$user" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    say "stopped the throwaway PostgreSQL ($dir)"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?usage: pg_cluster.sh start DIR}" ;;
  stop) stop "${2:?usage: pg_cluster.sh stop DIR}" ;;
  *)
    echo "usage: tests/pg_cluster.sh start DIR | stop DIR" >&2
    exit 2
    ;;
esac
