#!/usr/bin/env bash
# Memory per connection and per request in flight: NGINX and the bench server, each alone on the proxy core:
#   - the bench server as the load script starts it (-Xms256m -Xmx256m, ParallelGC), TLS by the JDK;
#   - the same with BoringSSL (--tls-engine native);
#   - the same with the small-footprint flags README documents (SMALL_OPTS) and BoringSSL: with a 64 MiB
#     heap, the JDK's TLS (some 7 KiB of heap per idle connection) cannot hold 10,000 TLS connections.
# For each: RSS, heap in use after a full GC (jcmd GC.heap_info) and the JVM's native "Other" memory, where
# direct buffers live (Native Memory Tracking, summary), at rest and then holding
#   - IDLE idle plain connections (each has sent one request and read its answer),
#   - IDLE idle TLS connections (handshake, one request, answer),
#   - INFLIGHT requests in flight (sent, forwarded to an upstream that holds them without answering; the
#     edge opens at most 256 connections per endpoint and IO thread by default, 512 here).
# Each state is measured against the state just before it; the connections actually held are counted
# with ss. Writes benchmarks/load/results/MEMORY.md.
#
#   benchmarks/load/memory.sh          # about 6 minutes
#   IDLE=2000 INFLIGHT=200 benchmarks/load/memory.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results="$here/results"
IDLE=${IDLE:-10000}
INFLIGHT=${INFLIGHT:-500}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
DEFAULT_OPTS="-Xms256m -Xmx256m -XX:+UseParallelGC"
SMALL_OPTS=${SMALL_OPTS:-"-Xms16m -Xmx64m -XX:+UseSerialGC -XX:MaxDirectMemorySize=32m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=64m"}
. "$here/common.sh"
need_commands nginx:nginx-light taskset:util-linux jcmd:openjdk-17-jdk-headless ss:iproute2 openssl:openssl
bench_jar
work=$(mktemp -d /tmp/edgekit-memory.XXXXXX)
mkdir -p "$results"
start_cleanup
start_upstreams
ulimit -n "$(ulimit -Hn)" # each process holds at most IDLE + 2 * INFLIGHT descriptors and a few
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE + INFLIGHT * 2 + 500)) ]; then
  echo "memory.sh: open-file limit $(ulimit -n) is too low for IDLE=$IDLE INFLIGHT=$INFLIGHT"; exit 1
fi
export WORKER_CONNECTIONS=$((IDLE + INFLIGHT * 2 + 1000))

# an upstream on two ports that reads each request head and never answers (until the script ends)
slow=$(free_port); slow2=$(free_port)
python3 - "$slow" "$slow2" > "$work/slow.out" 2>&1 <<'PY' &
import asyncio, sys
async def hold(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.sleep(3600)
async def main():
    servers = [await asyncio.start_server(hold, "127.0.0.1", int(port), backlog=4096) for port in sys.argv[1:]]
    await asyncio.gather(*(server.serve_forever() for server in servers))
asyncio.run(main())
PY
pids+=($!)
wait_port "$slow"; wait_port "$slow2"

self_signed_pem

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; } # KiB
java_heap() { # KiB of heap in use after a full GC (all generations)
  jcmd "$1" GC.run > /dev/null
  jcmd "$1" GC.heap_info | grep -oE 'used [0-9]+K' | tr -d K | awk '{s += $2} END {print s + 0}'
}
java_other() { # KiB committed in Native Memory Tracking's "Other" (direct buffers)
  jcmd "$1" VM.native_memory summary | grep -E '^ *- +Other \(' | grep -oE 'committed=[0-9]+KB' | tr -dc 0-9
}
established() { ss -Htn state established "( sport = :$1 )" | wc -l; }
upstream_held() { echo $(( $(established "$slow") + $(established "$slow2") )); }

# sample NAME STATE PID PORT: appends "NAME STATE connections rss heap other" to $work/memory.txt; for the
# in-flight states, connections are those the holding upstream has
sample() {
  local heap=- other=- count
  if [ "$1" != nginx ]; then heap=$(java_heap "$3"); other=$(java_other "$3"); fi
  case $2 in *inflight) count=$(upstream_held);; *) count=$(established "$4");; esac
  echo "$1 $2 $count $(rss "$3") $heap $other" | tee -a "$work/memory.txt"
}

# hold MODE PORT N: N connections to PORT kept open until the holder is killed (HOLD_PID); MODE is plain
# (one request, answer read), tls (the same over TLS) or inflight (a request to an upstream that never
# answers); returns once all N are open
hold() {
  python3 - "$@" > "$work/hold.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
mode, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
conns = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) # as HTTP clients do
    if mode == "tls":
        s = context.wrap_socket(s, server_hostname="127.0.0.1")
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    if mode != "inflight":
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(4096)
    conns.append(s)
print("held", len(conns), flush=True)
time.sleep(3600)
PY
  HOLD_PID=$!; pids+=($!)
  for _ in $(seq 1 600); do grep -q '^held' "$work/hold.out" && break; sleep 0.2; done
  grep -q '^held' "$work/hold.out" || { echo "holding $1 connections failed:"; cat "$work/hold.out"; exit 1; }
  sleep 2
}

release() { kill "$HOLD_PID" 2>/dev/null || true; wait "$HOLD_PID" 2>/dev/null || true; sleep 3; }

# nginx_state STATE-BEFORE STATE MODE N: a fresh NGINX (one worker: plain and TLS listeners over the two
# upstreams, and one over the holding upstream) measured before and while holding N connections of MODE,
# then stopped (NGINX keeps freed memory for reuse, so each state gets a fresh one)
nginx_state() {
  local before=$1 state=$2 mode=$3 n=$4 plain tls held port
  plain=$(free_port); tls=$(free_port); held=$(free_port)
  { nginx_preamble nginx; cat <<CONF
http {
  access_log off;
  upstream backends { server 127.0.0.1:$UP_A; server 127.0.0.1:$UP_B; keepalive 64; }
  upstream held { server 127.0.0.1:$slow; server 127.0.0.1:$slow2; }
  server {
    listen 127.0.0.1:$plain;
    listen 127.0.0.1:$tls ssl http2;
$(nginx_tls)
$(nginx_proxy_location)
  }
  server {
    listen 127.0.0.1:$held;
    location / { proxy_pass http://held; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  } > "$work/nginx.conf"
  run_nginx nginx "$PROXY_CORE" "$plain" "$tls" "$held"
  case $mode in plain) port=$plain;; tls) port=$tls;; inflight) port=$held;; esac
  sample nginx "$before" "$STARTED_PID" "$port"
  hold "$mode" "$port" "$n"; sample nginx "$state" "$STARTED_PID" "$port"; release
  kill "$(cat "$work/nginx.pid")"; sleep 1
}

: > "$work/memory.txt"
nginx_state start idle plain "$IDLE"
nginx_state before-tls idle-tls tls "$IDLE"
nginx_state before-inflight inflight inflight "$INFLIGHT"

# edge NAME OPTS ENGINE: one bench server over the two upstreams (plain and TLS) and one over the holding
# upstream, measured one after the other
edge() {
  local name=$1 opts=$2 engine=$3 plain tls slowport pid
  plain=$(free_port); tls=$(free_port)
  JAVA_OPTS="$opts -XX:NativeMemoryTracking=summary" start_java_server "$work/$name.out" "$plain" \
      -jar "$jar" --tls-port "$tls" --tls-engine "$engine"
  pid=$STARTED_PID; wait_port "$tls"
  sample "$name" start "$pid" "$plain"
  hold plain "$plain" "$IDLE"; sample "$name" idle "$pid" "$plain"; release
  sample "$name" before-tls "$pid" "$tls"
  hold tls "$tls" "$IDLE"; sample "$name" idle-tls "$pid" "$tls"; release
  kill "$pid"; wait "$pid" 2>/dev/null || true
  slowport=$(free_port)
  local up_a=$UP_A up_b=$UP_B
  UP_A=$slow; UP_B=$slow2
  JAVA_OPTS="$opts -XX:NativeMemoryTracking=summary" start_java_server "$work/$name-held.out" "$slowport" \
      -jar "$jar"
  UP_A=$up_a; UP_B=$up_b
  pid=$STARTED_PID
  sample "$name" before-inflight "$pid" "$slowport"
  hold inflight "$slowport" "$INFLIGHT"; sample "$name" inflight "$pid" "$slowport"
  release
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
edge edge "$DEFAULT_OPTS" jdk
edge native "$DEFAULT_OPTS" native
edge small "$SMALL_OPTS" native

{
  echo "# Memory per connection and per request in flight"
  echo
  echo "\`benchmarks/load/memory.sh\` (IDLE=$IDLE, INFLIGHT=$INFLIGHT), $(date -u +%Y-%m-%d): NGINX $(nginx -v 2>&1 | sed 's/.*\///')"
  echo "(one worker, TLS by OpenSSL, EC P-256) and the bench server (one IO thread) with the load script's flags"
  echo "(\`$DEFAULT_OPTS\`), TLS by the JDK (edge) or BoringSSL (native), and with the small-footprint"
  echo "flags and BoringSSL (small: \`$SMALL_OPTS\`), all with \`-XX:NativeMemoryTracking=summary\`."
  echo "Heap: in use after a full GC. Other: NMT's \"Other\", where direct buffers live (BoringSSL's own"
  echo "allocations show in RSS only). Per-connection figures: the change from the state before, divided by"
  echo "the connections counted (ss); in flight: a request forwarded to an upstream that does not answer,"
  echo "counted at that upstream."
  echo
  python3 - "$work/memory.txt" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, state, conns, rss, heap, other = line.split()
    rows.setdefault(name, {})[state] = (int(conns), int(rss), heap, other)
def mib(kib): return f"{int(kib) / 1024:.0f}"
def per(name, before, after, column):
    b, a = rows[name][before], rows[name][after]
    if a[column] == "-": return "-"
    n = max(a[0] - b[0], 1)
    return f"{(int(a[column]) - int(b[column])) / n:.1f}"
names = [n for n in ("nginx", "edge", "native", "small") if n in rows]
print("| | " + " | ".join(names) + " |")
print("| --- |" + " ---: |" * len(names))
def line(label, f): print(f"| {label} | " + " | ".join(f(n) for n in names) + " |")
line("RSS at rest, MiB", lambda n: mib(rows[n]["start"][1]))
line("heap after GC at rest, MiB", lambda n: "-" if rows[n]["start"][2] == "-" else mib(rows[n]["start"][2]))
line("Other (direct) at rest, MiB", lambda n: "-" if rows[n]["start"][3] == "-" else mib(rows[n]["start"][3]))
for label, before, state in (("idle connections", "start", "idle"), ("idle TLS connections", "before-tls", "idle-tls"),
                              ("requests in flight", "before-inflight", "inflight")):
    line(f"{label}: held", lambda n: str(rows[n][state][0] - rows[n][before][0]))
    line(f"{label}: RSS, MiB", lambda n: mib(rows[n][state][1]))
    line(f"per one: RSS KiB", lambda n: per(n, before, state, 1))
    line(f"per one: heap KiB", lambda n: per(n, before, state, 2))
    line(f"per one: Other KiB", lambda n: per(n, before, state, 3))
PY
} > "$results/MEMORY.md"
cat "$results/MEMORY.md"
