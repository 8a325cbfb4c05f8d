#!/usr/bin/env bash
# A real Argilla v2 server on 127.0.0.1 for local review and the tests: argilla-server 2.8.0 (own venv,
# bundled web UI), SQLite, Redis (Debian redis-server) and osmem-server, an in-memory OpenSearch emulator
# from PyPI, behind osmem_shim.py (beside this script), which runs the three update scripts Argilla sends
# and osmem-server refuses. No Docker, nothing but package registries.
#
#   bash scripts/argilla/server.sh start     install on first use (~2 min), start, print URL, API key, user
#   bash scripts/argilla/server.sh stop      stop what `start` started (by recorded process id)
#   bash scripts/argilla/server.sh status    exit 0 when the server this script started answers
#   bash scripts/argilla/server.sh env       print the env file to source (ARGILLA_API_URL / ARGILLA_API_KEY)
#   bash scripts/argilla/server.sh purge     stop and delete the server's data (keeps the venv)
#
# Why osmem-server (measured on the project's 2-core machine; restart = `stop` then `start`, index rebuilt):
#   search back end        UI Pending queue + "My progress"       restart   search memory (idle / 2,000 short records)
#   noida-db 0.2.3         wrong: reviewed records stay pending   12 s      11 MB / 24 MB
#   osmem-server 0.1.6     no answer can be saved (no scripts)    -         -
#   osmem-server + shim    right                                  13 s      25-33 MB + 21 MB shim / 96 MB + 21 MB
# (argilla-server itself: ~290 MB, Redis 12 MB; first start with the pip install ~2 min, from empty data ~22 s.)
# Argilla's Pending filter and per-user counters query `responses.*` at the document root, which needs
# `include_in_root` on the nested mapping: noida-db ignores it, osmem-server honours it. osmem-server keeps
# the index in memory only: `start` rebuilds it from the SQLite database (`search-engine reindex`, ~7 s).
#
# Settings (environment, optional): ARGILLA_LAB_DIR (~/.cache/distilabel-synthesizrr/argilla), ARGILLA_PORT (6900),
# SEARCH_PORT (9200; osmem-server itself listens on SEARCH_PORT+1), REDIS_PORT (6379), ARGILLA_USERNAME (argilla),
# ARGILLA_PASSWORD (12345678), ARGILLA_API_KEY (argilla.apikey), PYTHON (python3.11), STARTUP_TIMEOUT (120).
# Idempotent: a second `start` reuses the venv and whatever is already running.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="${ARGILLA_LAB_DIR:-${SYNTHESIZRR_CACHE_DIR:-$HOME/.cache/distilabel-synthesizrr}/argilla}"
PYTHON="${PYTHON:-python3.11}"
ARGILLA_PORT="${ARGILLA_PORT:-6900}"
SEARCH_PORT="${SEARCH_PORT:-9200}"
REDIS_PORT="${REDIS_PORT:-6379}"
ARGILLA_USERNAME="${ARGILLA_USERNAME:-argilla}"
ARGILLA_PASSWORD="${ARGILLA_PASSWORD:-12345678}"
ARGILLA_API_KEY="${ARGILLA_API_KEY:-argilla.apikey}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-120}"
VERSION=2.8.0
OSMEM=0.1.6
OSMEM_PORT=$((SEARCH_PORT + 1))
VENV="$LAB/venv-server" DATA="$LAB/data" LOGS="$LAB/logs" PIDS="$LAB/pids" ENVFILE="$LAB/argilla.env"

log() { printf '[argilla %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
pid_alive() { [[ -s "$PIDS/$1.pid" ]] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
spawn() {  # spawn NAME CMD...: detached, own session, log and pid file
  local name="$1"; shift
  setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}
wait_for() {  # wait_for NAME CMD...: poll until CMD succeeds; fail when NAME's process dies or time runs out
  local name="$1"; shift
  local deadline=$(( $(date +%s) + STARTUP_TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    pid_alive "$name" || { tail -n 20 "$LOGS/$name.log" >&2; die "$name exited (log: $LOGS/$name.log)"; }
    (( $(date +%s) < deadline )) || die "$name not ready after ${STARTUP_TIMEOUT}s (log: $LOGS/$name.log)"
    sleep 0.25
  done
}
me_ok() { curl -sf -o /dev/null -H "X-Argilla-Api-Key: $ARGILLA_API_KEY" "http://127.0.0.1:$ARGILLA_PORT/api/v1/me"; }

stop_one() {  # stop_one NAME CMDLINE_PATTERN: only a process we recorded and whose command line matches
  local f="$PIDS/$1.pid" pid
  [[ -s "$f" ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$2"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$f"
}

reindex() {  # reindex PYTHON: osmem-server starts empty, so rebuild the indices of the datasets in the database
  log "rebuilding the search index from the database"
  "$1" -m argilla_server search-engine reindex >>"$LOGS/reindex.log" 2>&1 \
    || { tail -20 "$LOGS/reindex.log" >&2; die "reindex failed (log: $LOGS/reindex.log)"; }
}

start() {
  mkdir -p "$DATA" "$LOGS" "$PIDS"
  if ! command -v redis-server >/dev/null 2>&1; then
    [[ $(id -u) -eq 0 ]] || die "redis-server is missing: install the Debian package (sudo apt-get install redis-server)"
    log "installing redis-server (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOGS/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >>"$LOGS/apt.log" 2>&1 \
      || { tail -5 "$LOGS/apt.log" >&2; die "apt-get install redis-server failed"; }
  fi
  local stamp="$VENV/.installed-$VERSION-$OSMEM-$(sha256sum "$HERE/server-constraints.txt" | cut -c1-12)"
  if [[ ! -f "$stamp" ]]; then
    log "installing argilla-server==$VERSION and osmem-server==$OSMEM into $VENV (first use: ~1.5 min)"
    rm -rf "$VENV"; "$PYTHON" -m venv "$VENV"
    # argilla-server pins clash with the project (click<8.2, huggingface-hub<1, pydantic 2.9): own venv, tested set.
    "$VENV/bin/pip" install -q --disable-pip-version-check -c "$HERE/server-constraints.txt" \
      "argilla-server==$VERSION" "osmem-server==$OSMEM" >"$LOGS/pip.log" 2>&1 \
      || { grep -v "is ignored" "$LOGS/pip.log" | tail -20 >&2; die "pip install failed (log: $LOGS/pip.log)"; }
    touch "$stamp"
  fi
  local py="$VENV/bin/python" site fresh_search=0
  site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

  if ! pid_alive redis; then
    port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by a process this script did not start (set REDIS_PORT)"
    mkdir -p "$DATA/redis"
    spawn redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA/redis" --save "" --appendonly no \
      --protected-mode yes
    wait_for redis redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
  fi
  if ! (pid_alive search && pid_alive shim); then
    # one without the other (or a search engine of an older version of this script): start both afresh
    stop_one shim "osmem_shim.py"; stop_one search "osmem-server|noida-db"
    for port in "$SEARCH_PORT" "$OSMEM_PORT"; do
      port_open "$port" && die "port $port is taken by a process this script did not start (set SEARCH_PORT)"
    done
    # -no-stdin-watch: it would exit when its stdin (/dev/null) closes; -no-ja: no Japanese analyser to load.
    spawn search "$site/osmem_server/bin/osmem-server" -addr "127.0.0.1:$OSMEM_PORT" -no-stdin-watch -no-ja
    wait_for search curl -sf -o /dev/null "http://127.0.0.1:$OSMEM_PORT/"
    spawn shim "$py" "$HERE/osmem_shim.py" "$SEARCH_PORT" "$OSMEM_PORT"
    wait_for shim curl -sf -o /dev/null "http://127.0.0.1:$SEARCH_PORT/"
    fresh_search=1
  fi

  cat >"$ENVFILE" <<EOF
export ARGILLA_HOME_PATH="$DATA/argilla"
export ARGILLA_DATABASE_URL="sqlite+aiosqlite:///$DATA/argilla/argilla.db?check_same_thread=False"
export ARGILLA_SEARCH_ENGINE=opensearch
export ARGILLA_ELASTICSEARCH="http://127.0.0.1:$SEARCH_PORT"
export ARGILLA_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export ARGILLA_API_URL="http://127.0.0.1:$ARGILLA_PORT"
export ARGILLA_API_KEY="$ARGILLA_API_KEY"
export ARGILLA_USERNAME="$ARGILLA_USERNAME"
export ARGILLA_PASSWORD="$ARGILLA_PASSWORD"
EOF
  # shellcheck disable=SC1090
  source "$ENVFILE"
  if pid_alive argilla && me_ok; then
    [[ "$fresh_search" == 1 ]] && reindex "$py"
  else
    pid_alive argilla && die "argilla-server (pid $(cat "$PIDS/argilla.pid")) runs but does not answer: run '$0 stop'"
    port_open "$ARGILLA_PORT" && die "port $ARGILLA_PORT is taken by a process this script did not start (set ARGILLA_PORT)"
    mkdir -p "$ARGILLA_HOME_PATH"
    if [[ "$(cat "$ARGILLA_HOME_PATH/.migrated" 2>/dev/null)" != "$VERSION" ]]; then
      log "creating the database and the owner user '$ARGILLA_USERNAME'"
      "$py" -m argilla_server database migrate >>"$LOGS/migrate.log" 2>&1 || { tail -20 "$LOGS/migrate.log" >&2; die "migration failed"; }
      "$py" -m argilla_server database users create --first-name "$ARGILLA_USERNAME" --username "$ARGILLA_USERNAME" \
        --password "$ARGILLA_PASSWORD" --api-key "$ARGILLA_API_KEY" --role owner --workspace "$ARGILLA_USERNAME" \
        >>"$LOGS/users.log" 2>&1 || { tail -20 "$LOGS/users.log" >&2; die "user creation failed"; }
      echo "$VERSION" >"$ARGILLA_HOME_PATH/.migrated"
    elif [[ "$fresh_search" == 1 ]]; then
      reindex "$py"
    fi
    spawn argilla "$py" -m argilla_server start --host 127.0.0.1 --port "$ARGILLA_PORT"
    wait_for argilla me_ok
  fi
  log "ready: web UI http://127.0.0.1:$ARGILLA_PORT (user $ARGILLA_USERNAME / $ARGILLA_PASSWORD)"
  cat <<EOF
ARGILLA_API_URL=http://127.0.0.1:$ARGILLA_PORT
ARGILLA_API_KEY=$ARGILLA_API_KEY
ARGILLA_USERNAME=$ARGILLA_USERNAME
ARGILLA_PASSWORD=$ARGILLA_PASSWORD
# to use it: source $ENVFILE    to stop: bash $HERE/server.sh stop
EOF
}

stop() {
  stop_one argilla "argilla_server start"
  stop_one shim "osmem_shim.py"
  stop_one search "osmem-server|noida-db"
  stop_one redis "redis-server"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [[ -f "$ENVFILE" ]] && pid_alive argilla && me_ok && { echo "running: http://127.0.0.1:$ARGILLA_PORT"; exit 0; }
          echo "not running" >&2; exit 1 ;;
  purge) stop; rm -rf "$DATA" "$LOGS" "$ENVFILE"; log "data removed" ;;
  env) [[ -f "$ENVFILE" ]] && cat "$ENVFILE" || die "not started yet: run '$0 start'" ;;
  *) echo "usage: $0 start|stop|status|env|purge" >&2; exit 2 ;;
esac
