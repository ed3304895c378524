#!/usr/bin/env bash
# Runs the public HTTP caching tests (npm package http-cache-tests, the cache-tests.fyi suite) against
# Edgekit's HTTP cache: the suite's origin server on one port, the Edgekit bench server with --cache in
# front of it, the suite's client through the edge. Prints the counts by test kind and writes
# edge-proxy/cache-tests/results/ (the raw results and the summary).
#
#   edge-proxy/cache-tests/run.sh            # about two minutes
#   edge-proxy/cache-tests/run.sh TEST_ID    # one test, with the suite's dump of every exchange
#   EDGE_FLAGS=--cache-store-set-cookie edge-proxy/cache-tests/run.sh TEST_ID
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/edgekit-cache-tests.XXXXXX)
mkdir -p "$here/results"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
(cd "$work" && npm install --silent --no-audit --no-fund http-cache-tests@0.4.5 >/dev/null)
suite="$work/node_modules/http-cache-tests"
jar="$root/benchmarks/target/edge-bench-server.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -ntp -q package -DskipTests -pl benchmarks -am)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
ORIGIN=$(free_port)
(cd "$suite" && npm_config_protocol=http npm_config_port=$ORIGIN npm_config_pidfile="$work/server.pid" \
    exec node server/server.mjs > "$work/origin.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 50); do grep -q 'Listening' "$work/origin.log" && break; sleep 0.1; done

# start_edge FLAGS...: the bench server with the cache in front of the suite's origin; sets EDGE and EDGE_PID
start_edge() {
  EDGE=$(free_port)
  java -jar "$jar" --port "$EDGE" --upstream 127.0.0.1:$ORIGIN --io-threads 2 --cache "$@" > "$work/edge.log" 2>&1 &
  EDGE_PID=$!
  pids+=($EDGE_PID)
  for _ in $(seq 1 100); do grep -q '^ready' "$work/edge.log" && return; sleep 0.1; done
  echo "the edge did not start:" >&2; cat "$work/edge.log" >&2; exit 1
}

if [ $# -gt 0 ]; then
  start_edge ${EDGE_FLAGS:-}
  (cd "$suite" && npm run --silent cli --base="http://127.0.0.1:$EDGE" --id="$1")
  exit 0
fi
# the defaults, then with responses that set cookies stored too (off by default; the suite expects them stored)
for variant in default store-set-cookie; do
  if [ "$variant" = default ]; then start_edge; suffix=""; else start_edge --cache-store-set-cookie; suffix="-$variant"; fi
  (cd "$suite" && npm run --silent cli --base="http://127.0.0.1:$EDGE" > "$here/results/results$suffix.json")
  kill "$EDGE_PID"; wait "$EDGE_PID" 2>/dev/null || true
  node "$here/summarize.mjs" "$suite" "$here/results/results$suffix.json" > "$here/results/summary$suffix.txt"
  echo "$variant:"; head -3 "$here/results/summary$suffix.txt"
done
