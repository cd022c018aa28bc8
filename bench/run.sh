#!/usr/bin/env bash
# Measures what the gateway adds to a call, against a direct call to the same simulated backend
# in the same run: non-streaming chat, added latency p50/p99 at concurrency 1, throughput at 64.
#
#   bench/run.sh                 # 20 s per measurement
#   DURATION=60s bench/run.sh    # longer runs
#
# Writes bench/results/<timestamp>.md; copy the table into docs/benchmarks.md.
# What observability costs is measured apart, by bench/observability.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-15s}
SIM_PORT=${SIM_PORT:-18281}
ISSUER_PORT=${ISSUER_PORT:-18280}
GATEWAY_PORT=${GATEWAY_PORT:-18282}
QUOTA_PORT=${QUOTA_PORT:-18283}
FAILOVER_PORT=${FAILOVER_PORT:-18284}
STORM_PORT=${STORM_PORT:-18285}
STORM_RATE=${STORM_RATE:-0.5}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
KEY=bench-key
results=bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/$stamp.md"
log="$results/$stamp.log"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
jar=$(ls target/aoai-gateway-*.jar 2>/dev/null | grep -v plain | head -1 || true)
if [ -z "$jar" ]; then
  ./mvnw -q -B -DskipTests package
  jar=$(ls target/aoai-gateway-*.jar | head -1)
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

launcher=org.springframework.boot.loader.launch.PropertiesLauncher
java -Dloader.main=io.aoaigateway.simulator.SimulatorMain -cp "$jar" $launcher \
  --name=bench-sim --port=$SIM_PORT --api-key=$KEY --deployments=gpt-4o --stream-chunks=8 --stream-pace=0ms \
  >>"$log" 2>&1 & pids+=($!)
# The 429 storm: a backend that throttles a share of its calls, in front of a healthy one.
java -Dloader.main=io.aoaigateway.simulator.SimulatorMain -cp "$jar" $launcher \
  --name=bench-storm --port=$STORM_PORT --api-key=$KEY --deployments=gpt-4o --stream-chunks=8 --stream-pace=0ms \
  --throttle-rate=$STORM_RATE >>"$log" 2>&1 & pids+=($!)
java -Dloader.main=io.aoaigateway.local.LocalTokenIssuer -cp "$jar" $launcher --port=$ISSUER_PORT >>"$log" 2>&1 & pids+=($!)
# Usage records are written (to the log file) as in production.
gateway_args=(--logging.level.aoai.usage=info --aoai.routing.backends[0].name=bench-sim --aoai.routing.backends[0].url=http://127.0.0.1:$SIM_PORT
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o
  --aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys --logging.level.root=warn)
java ${GATEWAY_JAVA_OPTS:-} -jar "$jar" --server.port=$GATEWAY_PORT "${gateway_args[@]}" >>"$log" 2>&1 & pids+=($!)
# Limits far above what the run spends: every call is admitted, so the figures show the
# cost of reserving and settling in Redis, not of refusals.
java ${GATEWAY_JAVA_OPTS:-} -jar "$jar" --server.port=$QUOTA_PORT "${gateway_args[@]}" \
  --aoai.state.store=redis --spring.data.redis.url=$REDIS_URL --aoai.state.key-prefix="aoai-bench:$stamp:" \
  --aoai.quota.policies[0].name=user-default --aoai.quota.policies[0].scope=user \
  --aoai.quota.policies[0].tokens-per-minute=1000000000 --aoai.quota.policies[0].tokens-per-day=100000000000 \
  >>"$log" 2>&1 & pids+=($!)
auth_args=(--aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys --logging.level.root=warn)
java ${GATEWAY_JAVA_OPTS:-} -jar "$jar" --server.port=$FAILOVER_PORT "${auth_args[@]}" \
  --aoai.routing.backends[0].name=bench-storm --aoai.routing.backends[0].url=http://127.0.0.1:$STORM_PORT \
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o \
  --aoai.routing.backends[0].priority=0 \
  --aoai.routing.backends[1].name=bench-sim --aoai.routing.backends[1].url=http://127.0.0.1:$SIM_PORT \
  --aoai.routing.backends[1].api-key=$KEY --aoai.routing.backends[1].deployments=gpt-4o \
  --aoai.routing.backends[1].priority=1 >>"$log" 2>&1 & pids+=($!)

wait_for() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }
wait_for "http://127.0.0.1:$ISSUER_PORT/keys"
wait_for "http://127.0.0.1:$GATEWAY_PORT/actuator/health"
wait_for "http://127.0.0.1:$QUOTA_PORT/actuator/health"
wait_for "http://127.0.0.1:$FAILOVER_PORT/actuator/health"
token=$(curl -s "http://127.0.0.1:$ISSUER_PORT/token?sub=bench")

chat_path='/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
wrk.headers["Content-Type"] = "application/json"
LUA

direct=(-H "api-key: $KEY" "http://127.0.0.1:$SIM_PORT$chat_path")
gateway=(-H "Authorization: Bearer $token" "http://127.0.0.1:$GATEWAY_PORT$chat_path")
quota=(-H "Authorization: Bearer $token" "http://127.0.0.1:$QUOTA_PORT$chat_path")
storm=(-H "api-key: $KEY" "http://127.0.0.1:$STORM_PORT$chat_path")
failover=(-H "Authorization: Bearer $token" "http://127.0.0.1:$FAILOVER_PORT$chat_path")
# Both answer 200 before measuring, or the figures would describe errors.
for target in direct gateway quota failover; do
  declare -n args=$target
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"hi"}]}' "${args[@]}")
  [ "$code" = 200 ] || { echo "$target answered $code" >&2; exit 1; }
done

run() { # name connections threads -> "p50_ms p99_ms rps non2xx total"
  local -n a=$1
  local raw
  raw=$(wrk -t"$3" -c"$2" -d"$DURATION" --latency -s "$lua" "${a[@]}")
  echo "$raw" >>"$log"
  echo "$raw" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1=="50.000%" || $1=="50%" {p50=ms($2)} $1=="99.000%" || $1=="99%" {p99=ms($2)}
    /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF} / requests in / {total=$1}
    END {printf "%.3f %.3f %.0f %d %d\n", p50, p99, rps, bad+0, total+0}'
}

echo "warming up ($WARMUP each)..." >&2
DURATION=$WARMUP run direct 8 2 >/dev/null
DURATION=$WARMUP run gateway 8 2 >/dev/null
DURATION=$WARMUP run quota 8 2 >/dev/null
DURATION=$WARMUP run failover 8 2 >/dev/null

read -r d1_p50 d1_p99 d1_rps d1_bad _ < <(run direct 1 1)
read -r g1_p50 g1_p99 g1_rps g1_bad _ < <(run gateway 1 1)
read -r d64_p50 d64_p99 d64_rps d64_bad _ < <(run direct 64 2)
read -r g64_p50 g64_p99 g64_rps g64_bad _ < <(run gateway 64 2)
read -r q1_p50 q1_p99 q1_rps q1_bad _ < <(run quota 1 1)
read -r q64_p50 q64_p99 q64_rps q64_bad _ < <(run quota 64 2)
read -r s1_p50 s1_p99 s1_rps s1_bad s1_total < <(run storm 1 1)
read -r f1_p50 f1_p99 f1_rps f1_bad f1_total < <(run failover 1 1)
read -r f64_p50 f64_p99 f64_rps f64_bad f64_total < <(run failover 64 2)
rss_kb=$(ps -o rss= -p "${pids[2]}" | tr -d ' ')
quota_used=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$QUOTA_PORT/gateway/quota" | grep -o '"used":[0-9]*' | sed -n 2p)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
success() { awk -v bad="$1" -v total="$2" 'BEGIN { if (total > 0) printf "%.2f %%", 100 * (total - bad) / total; else print "n/a" }'; }
diff() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
{
  echo "## Non-streaming chat, $stamp"
  echo
  echo "Command: \`bench/run.sh\` (DURATION=$DURATION, warm-up $WARMUP per target). Machine: $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "The simulator, the token issuer, the gateway and wrk share the machine. JWT validation on."
  echo
  echo "| measurement | direct | through the gateway | added | gateway / direct |"
  echo "|---|---|---|---|---|"
  echo "| p50 latency, concurrency 1 (ms) | $d1_p50 | $g1_p50 | $(diff "$g1_p50" "$d1_p50") | $(ratio "$g1_p50" "$d1_p50") |"
  echo "| p99 latency, concurrency 1 (ms) | $d1_p99 | $g1_p99 | $(diff "$g1_p99" "$d1_p99") | $(ratio "$g1_p99" "$d1_p99") |"
  echo "| throughput, concurrency 64 (req/s) | $d64_rps | $g64_rps | | $(ratio "$g64_rps" "$d64_rps") |"
  echo "| p99 latency, concurrency 64 (ms) | $d64_p99 | $g64_p99 | $(diff "$g64_p99" "$d64_p99") | $(ratio "$g64_p99" "$d64_p99") |"
  echo "| non-2xx answers (c=1 / c=64) | $d1_bad / $d64_bad | $g1_bad / $g64_bad | | |"
  echo
  echo "Gateway RSS after the run: $((rss_kb / 1024)) MiB."
  echo
  echo "### With per-user token quotas in Redis ($REDIS_URL)"
  echo
  echo "| measurement | gateway | gateway + quotas | quota cost | (gateway + quotas) / direct |"
  echo "|---|---|---|---|---|"
  echo "| p50 latency, concurrency 1 (ms) | $g1_p50 | $q1_p50 | $(diff "$q1_p50" "$g1_p50") | $(ratio "$q1_p50" "$d1_p50") |"
  echo "| p99 latency, concurrency 1 (ms) | $g1_p99 | $q1_p99 | $(diff "$q1_p99" "$g1_p99") | $(ratio "$q1_p99" "$d1_p99") |"
  echo "| throughput, concurrency 64 (req/s) | $g64_rps | $q64_rps | | $(ratio "$q64_rps" "$d64_rps") |"
  echo "| p99 latency, concurrency 64 (ms) | $g64_p99 | $q64_p99 | $(diff "$q64_p99" "$g64_p99") | $(ratio "$q64_p99" "$d64_p99") |"
  echo "| non-2xx answers (c=1 / c=64) | $g1_bad / $g64_bad | $q1_bad / $q64_bad | | |"
  echo
  echo "Tokens charged to the benchmark user today (a check that quotas were on): $quota_used."
  echo
  echo "### 429 storm: a backend throttling a share $STORM_RATE of its calls (retry-after 1 s), a healthy one behind it"
  echo
  echo "| measurement | storm backend direct | gateway (no storm) | gateway with failover in the storm | failover cost |"
  echo "|---|---|---|---|---|"
  echo "| success rate, concurrency 1 | $(success "$s1_bad" "$s1_total") | | $(success "$f1_bad" "$f1_total") | |"
  echo "| success rate, concurrency 64 | | | $(success "$f64_bad" "$f64_total") | |"
  echo "| p50 latency, concurrency 1 (ms) | $s1_p50 | $g1_p50 | $f1_p50 | $(diff "$f1_p50" "$g1_p50") |"
  echo "| p99 latency, concurrency 1 (ms) | $s1_p99 | $g1_p99 | $f1_p99 | $(diff "$f1_p99" "$g1_p99") |"
  echo "| throughput, concurrency 64 (req/s) | | $g64_rps | $f64_rps | |"
} | tee "$out"
