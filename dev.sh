#!/usr/bin/env bash
# Sprintdeck's two commands for a fresh clone:
#   ./dev.sh run    set up (system libraries, .venv, install) and open the window
#   ./dev.sh test   set up and run the whole test suite (what CI runs)
# Other: ./dev.sh setup | lint | bench [args] | test-server COMMAND...
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY=${PYTHON:-python3}

# Qt's xcb platform needs these on a Linux desktop ("Could not load the Qt platform plugin
# xcb" otherwise); the rest are what PySide6 links against, fonts for CJK and emoji, and Xvfb
# for screenshots of the real window.
APT_RUNTIME=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libfontconfig1
  libdbus-1-3 fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)
APT_TEST=(xvfb chromium)

need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if ! command -v apt-get >/dev/null; then
    echo "dev.sh: please install these system packages: ${missing[*]}" >&2
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "dev.sh: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

setup_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  # Reinstall only when the project's declared dependencies changed.
  local stamp="$VENV/.sprintdeck-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

# The PostgreSQL server the tests use (tests/pg.py): SPRINTDECK_TEST_PG if set, else the
# one on 127.0.0.1:5432 (SPRINTDECK_TEST_PG_PROBE=host:port asks elsewhere) if it lets user
# postgres in, else a private throwaway cluster (tests/pg_cluster.sh) stopped at exit.
test_server() {
  if [ -n "${SPRINTDECK_TEST_PG:-}" ]; then return 0; fi
  local probe=${SPRINTDECK_TEST_PG_PROBE:-127.0.0.1:5432}
  local url="postgresql+psycopg://postgres@$probe/postgres"
  if "$VENV/bin/python" -c 'import sys, psycopg
psycopg.connect(host=sys.argv[1], port=sys.argv[2], user="postgres", dbname="postgres",
                connect_timeout=3).close()' "${probe%:*}" "${probe##*:}" 2>/dev/null; then
    echo "dev.sh: testing on the PostgreSQL server at $probe"
  else
    echo "dev.sh: no PostgreSQL server at $probe; starting a throwaway one"
    PG_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sprintdeck-pg.XXXXXX")
    trap 'tests/pg_cluster.sh stop "$PG_CLUSTER_DIR"' EXIT
    url=$(tests/pg_cluster.sh start "$PG_CLUSTER_DIR")
  fi
  export SPRINTDECK_TEST_PG=$url
}

case "${1:-run}" in
  setup)
    need_apt "${APT_RUNTIME[@]}" "${APT_TEST[@]}"
    setup_venv
    ;;
  run)
    shift || true
    need_apt "${APT_RUNTIME[@]}"
    setup_venv
    exec "$VENV/bin/sprintdeck" "$@"
    ;;
  test)
    shift || true
    need_apt "${APT_RUNTIME[@]}" "${APT_TEST[@]}"
    setup_venv
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    test_server
    # One pytest worker per core (pytest-xdist); SPRINTDECK_TEST_WORKERS=0 runs in-process.
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m pytest -n "${SPRINTDECK_TEST_WORKERS:-auto}" "$@"
    ;;
  test-server)
    # What `test` does for its PostgreSQL server, then COMMAND with SPRINTDECK_TEST_PG set
    # (e.g. ./dev.sh test-server .venv/bin/pytest tests/services -n 0).
    shift || true
    setup_venv
    test_server
    "$@"
    ;;
  lint)
    setup_venv
    "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .
    ;;
  bench)
    shift || true
    setup_venv
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m bench "$@"
    ;;
  *)
    echo "usage: ./dev.sh [run|test|setup|lint|bench|test-server]" >&2
    exit 2
    ;;
esac
