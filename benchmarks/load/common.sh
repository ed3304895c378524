# Shared by run.sh and ab.sh (sourced, not run): tools, ports, and the two loopback NGINX upstreams that
# every contender stands in front of, and starting a JVM bench server in front of them. The caller sets
# `work` (a scratch folder), `LOAD_CORE`, `PROXY_CORE` and the array `pids` (processes its cleanup kills).

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
events { worker_connections 4096; }
CONF
}

# start_upstreams: one small NGINX on the load core answering 128 bytes with keep-alive, on two ports;
# sets UP_A and UP_B
start_upstreams() {
  UP_A=$(free_port); UP_B=$(free_port)
  local body
  body=$(printf 'x%.0s' $(seq 1 128))
  { nginx_preamble upstreams; cat <<CONF
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$UP_A; location / { default_type text/plain; return 200 '$body'; } }
  server { listen 127.0.0.1:$UP_B; location / { default_type text/plain; return 200 '$body'; } }
}
CONF
  } > "$work/upstreams.conf"
  taskset -c "$LOAD_CORE" nginx -c "$work/upstreams.conf" -p "$work" > /dev/null 2>&1 &
  pids+=($!)
  wait_port "$UP_A"; wait_port "$UP_B"
}

# start_java_server OUT PORT MAIN-ARGS...: a JVM bench server (the bench server's command line, or
# Undertow's ProxyHandler, which takes the same arguments) on the proxy core with one IO thread, in front
# of the two upstreams, output to OUT; waits until it prints `ready` (exits if it never does) and sets
# STARTED_PID
start_java_server() {
  local out=$1 port=$2; shift 2
  taskset -c "$PROXY_CORE" java -Xms256m -Xmx256m -XX:+UseParallelGC "$@" --port "$port" \
      --upstream 127.0.0.1:$UP_A --upstream 127.0.0.1:$UP_B --io-threads 1 > "$out" 2>&1 &
  STARTED_PID=$!; pids+=($!)
  for _ in $(seq 1 200); do grep -q '^ready' "$out" && break; sleep 0.1; done
  grep -q '^ready' "$out" || { echo "$* did not start:"; cat "$out"; exit 1; }
}
