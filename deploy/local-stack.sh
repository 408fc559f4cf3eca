#!/usr/bin/env bash
# The production stack on one machine from Debian packages, on loopback, without containers:
#   nginx :8080  ->  gunicorn app servers :8001 and :8002 (each with a scheduler)  ->  PostgreSQL :54340
#                    Redis :63790  <-  RQ worker               readyz-watch.py keeps nginx's upstream list
#
#   deploy/local-stack.sh start          start everything (first run: create the database, migrate, seed demo data)
#   deploy/local-stack.sh stop           stop everything (data stays in $STACK_DIR)
#   deploy/local-stack.sh status         what runs, and each server's /readyz
#   deploy/local-stack.sh kill-app N     SIGKILL app server N (1-based) and its scheduler: a server lost
#   deploy/local-stack.sh start-app N    start app server N again
#   deploy/local-stack.sh env            print the environment the app processes get
#   deploy/local-stack.sh destroy        stop and delete $STACK_DIR
#
# Needs: nginx (nginx-light), postgresql, redis-server, and the project's virtualenv (make install).
# Settings (environment): STACK_DIR (/tmp/marketplace-stack), NGINX_PORT (8080), APP_PORTS ("8001 8002"),
# PG_PORT (54340), REDIS_PORT (63790), WORKERS (2 per app server), THREADS (8), VENV (.venv), STACK_ENV_EXTRA
# (extra KEY=VALUE lines for the app, e.g. SCHEDULE_ACTIVATE_PLACEMENTS=5), STACK_SEED (demo: the demo accounts
# of the README; groups: the project groups only).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STACK_DIR=${STACK_DIR:-/tmp/marketplace-stack}
NGINX_PORT=${NGINX_PORT:-8080}
APP_PORTS=(${APP_PORTS:-8001 8002})
PG_PORT=${PG_PORT:-54340}
REDIS_PORT=${REDIS_PORT:-63790}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-8}
VENV=${VENV:-$ROOT/.venv}
BIN=$VENV/bin
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
DB_NAME=marketplace

as_postgres() {  # PostgreSQL refuses to run as root: use its own user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

say() { echo "[stack] $*"; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "[stack] $what did not come up; see $STACK_DIR/log" >&2; return 1; fi
    sleep 0.2
  done
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_env() {
  if [ ! -f "$STACK_DIR/secret_key" ]; then
    "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > "$STACK_DIR/secret_key"
    chmod 600 "$STACK_DIR/secret_key"
  fi
  # APP_ENV=development only because this stack speaks plain HTTP on loopback (production sets Secure cookies,
  # which a browser sends over HTTPS only). Everything else is as in production.
  cat > "$STACK_DIR/env" <<ENV
APP_ENV=development
SECRET_KEY=$(cat "$STACK_DIR/secret_key")
DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/$DB_NAME
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
STORAGE_BACKEND=database
TRUSTED_PROXIES=1
UPLOAD_FOLDER=$STACK_DIR/no-local-uploads
PUBLIC_BASE_URL=http://127.0.0.1:$NGINX_PORT
WORKERS=$WORKERS
THREADS=$THREADS
${STACK_ENV_EXTRA:-}
ENV
}

app_env() {  # run a command with the app's environment
  env $(grep -v '^\s*$' "$STACK_DIR/env" | xargs) "$@"
}

start_postgres() {
  local data=$STACK_DIR/pg
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    as_postgres "$PGBIN/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$STACK_DIR/log/initdb.log"
  fi
  if ! as_postgres "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_postgres "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w start \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" </dev/null >/dev/null 2>&1
  fi
  as_postgres "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1 \
    || as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB_NAME"
  say "PostgreSQL on 127.0.0.1:$PG_PORT"
}

start_redis() {
  if ! alive "$STACK_DIR/run/redis.pid"; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --pidfile "$STACK_DIR/run/redis.pid" \
      --dir "$STACK_DIR/redis" --appendonly yes --logfile "$STACK_DIR/log/redis.log" \
      </dev/null >/dev/null 2>&1
    wait_for 10 Redis redis-cli -p "$REDIS_PORT" ping
  fi
  say "Redis on 127.0.0.1:$REDIS_PORT"
}

migrate_once() {
  # One migration run for the whole stack, before any app server starts (never one per server).
  (cd "$ROOT" && app_env "$BIN/flask" --app wsgi db upgrade >"$STACK_DIR/log/migrate.log" 2>&1)
  if [ ! -f "$STACK_DIR/seeded" ]; then
    local demo=--demo
    [ "${STACK_SEED:-demo}" = groups ] && demo=--no-demo
    (cd "$ROOT" && app_env "$BIN/flask" --app wsgi seed $demo >>"$STACK_DIR/log/migrate.log" 2>&1)
    touch "$STACK_DIR/seeded"
  fi
  say "database migrated"
}

spawn() {  # spawn NAME COMMAND...: its own session and process group (pid = group id), pid file, log
  local name=$1; shift
  rm -f "$STACK_DIR/run/$name.pid"
  (cd "$ROOT" && setsid bash -c 'echo $$ > "$0"; exec "$@"' "$STACK_DIR/run/$name.pid" \
    env $(grep -v '^\s*$' "$STACK_DIR/env" | xargs) "$@" >>"$STACK_DIR/log/$name.log" 2>&1 < /dev/null &)
  for _ in $(seq 50); do [ -s "$STACK_DIR/run/$name.pid" ] && break; sleep 0.1; done
}

start_app() {  # start_app N [nowait]: with "nowait", start it and let wait_app N wait for its /readyz
  local n=$1 port=${APP_PORTS[$(($1 - 1))]}
  if ! alive "$STACK_DIR/run/app$n.pid"; then
    spawn "app$n" "$BIN/gunicorn" --config gunicorn.conf.py --bind "127.0.0.1:$port" --workers "$WORKERS" \
      --access-logfile "$STACK_DIR/log/app$n-access.log" --access-logformat '%(t)s %(p)s %(m)s %(U)s %(s)s %(L)s' \
      wsgi:app
  fi
  if ! alive "$STACK_DIR/run/scheduler$n.pid"; then
    spawn "scheduler$n" "$BIN/flask" --app wsgi scheduler
  fi
  [ "${2:-}" = nowait ] || wait_app "$n"
}

wait_app() {
  local n=$1 port=${APP_PORTS[$(($1 - 1))]}
  wait_for 60 "app server $n" curl -fsS "http://127.0.0.1:$port/readyz"
  say "app server $n on 127.0.0.1:$port (with its scheduler)"
}

kill_group() {  # SIGKILL a spawned process group: the machine is gone, no goodbye
  local pidfile=$STACK_DIR/run/$1.pid
  if [ -f "$pidfile" ]; then
    kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}

stop_group() {  # SIGTERM a spawned process group and wait for it
  local pidfile=$STACK_DIR/run/$1.pid
  if [ -f "$pidfile" ]; then
    local pid; pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}

start_nginx() {
  local servers="" watched=""
  for port in "${APP_PORTS[@]}"; do
    servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
    watched+=" 127.0.0.1:$port"
  done
  mkdir -p "$STACK_DIR/nginx/tmp"
  printf '# written by deploy/local-stack.sh\n%s' "$servers" > "$STACK_DIR/nginx/upstream.conf"
  local user_line=""
  [ "$(id -u)" = 0 ] && user_line="user root;"
  # The same server block as deploy/nginx/marketplace.conf, with this stack's paths and ports.
  sed -e "s#listen 80;#listen 127.0.0.1:$NGINX_PORT;#" \
      -e "s#include /etc/nginx/marketplace-upstream.conf;#include $STACK_DIR/nginx/upstream.conf;#" \
      -e "s#alias /srv/marketplace/static/;#alias $ROOT/static/;#" \
      "$ROOT/deploy/nginx/marketplace.conf" > "$STACK_DIR/nginx/marketplace.conf"
  cat > "$STACK_DIR/nginx/nginx.conf" <<NGINX
$user_line
worker_processes 2;
pid $STACK_DIR/run/nginx.pid;
error_log $STACK_DIR/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $STACK_DIR/log/nginx-access.log;
    client_body_temp_path $STACK_DIR/nginx/tmp/body;
    proxy_temp_path $STACK_DIR/nginx/tmp/proxy;
    fastcgi_temp_path $STACK_DIR/nginx/tmp/fastcgi;
    uwsgi_temp_path $STACK_DIR/nginx/tmp/uwsgi;
    scgi_temp_path $STACK_DIR/nginx/tmp/scgi;
    server_tokens off;
    include $STACK_DIR/nginx/marketplace.conf;
}
NGINX
  if alive "$STACK_DIR/run/nginx.pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -s reload
  else
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$STACK_DIR/log/nginx-error.log" \
      </dev/null >>"$STACK_DIR/log/nginx-error.log" 2>&1
  fi
  if ! alive "$STACK_DIR/run/readyz-watch.pid"; then
    spawn readyz-watch "$BIN/python" "$ROOT/deploy/readyz-watch.py" --upstream "$STACK_DIR/nginx/upstream.conf" \
      --reload "$NGINX -p $STACK_DIR/nginx -c $STACK_DIR/nginx/nginx.conf -s reload" $watched
  fi
  wait_for 15 nginx curl -fsS "http://127.0.0.1:$NGINX_PORT/readyz"
  say "nginx on http://127.0.0.1:$NGINX_PORT"
}

start_worker() {
  if ! alive "$STACK_DIR/run/worker.pid"; then
    spawn worker "$BIN/flask" --app wsgi worker
  fi
  say "RQ worker started"
}

start() {
  mkdir -p "$STACK_DIR"/{log,run,redis}
  [ "$(id -u)" = 0 ] && chmod 755 "$STACK_DIR"
  write_env
  start_postgres
  start_redis
  migrate_once
  for n in $(seq ${#APP_PORTS[@]}); do start_app "$n" nowait; done  # they warm up side by side
  for n in $(seq ${#APP_PORTS[@]}); do wait_app "$n"; done
  start_worker
  start_nginx
  say "stack up: http://127.0.0.1:$NGINX_PORT  (logs in $STACK_DIR/log)"
}

stop() {
  [ -d "$STACK_DIR" ] || return 0
  stop_group readyz-watch
  if alive "$STACK_DIR/run/nginx.pid"; then
    "$NGINX" -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -s quit || true
  fi
  stop_group worker
  for n in $(seq ${#APP_PORTS[@]}); do stop_group "scheduler$n"; stop_group "app$n"; done
  if alive "$STACK_DIR/run/redis.pid"; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$STACK_DIR/run/redis.pid")" || true
  fi
  if [ -f "$STACK_DIR/pg/PG_VERSION" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$STACK_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  say "stopped"
}

status() {
  for name in nginx readyz-watch worker redis $(for n in $(seq ${#APP_PORTS[@]}); do echo "app$n scheduler$n"; done); do
    if alive "$STACK_DIR/run/$name.pid"; then echo "$name: running (pid $(cat "$STACK_DIR/run/$name.pid"))"
    else echo "$name: stopped"; fi
  done
  for port in "${APP_PORTS[@]}"; do
    echo "127.0.0.1:$port/readyz: $(curl -sS -m 3 "http://127.0.0.1:$port/readyz" 2>&1 || true)"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) write_env; cat "$STACK_DIR/env" ;;
  kill-app) kill_group "scheduler$2"; kill_group "app$2"; say "app server $2 killed" ;;
  start-app) start_app "$2" ;;
  destroy) stop; rm -rf "$STACK_DIR"; say "removed $STACK_DIR" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
