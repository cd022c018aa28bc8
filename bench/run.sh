#!/usr/bin/env bash
# What the gateway adds to a call, in one run, against a backend that is not the bottleneck: nginx
# answering a canned Azure chat completion. Non-streaming chat to five targets:
#
#   direct       wrk -> backend (nginx, canned answer)
#   nginx        wrk -> nginx as a plain reverse proxy -> backend
#   floor        wrk -> bare Spring Cloud Gateway, one route, no filters (bench/floor) -> backend
#   plain        wrk -> our gateway: JWT, in-memory state, metrics, usage records -> backend
#   all-on       wrk -> our gateway: JWT, Redis state store (quotas with huge limits in tokens and money,
#                cooldowns, affinity), priority classes, metrics, usage records -> backend
#
# and, per target: req/s at concurrency 64, p50/p99 at concurrency 1 and what they add over direct,
# p99 at 64, req/s against the floor, bytes allocated per call and RSS (the three JVMs).
# Then the 429 storm: a simulator throttling a share of its calls in front of the healthy backend.
#
#   bench/run.sh                              # 20 s per measurement, 15 s warm-up per target
#   DURATION=60s WARMUP=20s bench/run.sh      # longer runs
#   JFR=1 bench/run.sh                        # also a JFR profile (settings=profile) of each JVM target
#                                             # during its c=64 phase: bench/results/<stamp>-<target>.jfr
#                                             # (the profile costs throughput: compare such runs only
#                                             # with each other)
#   GATEWAY_JAVA_OPTS='-Xmx1g' bench/run.sh   # flags for the three JVM targets and the failover gateway
#                                             # (default -Xmx716m: 70 % of the chart's 1 GiB limit)
#
# Writes bench/results/<stamp>.md (the tables), <stamp>.log (raw wrk output) and <stamp>-<process>.log.
# Needs nginx, wrk (both installed with apt-get when missing) and, for the all-on gateway, Redis: REDIS_URL
# if set, else a redis-server this script starts on a loopback port. What observability costs is measured
# apart, by bench/observability.sh.
#
# Allocation per call: each JVM target runs a JFR recording during its c=64 phase that holds only
# jdk.ThreadAllocationStatistics (period everyChunk: every live thread's cumulative allocated bytes when the
# recording starts and again when it stops; JFR=1 uses the profile settings, which include the same event).
# Bytes allocated in the phase = per thread, last value minus the value at the start (0 for a thread born
# during the phase), summed; divided by the calls wrk completed. The recording is started and stopped with
# jcmd before wrk starts and after it ends, so jcmd's own start-up is outside wrk's window; threads that die
# during the phase are missed (Netty's event loops, which do the work, live on). The same method for all three.
# The figure also holds what the JVM does besides the calls in that window (timers, the recording's own stop,
# about 0.5 MB): nothing over tens of thousands of calls, much over the few calls of a short smoke run.
#
# START_TIMEOUT (default 300 s) bounds the wait for every process to answer; every wrk run is bounded by
# DURATION plus a minute, every jcmd and jfr call too. All processes are ended on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-15s}
JFR=${JFR:-0}
# The production default: MaxRAMPercentage=70 of the chart's 1 GiB limit.
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xmx716m}
ISSUER_PORT=${ISSUER_PORT:-18280}
GATEWAY_PORT=${GATEWAY_PORT:-18282}
ALLON_PORT=${ALLON_PORT:-18283}
FAILOVER_PORT=${FAILOVER_PORT:-18284}
STORM_PORT=${STORM_PORT:-18285}
BACKEND_PORT=${BACKEND_PORT:-18286}
PROXY_PORT=${PROXY_PORT:-18287}
FLOOR_PORT=${FLOOR_PORT:-18288}
REDIS_PORT=${REDIS_PORT:-18289}
STORM_RATE=${STORM_RATE:-0.5}
START_TIMEOUT=${START_TIMEOUT:-300} # seconds for every process to answer
KEY=bench-key
results=bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/$stamp.md"
log="$results/$stamp.log"

install_missing() { # command package
  command -v "$1" >/dev/null && return 0
  if [ -z "${apt_updated:-}" ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq "$2" >/dev/null
}
install_missing wrk wrk
install_missing nginx nginx
nginx_bin=$(command -v nginx)

build() { # pom -> builds offline first, online when the local repository lacks something
  ./mvnw -o -q -B -f "$1" -DskipTests package || ./mvnw -q -B -f "$1" -DskipTests package
}
. bench/test-tools.sh
jar=$(gateway_jar)
floor_jar=$(ls bench/floor/target/bench-floor-*.jar 2>/dev/null | grep -v plain | head -1 || true)
if [ -z "$floor_jar" ]; then
  build bench/floor/pom.xml
  floor_jar=$(ls bench/floor/target/bench-floor-*.jar | grep -v plain | head -1)
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=($ISSUER_PORT $GATEWAY_PORT $ALLON_PORT $FAILOVER_PORT $STORM_PORT $BACKEND_PORT $PROXY_PORT $FLOOR_PORT)
[ -n "${REDIS_URL:-}" ] || ports+=($REDIS_PORT)
for port in "${ports[@]}"; do
  if listening "$port"; then echo "port $port on 127.0.0.1 is taken; set the *_PORT variables" >&2; exit 1; fi
done

work=$(mktemp -d /tmp/aoai-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as an unprivileged user
pids=()
cleanup() {
  end_processes
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The backend: a canned Azure chat completion (with usage, and Azure's rate-limit headers) for the one
# path measured, 401 without the key, 404 elsewhere. The proxy: keep-alive to the backend, nothing else.
body='{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"logprobs":null,"message":{"content":"Hello, benchmark. Nothing to add.","refusal":null,"role":"assistant"}}],"created":1764460800,"id":"chatcmpl-BenchCannedAnswer0000000000000","model":"gpt-4o-2024-11-20","object":"chat.completion","system_fingerprint":"fp_bench","usage":{"completion_tokens":9,"prompt_tokens":24,"total_tokens":33}}'
cat >"$work/nginx.conf" <<NGINX
worker_processes ${NGINX_WORKERS:-auto};
error_log $work/nginx-error.log warn;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/client_body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  server {
    listen 127.0.0.1:$BACKEND_PORT;
    default_type application/json;
    location = /openai/deployments/gpt-4o/chat/completions {
      if (\$http_api_key != "$KEY") {
        return 401 '{"error":{"code":"401","message":"Access denied due to invalid subscription key."}}';
      }
      add_header x-ratelimit-remaining-requests 149;
      add_header x-ratelimit-remaining-tokens 149967;
      add_header apim-request-id \$request_id;
      add_header x-request-id \$request_id;
      return 200 '$body';
    }
    location / {
      return 404 '{"error":{"code":"404","message":"Resource not found"}}';
    }
  }
  upstream bench_backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 128;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://bench_backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
"$nginx_bin" -t -q -p "$work" -c "$work/nginx.conf"
"$nginx_bin" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' >>"$results/$stamp-nginx.log" 2>&1 & pids+=($!)

if [ -z "${REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null || { echo "no redis-server: install it, or set REDIS_URL" >&2; exit 1; }
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --dir "$work" \
    >>"$results/$stamp-redis.log" 2>&1 & pids+=($!)
  REDIS_URL=redis://127.0.0.1:$REDIS_PORT
fi

tools=$(test_tools_classpath)
java -cp "$tools" io.aoaigateway.local.LocalTokenIssuer --port=$ISSUER_PORT \
  >>"$results/$stamp-issuer.log" 2>&1 & pids+=($!)
# The 429 storm: a simulator that throttles a share of its calls, in front of the healthy backend.
java -cp "$tools" io.aoaigateway.simulator.SimulatorMain \
  --name=bench-storm --port=$STORM_PORT --api-key=$KEY --deployments=gpt-4o --stream-chunks=8 --stream-pace=0ms \
  --throttle-rate=$STORM_RATE >>"$results/$stamp-storm.log" 2>&1 & pids+=($!)

java $GATEWAY_JAVA_OPTS -jar "$floor_jar" --server.port=$FLOOR_PORT --floor.backend-url=http://127.0.0.1:$BACKEND_PORT \
  >>"$results/$stamp-floor.log" 2>&1 & pids+=($!)
floor_pid=$!
auth_args=(--aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys --logging.level.root=warn)
# Usage records are written (to the log file) as in production.
gateway_args=("${auth_args[@]}" --logging.level.aoai.usage=info
  --aoai.routing.backends[0].name=bench-backend --aoai.routing.backends[0].url=http://127.0.0.1:$BACKEND_PORT
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o)
java $GATEWAY_JAVA_OPTS -jar "$jar" --server.port=$GATEWAY_PORT "${gateway_args[@]}" \
  >>"$results/$stamp-plain.log" 2>&1 & pids+=($!)
plain_pid=$!
# Everything on: the state (quotas, cooldowns, affinity) in Redis, a money budget next to the token limits,
# and priority classes (the benchmark's token has no role: it runs in batch, the lower class, which is kept
# off the capacity interactive reserves). Limits far above what the run spends: every call is admitted, so
# the figures show the cost of reserving and settling in Redis, not of refusals.
java $GATEWAY_JAVA_OPTS -jar "$jar" --server.port=$ALLON_PORT "${gateway_args[@]}" \
  --aoai.state.store=redis --spring.data.redis.url=$REDIS_URL --aoai.state.key-prefix="aoai-bench:$stamp:" \
  --aoai.quota.policies[0].name=user-default --aoai.quota.policies[0].scope=user \
  --aoai.quota.policies[0].tokens-per-minute=1000000000 --aoai.quota.policies[0].tokens-per-day=100000000000 \
  --aoai.quota.policies[0].cost-per-day=1000000 \
  --aoai.priority.classes[0].name=interactive --aoai.priority.classes[0].reserved-share=30 \
  --aoai.priority.classes[0].max-wait=5s --aoai.priority.classes[1].name=batch \
  --aoai.priority.rules[0].class=interactive --aoai.priority.rules[0].roles=Gateway.Interactive \
  >>"$results/$stamp-allon.log" 2>&1 & pids+=($!)
allon_pid=$!
java $GATEWAY_JAVA_OPTS -jar "$jar" --server.port=$FAILOVER_PORT "${auth_args[@]}" \
  --aoai.routing.backends[0].name=bench-storm --aoai.routing.backends[0].url=http://127.0.0.1:$STORM_PORT \
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o \
  --aoai.routing.backends[0].priority=0 \
  --aoai.routing.backends[1].name=bench-backend --aoai.routing.backends[1].url=http://127.0.0.1:$BACKEND_PORT \
  --aoai.routing.backends[1].api-key=$KEY --aoai.routing.backends[1].deployments=gpt-4o \
  --aoai.routing.backends[1].priority=1 >>"$results/$stamp-failover.log" 2>&1 & pids+=($!)

deadline=$((SECONDS + START_TIMEOUT))
wait_for() { wait_for_answer "$1" "$results/$stamp-*.log"; }
wait_for "http://127.0.0.1:$BACKEND_PORT/"
wait_for "http://127.0.0.1:$PROXY_PORT/"
wait_for "http://127.0.0.1:$ISSUER_PORT/keys"
wait_for "http://127.0.0.1:$STORM_PORT/"
wait_for "http://127.0.0.1:$FLOOR_PORT/"
wait_for "http://127.0.0.1:$GATEWAY_PORT/actuator/health"
wait_for "http://127.0.0.1:$ALLON_PORT/actuator/health"
wait_for "http://127.0.0.1:$FAILOVER_PORT/actuator/health"
token=$(curl -s --max-time 10 "http://127.0.0.1:$ISSUER_PORT/token?sub=bench")

chat_path='/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'
lua="$work/chat.lua"
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
wrk.headers["Content-Type"] = "application/json"
LUA

direct=(-H "api-key: $KEY" "http://127.0.0.1:$BACKEND_PORT$chat_path")
nginx=(-H "api-key: $KEY" "http://127.0.0.1:$PROXY_PORT$chat_path")
floor=(-H "api-key: $KEY" "http://127.0.0.1:$FLOOR_PORT$chat_path")
plain=(-H "Authorization: Bearer $token" "http://127.0.0.1:$GATEWAY_PORT$chat_path")
allon=(-H "Authorization: Bearer $token" "http://127.0.0.1:$ALLON_PORT$chat_path")
storm=(-H "api-key: $KEY" "http://127.0.0.1:$STORM_PORT$chat_path")
failover=(-H "Authorization: Bearer $token" "http://127.0.0.1:$FAILOVER_PORT$chat_path")
targets=(direct nginx floor plain allon)
declare -A pid_of=([floor]=$floor_pid [plain]=$plain_pid [allon]=$allon_pid)
# Every target answers 200 with the usage before measuring, or the figures would describe errors.
for target in "${targets[@]}" failover; do
  declare -n args=$target
  answer=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"hi"}]}' "${args[@]}")
  code=${answer##*$'\n'}
  [ "$code" = 200 ] || { echo "$target answered $code: ${answer%$'\n'*}" >&2; exit 1; }
  [[ $answer == *'"total_tokens"'* ]] || { echo "$target answered without usage: $answer" >&2; exit 1; }
  unset -n args
done

run() { # name connections threads -> "p50_ms p99_ms rps errors total"
  local -n a=$1
  local raw
  raw=$(timeout $(($(seconds "$DURATION") + 60)) wrk -t"$3" -c"$2" -d"$DURATION" --latency -s "$lua" "${a[@]}")
  printf '### %s c=%s\n%s\n' "$1" "$2" "$raw" >>"$log"
  echo "$raw" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1=="50.000%" || $1=="50%" {p50=ms($2)} $1=="99.000%" || $1=="99%" {p99=ms($2)}
    /Requests\/sec/ {rps=$2} /Non-2xx/ {bad+=$NF} / requests in / {total=$1}
    /Socket errors/ {for (i = 3; i <= NF; i++) { v = $i; gsub(/[^0-9]/, "", v); bad += v }}
    END {printf "%.3f %.3f %.0f %d %d\n", p50, p99, rps, bad+0, total+0}'
}
seconds() { # wrk duration (20s, 2m, 1h, 30) -> seconds
  case $1 in *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}

# Allocation, see the header. jfr_start pid name; jfr_stop pid name -> bytes allocated in between.
cat >"$work/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="bench allocation">
  <event name="jdk.ThreadAllocationStatistics">
    <setting name="enabled">true</setting>
    <setting name="period">everyChunk</setting>
  </event>
</configuration>
JFC
jfr_file() { if [ "$JFR" = 1 ]; then echo "$results/$stamp-$1.jfr"; else echo "$work/$1.jfr"; fi; }
jfr_start() {
  local settings="$work/alloc.jfc"
  [ "$JFR" = 1 ] && settings=profile
  timeout 60 jcmd "$1" JFR.start name=bench settings="$settings" >>"$log" 2>&1
}
jfr_stop() {
  timeout 60 jcmd "$1" JFR.stop name=bench filename="$(realpath -m "$(jfr_file "$2")")" >>"$log" 2>&1
  timeout 120 jfr print --json --events jdk.ThreadAllocationStatistics "$(jfr_file "$2")" | awk '
    /"allocated":/ { v = $2; gsub(/[^0-9]/, "", v) }
    /"osThreadId":/ {
      t = $2; gsub(/[^0-9]/, "", t)
      if (t in batch) { b++; delete batch }  # a thread seen again: the next periodic emission
      batch[t] = 1
      if (!(t in first)) { first[t] = v; born[t] = b }
      last[t] = v
    }
    END { for (t in last) s += last[t] - (born[t] == 0 ? first[t] : 0); printf "%.0f\n", s }'
}
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

echo "warming up ($WARMUP each)..." >&2
for target in "${targets[@]}" failover; do
  pid=${pid_of[$target]:-}
  # The first recording of a JVM loads JFR: done here, not in a measured phase.
  [ -z "$pid" ] || jfr_start "$pid"
  DURATION=$WARMUP run $target 8 2 >/dev/null
  [ -z "$pid" ] || jfr_stop "$pid" "warmup-$target" >/dev/null
done
rm -f "$results/$stamp"-warmup-*.jfr

declare -A p50 p99 rps64 p99_64 err1 err64 alloc rss
echo "concurrency 1..." >&2
for target in "${targets[@]}"; do
  read -r p50[$target] p99[$target] _ err1[$target] _ < <(run $target 1 1)
done
echo "concurrency 64..." >&2
for target in "${targets[@]}"; do
  pid=${pid_of[$target]:-}
  [ -z "$pid" ] || jfr_start "$pid"
  read -r _ p99_64[$target] rps64[$target] err64[$target] calls < <(run $target 64 2)
  if [ -n "$pid" ]; then
    bytes=$(jfr_stop "$pid" "$target")
    alloc[$target]=$(awk -v b="$bytes" -v n="$calls" 'BEGIN { if (n > 0) printf "%.0f", b / n; else print "n/a" }')
    rss[$target]=$(rss_mib "$pid")
  fi
done
echo "429 storm..." >&2
read -r s1_p50 s1_p99 _ s1_bad s1_total < <(run storm 1 1)
read -r f1_p50 f1_p99 _ f1_bad f1_total < <(run failover 1 1)
read -r _ _ f64_rps f64_bad f64_total < <(run failover 64 2)
quota_used=$(curl -s --max-time 10 -H "Authorization: Bearer $token" "http://127.0.0.1:$ALLON_PORT/gateway/quota" |
  grep -o '"used":[0-9]*' | sed -n '2s/.*://p' || true)
records() { grep -c '"requestId"' "$results/$stamp-$1.log" || true; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.3f", a - b }'; }
success() { awk -v bad="$1" -v total="$2" 'BEGIN { if (total > 0) printf "%.2f %%", 100 * (total - bad) / total; else print "n/a" }'; }
declare -A label=([direct]="direct (nginx canned answer)" [nginx]="nginx reverse proxy" [floor]="bare SCG floor"
  [plain]="gateway, plain" [allon]="gateway, all on (Redis)")
{
  echo "## Non-streaming chat, $stamp"
  echo
  echo "Command: \`DURATION=$DURATION WARMUP=$WARMUP JFR=$JFR bench/run.sh\` (warm-up per target at c=8)." \
    "Machine: $(nproc) cores, $(java -version 2>&1 | head -1), $("$nginx_bin" -v 2>&1 | sed 's/.*: //')."
  echo "JVM targets started with \`${GATEWAY_JAVA_OPTS}\`. Backend, proxy, JVMs, Redis and wrk share the machine."
  [ "$JFR" = 1 ] && echo "A JFR profile ran in each JVM target during its c=64 phase: its figures there are lower than without."
  echo
  echo "| target | req/s c=64 | / floor | p50 c=1 (ms) | added p50 | p99 c=1 (ms) | added p99 | p99 c=64 (ms) | bytes allocated / call | RSS after c=64 (MiB) | errors c=1 / c=64 |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for t in "${targets[@]}"; do
    echo "| ${label[$t]} | ${rps64[$t]} | $(ratio "${rps64[$t]}" "${rps64[floor]}") | ${p50[$t]} | $(minus "${p50[$t]}" "${p50[direct]}") |" \
      "${p99[$t]} | $(minus "${p99[$t]}" "${p99[direct]}") | ${p99_64[$t]} | ${alloc[$t]:-–} | ${rss[$t]:-–} | ${err1[$t]} / ${err64[$t]} |"
  done
  echo
  if awk -v d="${rps64[direct]}" -v f="${rps64[floor]}" 'BEGIN { exit !(d < 3 * f) }'; then
    echo "**Warning:** the backend alone did ${rps64[direct]} req/s, under 3x the floor's ${rps64[floor]}: it may be what limits the proxies."
    echo
  fi
  echo "Usage records written: plain $(records plain), all-on $(records allon)." \
    "Tokens charged to the benchmark user today in Redis (a check that quotas were on): ${quota_used:-none}."
  [ "$JFR" = 1 ] && echo "JFR profiles: $(ls "$results/$stamp"-{floor,plain,allon}.jfr 2>/dev/null | tr '\n' ' ')"
  echo
  echo "### 429 storm: a simulator throttling a share $STORM_RATE of its calls (retry-after 1 s), the healthy backend behind it"
  echo
  echo "| measurement | storm backend direct | gateway, plain (no storm) | gateway with failover in the storm | failover cost |"
  echo "|---|---|---|---|---|"
  echo "| success rate, concurrency 1 | $(success "$s1_bad" "$s1_total") | | $(success "$f1_bad" "$f1_total") | |"
  echo "| success rate, concurrency 64 | | | $(success "$f64_bad" "$f64_total") | |"
  echo "| p50 latency, concurrency 1 (ms) | $s1_p50 | ${p50[plain]} | $f1_p50 | $(minus "$f1_p50" "${p50[plain]}") |"
  echo "| p99 latency, concurrency 1 (ms) | $s1_p99 | ${p99[plain]} | $f1_p99 | $(minus "$f1_p99" "${p99[plain]}") |"
  echo "| throughput, concurrency 64 (req/s) | | ${rps64[plain]} | $f64_rps | |"
} | tee "$out"
