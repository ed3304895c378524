#!/usr/bin/env bash
# Memory per connection: NGINX and the bench server (plain HTTP, as ab.sh starts it: -Xms256m -Xmx256m)
# with 0, then 10,000 idle client connections (each has sent one request and read its answer).
# Prints RSS, and for the bench server the heap used after a full GC (jcmd). Writes
# benchmarks/load/results/MEMORY.md.
#
#   benchmarks/load/memory.sh          # about 1 minute
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results="$here/results"
IDLE=${IDLE:-10000}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
. "$here/common.sh"
need_commands nginx:nginx-light taskset:util-linux jcmd:openjdk-17-jdk-headless
bench_jar
work=$(mktemp -d /tmp/edgekit-memory.XXXXXX)
mkdir -p "$results"
start_cleanup
start_upstreams
ulimit -n $((IDLE * 2 + 1000)) 2>/dev/null || true

start_nginx_proxy nginx
ngx_port=$STARTED_PORT; ngx_pid=$STARTED_PID
edge_port=$(free_port)
start_java_server "$work/edge.out" "$edge_port" -jar "$jar"
edge_pid=$STARTED_PID

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; } # KiB
heap() { # KiB of heap in use after a full GC (all generations)
  jcmd "$1" GC.run > /dev/null
  jcmd "$1" GC.heap_info | grep -oE 'used [0-9]+K' | tr -d K | awk '{s += $2} END {print s + 0}'
}

# open N connections to PORT, send one request on each, read the answer, keep them open until stdin closes
hold() {
  python3 - "$1" "$2" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    conns.append(s)
time.sleep(30)
PY
  HOLD_PID=$!
}

{
  echo "# Memory per connection"
  echo
  echo "\`benchmarks/load/memory.sh\` (IDLE=$IDLE), $(date -u +%Y-%m-%d): NGINX $(nginx -v 2>&1 | sed 's/.*\///') proxying, and"
  echo "the bench server as the load script starts it (-Xms256m -Xmx256m, ParallelGC, one IO thread). RSS"
  echo "in MiB; for the bench server, the heap in use after a full GC (jcmd GC.heap_info)."
  echo
  echo "| state | NGINX RSS | Edgekit RSS | Edgekit heap after GC |"
  echo "| --- | ---: | ---: | ---: |"
  n0=$(rss $ngx_pid); e0=$(rss $edge_pid); h0=$(heap $edge_pid)
  echo "| started, no connection | $((n0 / 1024)) | $((e0 / 1024)) | $((h0 / 1024)) |"
  hold "$ngx_port" "$IDLE"; ngx_hold=$HOLD_PID
  hold "$edge_port" "$IDLE"; edge_hold=$HOLD_PID
  for _ in $(seq 1 120); do
    [ "$(ls /proc/$edge_pid/fd | wc -l)" -gt "$IDLE" ] && [ "$(ls /proc/$ngx_pid/fd | wc -l)" -gt "$IDLE" ] && break
    sleep 0.5
  done
  sleep 2
  n1=$(rss $ngx_pid); e1=$(rss $edge_pid); h1=$(heap $edge_pid)
  echo "| $IDLE idle connections | $((n1 / 1024)) | $((e1 / 1024)) | $((h1 / 1024)) |"
  echo "| per idle connection (KiB) | $(( (n1 - n0) / IDLE )).$(( ((n1 - n0) * 10 / IDLE) % 10 )) | $(( (e1 - e0) / IDLE )).$(( ((e1 - e0) * 10 / IDLE) % 10 )) | $(( (h1 - h0) / IDLE )).$(( ((h1 - h0) * 10 / IDLE) % 10 )) |"
  kill $ngx_hold $edge_hold 2>/dev/null || true
} > "$results/MEMORY.md"
cat "$results/MEMORY.md"
