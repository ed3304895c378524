# Shared by run.sh, ab.sh and floor.sh (sourced, not run): tools, ports, and the two loopback NGINX
# upstreams that every contender stands in front of, starting a JVM bench server or NGINX in front of
# them, and measuring one with wrk. The caller sets `work` (a scratch folder), `LOAD_CORE`, `PROXY_CORE`
# and `CONNECTIONS`, and calls start_cleanup before it starts anything.

# need_commands CMD:PACKAGE ...: installs from Debian the packages of the commands that are missing
need_commands() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 did not open" >&2; return 1
}

# nginx_preamble NAME: the settings every NGINX here shares (one worker in the foreground, its pid and
# error log in $work named after NAME)
nginx_preamble() {
  cat <<CONF
worker_processes 1;
daemon off;
pid $work/$1.pid;
error_log $work/$1.err warn;
events { worker_connections ${WORKER_CONNECTIONS:-4096}; }
CONF
}

# start_cleanup: the array `pids`, and a trap that on exit kills them, waits for them and removes `work`
# (kept when KEEP_WORK is set)
start_cleanup() {
  pids=()
  trap cleanup EXIT
}

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}

# start_nginx_static NAME CORE PORT...: one NGINX worker on CORE answering 128 bytes of text/plain with
# keep-alive on each PORT; sets STARTED_PID (the worker)
start_nginx_static() {
  local name=$1 core=$2 body port; shift 2
  body=$(printf 'x%.0s' $(seq 1 128))
  { nginx_preamble "$name"
    echo "http {"
    echo "  access_log off;"
    echo "  keepalive_requests 1000000;"
    for port in "$@"; do
      echo "  server { listen 127.0.0.1:$port; location / { default_type text/plain; return 200 '$body'; } }"
    done
    echo "}"
  } > "$work/$name.conf"
  run_nginx "$name" "$core" "$@"
}

# run_nginx NAME CORE PORT...: starts NGINX with $work/NAME.conf on CORE and waits for each PORT; sets
# STARTED_PID (its one worker, which does the work)
run_nginx() {
  local name=$1 core=$2 port; shift 2
  taskset -c "$core" nginx -c "$work/$name.conf" -p "$work" > /dev/null 2>&1 &
  local master=$!
  pids+=($master)
  for port in "$@"; do wait_port "$port"; done
  STARTED_PID=$(pgrep -P "$master" | head -1)
}

# start_upstreams: the upstreams, on the load core, on two ports; sets UP_A and UP_B
start_upstreams() {
  UP_A=$(free_port); UP_B=$(free_port)
  start_nginx_static upstreams "$LOAD_CORE" "$UP_A" "$UP_B"
}

# start_java_server OUT PORT MAIN-ARGS...: a JVM bench server (the bench server's command line, or one of
# the baseline servers, which take the same arguments) on the proxy core with one IO thread, in front
# of the two upstreams, output to OUT; waits until it prints `ready` (exits if it never does) and sets
# STARTED_PID
start_java_server() {
  local out=$1 port=$2; shift 2
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  taskset -c "$PROXY_CORE" java ${JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseParallelGC} "$@" --port "$port" \
      --upstream 127.0.0.1:$UP_A --upstream 127.0.0.1:$UP_B --io-threads 1 > "$out" 2>&1 &
  STARTED_PID=$!; pids+=($!)
  for _ in $(seq 1 200); do grep -q '^ready' "$out" && break; sleep 0.1; done
  grep -q '^ready' "$out" || { echo "$* did not start:"; cat "$out"; exit 1; }
}

# start_java NAME MAIN-ARGS...: start_java_server on a free port, its output in $work/NAME.out; records
# PID[NAME] and PORT[NAME] (associative arrays the caller declares)
start_java() {
  local name=$1 port; shift
  port=$(free_port)
  start_java_server "$work/$name.out" "$port" "$@"
  PID[$name]=$STARTED_PID; PORT[$name]=$port
}

# bench_jar: sets `jar` to the bench server's jar under `root`, built first when it is missing
bench_jar() {
  jar="$root/benchmarks/target/edge-bench-server.jar"
  if [ ! -f "$jar" ]; then
    (cd "$root" && mvn -B -ntp -q package -DskipTests -pl benchmarks -am)
  fi
}

# nginx_proxy_location: how every NGINX proxy here forwards, to the upstream group `backends` (HTTP/1.1
# keep-alive to the upstreams, X-Forwarded-For), for a server block
nginx_proxy_location() {
  cat <<'CONF'
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
CONF
}

# self_signed_pem: an EC P-256 certificate for 127.0.0.1 in $work/cert.pem, its key in $work/key.pem
self_signed_pem() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" \
      -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
}

# nginx_tls: the TLS settings of every NGINX TLS listener here (self_signed_pem's certificate, TLS 1.3 and
# 1.2, a session cache and NGINX's default 5-minute session timeout), for a server block
nginx_tls() {
  cat <<CONF
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.3 TLSv1.2;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 5m;
CONF
}

# start_nginx_proxy NAME: NGINX as reverse proxy and round-robin balancer over the two upstreams with
# upstream keep-alive, one worker on the proxy core; sets STARTED_PORT and STARTED_PID (the worker,
# which does the proxying)
start_nginx_proxy() {
  local port; port=$(free_port)
  { nginx_preamble "$1"; cat <<CONF
http {
  access_log off;
  upstream backends { server 127.0.0.1:$UP_A; server 127.0.0.1:$UP_B; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
$(nginx_proxy_location)
  }
}
CONF
  } > "$work/$1.conf"
  run_nginx "$1" "$PROXY_CORE" "$port"
  STARTED_PORT=$port
}

# measure_cpu PID PORT SECONDS [WRK-ARGS...]: one wrk run against 127.0.0.1:PORT (https when SCHEME=https); prints
# "req/s cpu_us user_us kernel_us p99_ms", CPU per request from the process's ticks in /proc
measure_cpu() {
  local pid=$1 port=$2 seconds=$3 out u0 s0 u1 s1; shift 3
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(taskset -c "$LOAD_CORE" wrk --latency -t1 -c"$CONNECTIONS" -d"${seconds}s" "$@" "${SCHEME:-http}://127.0.0.1:$port/")
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  python3 - "$out" "$u0" "$s0" "$u1" "$s1" "$(getconf CLK_TCK)" <<'PY'
import re, sys
out, u0, s0, u1, s1, hz = sys.argv[1], *map(int, sys.argv[2:6]), int(sys.argv[6])
n = int(re.search(r"(\d+) requests in", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
p99ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
per = lambda ticks: ticks * 1e6 / hz / max(n, 1)
print(f"{rps:.0f} {per(u1-u0+s1-s0):.2f} {per(u1-u0):.2f} {per(s1-s0):.2f} {p99ms:.2f}")
PY
}

# median_table FILE TITLE: lines "name req/s cpu user kernel p99" (measure_cpu's, named) -> a Markdown
# table of each name's medians, names in the order they first appear
median_table() {
  python3 - "$1" "$2" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, *values = line.split()
    rows[name].append([float(v) for v in values])
print(f"| {sys.argv[2]} | req/s | CPU µs/req | user | kernel | p99 ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name, runs in rows.items():
    med = [statistics.median(column) for column in zip(*runs)]
    print(f"| {name} | {med[0]:.0f} | {med[1]:.2f} | {med[2]:.2f} | {med[3]:.2f} | {med[4]:.2f} |")
PY
}
