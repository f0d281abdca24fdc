#!/usr/bin/env bash
# Run the dashboard for a team on one Debian machine, without Docker: Redis, N replicas of
# `streamlit run app.py` on loopback ports, and nginx in front of them on one address.
#
#   deploy/run-replicas.sh [N]          (default N=3; Ctrl-C stops everything)
#
# The dashboard's own settings (team mode: PINTEREST_APP_ID, PINTEREST_APP_SECRET,
# PINTEREST_DASHBOARD_PUBLIC_URL, PINTEREST_DASHBOARD_SECRET_KEY; see README "Three modes")
# come from the environment or from the file named by DASHBOARD_ENV_FILE (KEY=value lines,
# readable by its owner only). Every replica gets the same ones.
#
# Knobs (environment):
#   PROXY_LISTEN        nginx's [address:]port                     (default 8080)
#   FIRST_REPLICA_PORT  replica i listens on 127.0.0.1:(this + i)  (default 8501)
#   REDIS_PORT          port of the Redis started here             (default 6379)
#   REDIS_MAXMEMORY     Redis's memory bound (LRU eviction)        (default 256mb)
#   PINTEREST_DASHBOARD_REDIS_URL  an existing Redis/Valkey: none is started here
#   RUN_DIR             pid files, logs, nginx temp files          (default ./run/deploy)
#   TLS_CERT, TLS_KEY   terminate TLS in nginx (PROXY_LISTEN then e.g. 443; port 80 redirects)
set -euo pipefail

N="${1:-3}"
if ! [[ "$N" =~ ^[1-9][0-9]?$ ]]; then
    echo "usage: $0 [N]   (N replicas, 1-99)" >&2
    exit 2
fi
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PROXY_LISTEN="${PROXY_LISTEN:-8080}"
FIRST_REPLICA_PORT="${FIRST_REPLICA_PORT:-8501}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_MAXMEMORY="${REDIS_MAXMEMORY:-256mb}"
RUN_DIR="$(mkdir -p "${RUN_DIR:-$REPO/run/deploy}" && cd "${RUN_DIR:-$REPO/run/deploy}" && pwd)"

for tool in nginx redis-server "$PYTHON"; do
    if ! command -v "$tool" >/dev/null && ! [ -x "/usr/sbin/$tool" ]; then
        echo "$tool is missing (Debian: apt-get install nginx redis-server)" >&2
        exit 1
    fi
done
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [ -n "${DASHBOARD_ENV_FILE:-}" ]; then
    set -a
    # shellcheck disable=SC1090
    . "$DASHBOARD_ENV_FILE"
    set +a
fi

PIDS=()
stop_all() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM

if [ -z "${PINTEREST_DASHBOARD_REDIS_URL:-}" ]; then
    # A cache, not a database: no snapshots, no append-only file, least-recently-used keys go
    # first when the memory bound is reached. Loopback only.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
        --save "" --appendonly no --dir "$RUN_DIR" \
        --maxmemory "$REDIS_MAXMEMORY" --maxmemory-policy volatile-lru \
        --loglevel warning --logfile "$RUN_DIR/redis.log" &
    PIDS+=("$!")
    export PINTEREST_DASHBOARD_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi
export PINTEREST_DASHBOARD_PROCESSES="$N"  # each replica's fair share when Redis is away

UPSTREAMS=()
for i in $(seq 0 $((N - 1))); do
    port=$((FIRST_REPLICA_PORT + i))
    (cd "$REPO" && exec "$PYTHON" -m streamlit run app.py \
        --server.address 127.0.0.1 --server.port "$port" --server.headless true \
        --server.fileWatcherType none --server.runOnSave false \
        --browser.gatherUsageStats false) >"$RUN_DIR/replica-$i.log" 2>&1 &
    PIDS+=("$!")
    UPSTREAMS+=(--upstream "127.0.0.1:$port")
done

for i in $(seq 0 $((N - 1))); do
    port=$((FIRST_REPLICA_PORT + i))
    for _ in $(seq 1 180); do
        if "$PYTHON" -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(
                'http://127.0.0.1:$port/_stcore/health', timeout=2).read() == b'ok' else 1)" \
                2>/dev/null; then
            break
        fi
        sleep 0.5
    done
done

TLS_ARGS=()
if [ -n "${TLS_CERT:-}" ]; then
    TLS_ARGS=(--tls-cert "$TLS_CERT" --tls-key "${TLS_KEY:?TLS_KEY is needed with TLS_CERT}")
fi
(cd "$REPO" && "$PYTHON" -m deploy.nginx "${UPSTREAMS[@]}" --listen "$PROXY_LISTEN" \
    --runtime-dir "$RUN_DIR/nginx" --create-runtime-dir --output "$RUN_DIR/nginx.conf" \
    "${TLS_ARGS[@]}")
"$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR/nginx"
"$NGINX" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR/nginx" -g "daemon off;" &
PIDS+=("$!")
echo "dashboard: $N replicas behind nginx on $PROXY_LISTEN (logs in $RUN_DIR); Ctrl-C stops"
wait -n
echo "a process ended; stopping the others (logs in $RUN_DIR)" >&2
