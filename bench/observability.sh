#!/usr/bin/env bash
# What the gateway's meters and usage records cost: the same gateway with observability on
# and off, measured alternately (on, off, on, off) in one run so that drift hits both alike.
#
#   bench/observability.sh            # 15 s per measurement
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
SIM_PORT=19381 ISSUER_PORT=19380 ON_PORT=19382 OFF_PORT=19383 KEY=bench-key
mkdir -p bench/results
log=bench/results/observability-$(date -u +%Y%m%dT%H%M%SZ).log
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
. bench/test-tools.sh
jar=$(gateway_jar)

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
tools=$(test_tools_classpath)
java -cp "$tools" io.aoaigateway.simulator.SimulatorMain --name=bench-sim --port=$SIM_PORT \
  --api-key=$KEY --deployments=gpt-4o >>"$log" 2>&1 & pids+=($!)
java -cp "$tools" io.aoaigateway.local.LocalTokenIssuer --port=$ISSUER_PORT >>"$log" 2>&1 & pids+=($!)
args=(--logging.level.root=warn --logging.level.aoai.usage=info
  --aoai.routing.backends[0].name=bench-sim --aoai.routing.backends[0].url=http://127.0.0.1:$SIM_PORT
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o
  --aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys)
java -jar "$jar" --server.port=$ON_PORT "${args[@]}" >>"$log" 2>&1 & pids+=($!)
java -jar "$jar" --server.port=$OFF_PORT "${args[@]}" --aoai.observability.enabled=false >>"$log" 2>&1 & pids+=($!)
for port in $ISSUER_PORT $ON_PORT $OFF_PORT; do
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
token=$(curl -s "http://127.0.0.1:$ISSUER_PORT/token?sub=bench")
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
wrk.headers["Content-Type"] = "application/json"
LUA
url() { echo "http://127.0.0.1:$1/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"; }
run() { # port connections -> "p50_ms rps"
  wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"$DURATION" --latency -s "$lua" -H "Authorization: Bearer $token" "$(url "$1")" | tee -a "$log" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1=="50%" {p50=ms($2)} /Requests\/sec/ {rps=$2} END {printf "%.3f %.0f\n", p50, rps}'
}
for port in $ON_PORT $OFF_PORT; do run $port 8 >/dev/null; done
echo "| round | on: p50 c=1 (ms) | off: p50 c=1 (ms) | on: req/s c=64 | off: req/s c=64 |"
echo "|---|---|---|---|---|"
for round in 1 2; do
  read -r on1 _ < <(run $ON_PORT 1); read -r off1 _ < <(run $OFF_PORT 1)
  read -r _ on64 < <(run $ON_PORT 64); read -r _ off64 < <(run $OFF_PORT 64)
  echo "| $round | $on1 | $off1 | $on64 | $off64 |"
done
echo
echo "Usage records written by the 'on' gateway: $(grep -c '"requestId"' "$log" || true)"
