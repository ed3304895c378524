#!/usr/bin/env bash
# A/B of bench-server builds: each jar runs `edge-bench-server.jar` (its documented command line) on the
# proxy core at the same time, in front of the same two loopback NGINX upstreams, and wrk measures them
# alternately, round after round. Prints, per jar, the median req/s, CPU µs per request (user and
# kernel, from /proc) and p99 over the rounds. For checking what one change does to the forwarding path.
#
#   benchmarks/load/ab.sh before.jar after.jar [more.jar ...]
#   ROUNDS=6 DURATION=6 benchmarks/load/ab.sh before.jar after.jar
#
# Build a jar of an earlier commit with: git worktree add /tmp/old REV && (cd /tmp/old &&
#   mvn -B -ntp -q package -DskipTests -pl benchmarks -am) && cp /tmp/old/benchmarks/target/edge-bench-server.jar before.jar
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 A.jar B.jar [C.jar ...]" >&2; exit 2; }
for jar in "$@"; do [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }; done
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-50}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
need_commands wrk:wrk nginx:nginx-light taskset:util-linux
work=$(mktemp -d /tmp/edgekit-ab.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start_upstreams

names=(); ports=(); jpids=()
i=0
for jar in "$@"; do
  name="$(basename "$jar" .jar)#$i"
  port=$(free_port)
  start_java_server "$work/$i.out" "$port" -jar "$jar"
  jpids+=($STARTED_PID); names+=("$name"); ports+=("$port")
  i=$((i + 1))
done

measure() { # index seconds -> "req/s cpu_us user_us sys_us p99_ms"
  local pid=${jpids[$1]} port=${ports[$1]} out u0 s0 u1 s1
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(taskset -c "$LOAD_CORE" wrk --latency -t1 -c"$CONNECTIONS" -d"$2s" "http://127.0.0.1:$port/")
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

for i in "${!names[@]}"; do measure "$i" 5 > /dev/null; measure "$i" 5 > /dev/null; done # warm up (JIT)
: > "$work/ab.txt"
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!names[@]}"; do
    echo "${names[$i]} $(measure "$i" "$DURATION")" | tee -a "$work/ab.txt"
  done
done
echo
python3 - "$work/ab.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, *values = line.split()
    rows[name].append([float(v) for v in values])
print("| jar | req/s | CPU µs/req | user | kernel | p99 ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name, runs in rows.items():
    med = [statistics.median(column) for column in zip(*runs)]
    print(f"| {name} | {med[0]:.0f} | {med[1]:.2f} | {med[2]:.2f} | {med[3]:.2f} | {med[4]:.2f} |")
PY
