#!/usr/bin/env bash
# A/B of bench-server builds: each jar runs `edge-bench-server.jar` (its documented command line) on the
# proxy core at the same time, in front of the same two loopback NGINX upstreams, and wrk measures them
# alternately, round after round. Prints, per jar, the median req/s, CPU µs per request (user and
# kernel, from /proc) and p99 over the rounds. For checking what one change does to the forwarding path.
#
#   benchmarks/load/ab.sh before.jar after.jar [more.jar ...]
#   ROUNDS=6 DURATION=6 benchmarks/load/ab.sh before.jar after.jar
#   JAVA_OPTS="-Xmx64m ..." benchmarks/load/ab.sh a.jar b.jar   (JVM flags; -Xms256m -Xmx256m -XX:+UseParallelGC by default)
#   benchmarks/load/ab.sh before.jar after.jar after.jar,--count-events   (a jar with options of its own)
#   benchmarks/load/ab.sh after.jar after.jar,--gateway   (the gateway lane prints a token; every lane sends it)
#
# Build a jar of an earlier commit with: git worktree add /tmp/old REV && (cd /tmp/old &&
#   mvn -B -ntp -q package -DskipTests -pl benchmarks -am) && cp /tmp/old/benchmarks/target/edge-bench-server.jar before.jar
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 A.jar B.jar [C.jar ...]" >&2; exit 2; }
for spec in "$@"; do jar=${spec%%,*}; [ -f "$jar" ] || { echo "no such jar: $jar" >&2; exit 2; }; done
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-50}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
need_commands wrk:wrk nginx:nginx-light taskset:util-linux
work=$(mktemp -d /tmp/edgekit-ab.XXXXXX)
start_cleanup
start_upstreams

names=(); ports=(); jpids=(); token=""
i=0
for spec in "$@"; do
  jar=${spec%%,*}
  options=()
  [ "$spec" = "$jar" ] || IFS=, read -r -a options <<< "${spec#*,}"
  name="$(basename "$jar" .jar)"
  [ ${#options[@]} -eq 0 ] || name="$name$(printf '+%s' "${options[@]}")"
  name="$name#$i"
  port=$(free_port)
  start_java_server "$work/$i.out" "$port" -jar "$jar" "${options[@]}"
  jpids+=($STARTED_PID); names+=("$name"); ports+=("$port")
  # a server started with --gateway prints a token: every lane then sends it, so all do the same work
  t=$(sed -n 's/^token //p' "$work/$i.out"); [ -z "$t" ] || token=$t
  i=$((i + 1))
done

measure() { # index seconds -> "req/s cpu_us user_us sys_us p99_ms"
  if [ -n "${token:-}" ]; then
    measure_cpu "${jpids[$1]}" "${ports[$1]}" "$2" -H "Authorization: Bearer $token"
  else
    measure_cpu "${jpids[$1]}" "${ports[$1]}" "$2"
  fi
}

for i in "${!names[@]}"; do measure "$i" 5 > /dev/null; measure "$i" 5 > /dev/null; done # warm up (JIT)
: > "$work/ab.txt"
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!names[@]}"; do
    echo "${names[$i]} $(measure "$i" "$DURATION")" | tee -a "$work/ab.txt"
  done
done
echo
median_table "$work/ab.txt" jar
echo
for i in "${!names[@]}"; do
  echo "${names[$i]}: RSS $(( $(awk '/VmRSS/ {print $2}' "/proc/${jpids[$i]}/status") / 1024 )) MiB after the rounds"
done
