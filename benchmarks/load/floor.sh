#!/usr/bin/env bash
# Where the floor is: how much of the CPU per request that separates Edgekit from NGINX the server
# library costs before any proxying starts. Four processes on the proxy core, one IO thread or worker
# each: NGINX and Undertow answering the upstreams' 128 bytes by themselves, and NGINX and Edgekit (the
# bench server) proxying to the two upstreams. Each is measured with wrk's own Host header (an IP
# literal, 127.0.0.1:port) and with a name (Host: bench.example.com), alternately, round after round.
#
#   benchmarks/load/floor.sh          # about 4 minutes
#   ROUNDS=1 DURATION=3 benchmarks/load/floor.sh
#
# Writes benchmarks/load/results/FLOOR.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results="$here/results"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
. "$here/common.sh"
need_commands wrk:wrk nginx:nginx-light taskset:util-linux
bench_jar
work=$(mktemp -d /tmp/edgekit-floor.XXXXXX)
mkdir -p "$results"
start_cleanup
start_upstreams

declare -A PORT PID
start_java undertow-server -cp "$jar" io.edgekit.benchmarks.proxy.UndertowFloorServer
start_java edgekit-proxy -jar "$jar"

# NGINX answering by itself what the upstreams answer, one worker on the proxy core
port=$(free_port)
start_nginx_static server "$PROXY_CORE" "$port"
PORT[nginx-server]=$port; PID[nginx-server]=$STARTED_PID

start_nginx_proxy nginx-proxy
PORT[nginx-proxy]=$STARTED_PORT; PID[nginx-proxy]=$STARTED_PID

contenders=(nginx-server undertow-server nginx-proxy edgekit-proxy)
NAMED_HOST="Host: bench.example.com"
measure() { # contender host-kind seconds
  if [ "$2" = name ]; then
    measure_cpu "${PID[$1]}" "${PORT[$1]}" "$3" -H "$NAMED_HOST"
  else
    measure_cpu "${PID[$1]}" "${PORT[$1]}" "$3"
  fi
}

echo "warming up (the JVMs 30 s each, NGINX 6 s, both Host kinds)"
for name in "${contenders[@]}"; do
  case "$name" in
    undertow-*|edgekit-*) runs=3 ;;
    *) runs=1 ;;
  esac
  for _ in $(seq 1 "$runs"); do measure "$name" ip 5 >/dev/null; measure "$name" name 5 >/dev/null; done
done

raw="$work/floor.txt"
: > "$raw"
for round in $(seq 1 "$ROUNDS"); do
  for name in "${contenders[@]}"; do
    for host in ip name; do
      echo "$name/$host-host $(measure "$name" "$host" "$DURATION")" | tee -a "$raw"
    done
  done
done

{
  echo "# Where the floor is"
  echo
  echo "\`benchmarks/load/floor.sh\`: wrk, 1 thread, $CONNECTIONS connections, $DURATION s per run, $ROUNDS rounds;"\
       "every process on one IO thread or worker pinned to one core, wrk and the two NGINX upstreams on the"\
       "other. \`*-server\` answer the upstreams' 128 bytes by themselves; \`*-proxy\` forward to the"\
       "upstreams (Edgekit: the bench server, reverse proxy + round robin). \`ip-host\` is wrk's own Host"\
       "(127.0.0.1:port), \`name-host\` sends \`$NAMED_HOST\`. Medians over rounds; CPU is the process's"\
       "user and kernel time per request."
  echo
  median_table "$raw" "process / Host"
  echo
  python3 - "$raw" <<'PY'
import collections, statistics, sys
cpu = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, total, user, kernel, p99 = line.split()
    cpu[name].append((float(total), float(user), float(kernel)))
med = {name: [statistics.median(c) for c in zip(*runs)] for name, runs in cpu.items()}
def gap(a, b):
    return [x - y for x, y in zip(med[a], med[b])]
for host in ("ip-host", "name-host"):
    floor = gap(f"undertow-server/{host}", f"nginx-server/{host}")
    proxy = gap(f"edgekit-proxy/{host}", f"nginx-proxy/{host}")
    share = 100 * floor[0] / proxy[0] if proxy[0] > 0 else float("nan")
    print(f"- {host}: Edgekit's proxy spends {proxy[0]:+.2f} µs per request over NGINX's (user {proxy[1]:+.2f},"
          f" kernel {proxy[2]:+.2f}); Undertow's server alone spends {floor[0]:+.2f} µs over NGINX's (user"
          f" {floor[1]:+.2f}, kernel {floor[2]:+.2f}): {share:.0f} % of the gap is the server library's floor.")
ip_host_cost = med["undertow-server/ip-host"][0] - med["undertow-server/name-host"][0]
print(f"- An IP-literal Host costs Undertow's server {ip_host_cost:+.2f} µs per request over a name"
      " (its Host check runs a regular expression on IP literals).")
PY
} > "$results/FLOOR.md"
echo
cat "$results/FLOOR.md"
