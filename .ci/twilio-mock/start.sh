#!/usr/bin/env bash
# Start a local mock of Twilio's REST API: Stoplight Prism serving Twilio's own
# OpenAPI documents (shared/twilio-oai, unchanged).
#
#   eval "$(bash .ci/twilio-mock/start.sh)"   # exports TWILIO_API_BASE_URL, TWILIO_CONTENT_BASE_URL
#   bash .ci/twilio-mock/start.sh stop         # stops the servers this script started
#
#   https://api.twilio.com     -> http://127.0.0.1:$PORT       (twilio_api_v2010.json)
#   https://content.twilio.com -> http://127.0.0.1:$((PORT+1)) (twilio_content_v1.json)
#
# Env: PORT (4010), SHARED_DIR ("$(git rev-parse --show-toplevel)/../shared"),
#      LOG_DIR (/tmp/twilio-mock), WAIT_SECONDS (60),
#      PRISM_ARGS (extra `prism mock` flags, e.g. "-d --seed 1"),
#      TWILIO_MOCK_ERRORS=1: serve a temp copy of each document that also declares
#        429/500/503 responses (Twilio's error body shape), so `Prefer: code=429`
#        works; Twilio's documents define no error responses at all.
# Only the export lines go to stdout; progress goes to stderr.
# Idempotent: a port that already answers is left alone.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${PORT:-4010}"
CONTENT_PORT=$((PORT + 1))
HOST=127.0.0.1
LOG_DIR="${LOG_DIR:-/tmp/twilio-mock}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"
PID_FILE="$LOG_DIR/prism-$PORT.pids"
PRISM="$HERE/node_modules/.bin/prism"

log() { echo "twilio-mock: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

mkdir -p "$LOG_DIR"

if [[ "${1:-}" == "stop" ]]; then
  [[ -f "$PID_FILE" ]] || { log "no $PID_FILE, nothing to stop"; exit 0; }
  while read -r pid port name; do
    if [[ -n "$pid" ]] && grep -q prism "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" && log "stopped $name (pid $pid, port $port)"
    fi
  done <"$PID_FILE"
  rm -f "$PID_FILE"
  exit 0
fi

if [[ -z "${SHARED_DIR:-}" ]]; then
  if top="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null)"; then
    SHARED_DIR="$top/../shared"
  else
    SHARED_DIR="$HERE/../../../shared"
  fi
fi
OAI_DIR="$SHARED_DIR/twilio-oai"
for f in twilio_api_v2010.json twilio_content_v1.json; do
  [[ -f "$OAI_DIR/$f" ]] || { log "missing $OAI_DIR/$f (set SHARED_DIR)"; exit 1; }
done

# One start at a time (parallel test workers may all call this script).
if command -v flock >/dev/null; then
  exec 9>"$LOG_DIR/.lock-$PORT"
  flock -w "$WAIT_SECONDS" 9 || { log "could not lock $LOG_DIR/.lock-$PORT"; exit 1; }
fi

if [[ ! -x "$PRISM" ]]; then
  log "npm ci in $HERE"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

# Optional: a temp copy of a document with error responses added (stdlib only).
with_errors() {
  local src="$1" dst="$LOG_DIR/errors-$(basename "$1")"
  python3 - "$src" "$dst" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
doc = json.load(open(src, encoding="utf-8"))
errors = {429: (20429, "Too Many Requests"), 500: (20500, "Internal Server Error"),
          503: (20503, "Service Unavailable")}
schema = {"type": "object", "properties": {
    "code": {"type": "integer"}, "message": {"type": "string"},
    "more_info": {"type": "string"}, "status": {"type": "integer"}}}
for item in doc["paths"].values():
    for method, op in item.items():
        if method in ("get", "post", "put", "delete", "patch") and isinstance(op, dict):
            for status, (code, msg) in errors.items():
                op.setdefault("responses", {}).setdefault(str(status), {
                    "description": msg,
                    "content": {"application/json": {"schema": schema, "example": {
                        "code": code, "message": msg, "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}"}}}})
json.dump(doc, open(dst, "w", encoding="utf-8"))
PY
  echo "$dst"
}

touch "$PID_FILE"
STARTED=()
fail() {  # stop what this run started, then exit 1
  log "$*"
  for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
  exit 1
}
start_one() {  # name port document
  local name="$1" port="$2" doc="$3"
  if listening "$port"; then
    log "$name: something already listens on $HOST:$port, leaving it"
    return 0
  fi
  if [[ "${TWILIO_MOCK_ERRORS:-0}" == 1 ]]; then doc="$(with_errors "$doc")"; fi
  local logf="$LOG_DIR/prism-$name-$port.log"
  # shellcheck disable=SC2086
  nohup "$PRISM" mock -h "$HOST" -p "$port" ${PRISM_ARGS:-} "$doc" >"$logf" 2>&1 </dev/null 9>&- &
  local pid=$!
  STARTED+=("$pid")
  { grep -v " $port " "$PID_FILE" || true; echo "$pid $port $name"; } >"$PID_FILE.tmp"
  mv "$PID_FILE.tmp" "$PID_FILE"
  log "$name: started pid $pid on $HOST:$port, log $logf"
}

start_one api "$PORT" "$OAI_DIR/twilio_api_v2010.json"
start_one content "$CONTENT_PORT" "$OAI_DIR/twilio_content_v1.json"

deadline=$((SECONDS + WAIT_SECONDS))
for port in "$PORT" "$CONTENT_PORT"; do
  until listening "$port"; do
    pid="$(awk -v p="$port" '$2 == p {print $1}' "$PID_FILE")"
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG_DIR"/prism-*-"$port".log >&2
      fail "prism on port $port exited (log above)"
    fi
    if ((SECONDS >= deadline)); then
      fail "port $port not answering after ${WAIT_SECONDS}s"
    fi
    sleep 0.5
  done
done

log "pids in $PID_FILE"
echo "export TWILIO_API_BASE_URL=http://$HOST:$PORT"
echo "export TWILIO_CONTENT_BASE_URL=http://$HOST:$CONTENT_PORT"
