#!/usr/bin/env python3
"""Turns the raw lines of run.sh into RESULTS.md, results.json and chart.svg (standard library only)."""
import json
import re
import statistics
import sys
from collections import defaultdict

raw_path, out_dir, rounds, duration, connections = sys.argv[1:6]
warmup, jvm_warmup = (sys.argv[6:8] + ["?", "?"])[:2]
NAMES = ["direct", "edgekit", "edgekit-filters", "nginx", "haproxy", "undertow-proxy"]
LABELS = {
    "direct": "upstreams directly (no proxy)",
    "edgekit": "Edgekit (reverse proxy + round robin)",
    "edgekit-filters": "Edgekit + reverse-proxy filters",
    "nginx": "NGINX 1.22",
    "haproxy": "HAProxy 2.6",
    "undertow-proxy": "Undertow ProxyHandler",
}


def fields(line):
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)} | {
        k: v for k, v in re.findall(r"name=([\w-]+)", line) and [("name", re.search(r"name=([\w-]+)", line).group(1))]}


saturation = defaultdict(list)  # name -> [rounds]
by_round = defaultdict(dict)
paced_rounds = defaultdict(dict)  # round -> name -> one paced run
rss = {}
for line in open(raw_path):
    f = fields(line)
    name = f.get("name")
    if line.startswith("saturation"):
        seconds = f["duration_us"] / 1e6
        row = {
            "round": int(f["round"]),
            "rps": f["requests"] / seconds,
            "p50_ms": f["p50"] / 1000, "p99_ms": f["p99"] / 1000, "p999_ms": f["p999"] / 1000,
            "errors": int(f["errors"] + f["non2xx"]),
            "cpu_us_per_request": (f["cpu_ticks"] / f["hz"] * 1e6 / f["requests"]) if f["requests"] else 0,
        }
        saturation[name].append(row)
        by_round[row["round"]][name] = row
    elif line.startswith("paced"):
        paced_rounds[int(f.get("round", 1))][name] = {
            "rate": f["rate"], "achieved_rps": f["requests"] / (f["duration_us"] / 1e6),
            "p50_ms": f["p50"] / 1000, "p99_ms": f["p99"] / 1000,
            "p999_ms": f["p999"] / 1000, "errors": int(f["errors"] + f["non2xx"])}
    elif line.startswith("rss"):
        rss[name] = f["kb"] / 1024

for r, row in by_round.items():
    base = row.get("nginx")
    for name, value in row.items():
        value["rps_vs_nginx"] = value["rps"] / base["rps"] if base and base["rps"] else None

summary = {}
for name in NAMES:
    rows = saturation.get(name, [])
    if not rows:
        continue
    med = lambda key: statistics.median([r[key] for r in rows if r.get(key) is not None]) if rows else None
    summary[name] = {
        "rps": med("rps"), "rps_vs_nginx": med("rps_vs_nginx"),
        "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "p999_ms": med("p999_ms"),
        "cpu_us_per_request": med("cpu_us_per_request") if name != "direct" else None,
        "errors": sum(r["errors"] for r in rows),
        "peak_rss_mb": rss.get(name) if name != "direct" else None,
        "rounds": rows,
    }
# fixed rate: each round's added latency is over the upstreams reached directly in that round; the
# report gives each contender's medians over the rounds
for row in paced_rounds.values():
    direct_run = row.get("direct")
    for p in row.values():
        if direct_run:
            p["added_p50_ms"] = p["p50_ms"] - direct_run["p50_ms"]
            p["added_p99_ms"] = p["p99_ms"] - direct_run["p99_ms"]
paced = {}
for name in NAMES:
    runs = [row[name] for _, row in sorted(paced_rounds.items()) if name in row]
    if not runs:
        continue
    med = lambda key: statistics.median([r[key] for r in runs if r.get(key) is not None]) \
        if any(r.get(key) is not None for r in runs) else None
    paced[name] = {"rate": runs[0]["rate"], "achieved_rps": med("achieved_rps"), "p50_ms": med("p50_ms"),
                   "p99_ms": med("p99_ms"), "p999_ms": med("p999_ms"), "added_p50_ms": med("added_p50_ms"),
                   "added_p99_ms": med("added_p99_ms"), "errors": sum(r["errors"] for r in runs),
                   "rounds": runs}

with open(f"{out_dir}/results.json", "w") as out:
    json.dump({"rounds": int(rounds), "duration_s": int(duration), "connections": int(connections),
               "saturation": summary, "fixed_rate": paced}, out, indent=2)


def fmt(value, pattern="{:.2f}"):
    return "-" if value is None else pattern.format(value)


lines = [
    "# End-to-end load results",
    "",
    f"`benchmarks/load/run.sh`: wrk, 1 thread, {connections} connections, {duration} s per run, {rounds} rounds "
    "with the contenders interleaved (order rotated each round); every proxy on one IO thread pinned to one "
    "core, wrk and the two NGINX upstreams (128-byte bodies, keep-alive) on the other core. Medians over "
    f"rounds; the ratio is to NGINX in the same round. Warm-up before the rounds: {jvm_warmup} s of the same load "
    f"for the JVM contenders (their JIT compilers settle in about half a minute), 2 x {warmup} s for the others.",
    "",
    "What each proxy adds to a request: NGINX, HAProxy and Edgekit `X-Forwarded-For` (Edgekit also removes the "
    "forwarding fields a client sends); Edgekit with its reverse-proxy filters every forwarding field "
    "(`X-Forwarded-Proto`, `-Host`, `-Port`, `Forwarded`) and `X-Request-Id` both ways, hides topology headers "
    "and adds a response header; Undertow's ProxyHandler `X-Forwarded-For`, `-Proto`, `-Host`, `-Port` "
    "and `-Server`.",
    "",
    "## Saturation",
    "",
    "| contender | req/s | vs NGINX | p50 ms | p99 ms | p99.9 ms | CPU µs/request | peak RSS MB | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for name in NAMES:
    s = summary.get(name)
    if not s:
        continue
    lines.append(f"| {LABELS[name]} | {s['rps']:.0f} | {fmt(s['rps_vs_nginx'], '{:.2f}x')} | {s['p50_ms']:.2f} | "
                 f"{s['p99_ms']:.2f} | {s['p999_ms']:.2f} | {fmt(s['cpu_us_per_request'], '{:.1f}')} | "
                 f"{fmt(s['peak_rss_mb'], '{:.0f}')} | {s['errors']} |")
if paced:
    rate = next(iter(paced.values()))["rate"]
    lines += ["", f"## Fixed rate: paced at about {rate:.0f} req/s (half of NGINX's saturation)", "",
              f"Medians over {len(paced_rounds)} round{'' if len(paced_rounds) == 1 else 's'}, interleaved like the saturation runs. wrk paces each "
              "connection in whole milliseconds, so the rate each contender achieved is shown; added latency is "
              "over the upstreams reached directly at the same pacing in the same round.", "",
              "| contender | achieved req/s | p50 ms | p99 ms | p99.9 ms | added p50 ms | added p99 ms | errors |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in NAMES:
        p = paced.get(name)
        if p:
            lines.append(f"| {LABELS[name]} | {p['achieved_rps']:.0f} | {p['p50_ms']:.2f} | {p['p99_ms']:.2f} | "
                         f"{p['p999_ms']:.2f} | "
                         f"{fmt(p.get('added_p50_ms'))} | {fmt(p.get('added_p99_ms'))} | {p['errors']} |")
if paced:
    named = [n for n in NAMES if n in paced and n != "direct"]
    lines += ["", "Added p99 (ms) per round:", "", "| round | " + " | ".join(named) + " |",
              "| ---: | " + " | ".join("---:" for _ in named) + " |"]
    for r in sorted(paced_rounds):
        lines.append(f"| {r} | " + " | ".join(fmt(paced_rounds[r].get(n, {}).get("added_p99_ms"))
                                              for n in named) + " |")
lines += ["", "Saturation req/s per round:", "", "| round | " + " | ".join(n for n in NAMES if n in summary) + " |",
          "| ---: | " + " | ".join("---:" for n in NAMES if n in summary) + " |"]
for r in sorted(by_round):
    lines.append(f"| {r} | " + " | ".join(f"{by_round[r][n]['rps']:.0f}" if n in by_round[r] else "-"
                                          for n in NAMES if n in summary) + " |")
open(f"{out_dir}/RESULTS.md", "w").write("\n".join(lines) + "\n")

# a horizontal bar chart of median req/s
names = [n for n in NAMES if n in summary]
top = max(summary[n]["rps"] for n in names) or 1
width, bar_h, gap, left = 760, 26, 12, 270
height = 60 + len(names) * (bar_h + gap)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
       f'<text x="10" y="24" font-size="15" font-weight="bold">Median req/s, one proxy core, wrk -c{connections}</text>']
for i, n in enumerate(names):
    y = 44 + i * (bar_h + gap)
    w = (width - left - 90) * summary[n]["rps"] / top
    color = "#2b7bb9" if n.startswith("edgekit") else "#999999"
    svg.append(f'<text x="10" y="{y + 18}">{LABELS[n]}</text>')
    svg.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
    svg.append(f'<text x="{left + w + 6:.1f}" y="{y + 18}">{summary[n]["rps"]:.0f}</text>')
svg.append("</svg>")
open(f"{out_dir}/chart.svg", "w").write("\n".join(svg) + "\n")
print("\n".join(lines))
