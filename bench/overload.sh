#!/usr/bin/env bash
# Overload with two priority classes (issue 16): one simulated Azure OpenAI deployment whose scripted capacity is
# well below the offered load, and two clients at once, an interactive one (few calls) and a batch one (many).
# The claim checked: with classes, interactive calls keep >= 95 % success while batch absorbs the refusals; without
# classes, both suffer alike.
#
#   bench/overload.sh                                  # 20 s per phase, 10 s warm-up per gateway
#   DURATION=60s WARMUP=20s bench/overload.sh          # longer runs
#   CAPACITY_REQUESTS=200 THINK=50 bench/overload.sh   # 4x the rate (default: 50 calls per 1s window, 200 ms)
#   INTERACTIVE_CONNECTIONS=8 bench/overload.sh        # interactive above its reserved share
#   PRIORITY_WINDOW=60s bench/overload.sh              # the gateway's default capacity-window
#
# The defaults keep the machine out of the way on 2 shared cores: the gateway serves at most 50 calls a second and
# refuses the rest quickly; the headroom phase (below) shows it sustaining about three times that, all served.
#
# Processes: the local token issuer, the limited simulator (--capacity-requests=$CAPACITY_REQUESTS
# --capacity-window=$CAPACITY_WINDOW --latency=$SIM_LATENCY), an unlimited simulator for the headroom check, and two
# gateways built from this tree (the jar, in-memory state, as bench/run.sh runs it):
#
#   classes  aoai.priority.classes: interactive (reserved-share 50, max-wait 2s, max-queued 500 and 500 per
#            caller), then batch; rule: role Gateway.Interactive -> interactive; everyone else batch (the lowest).
#            aoai.priority.capacity-window is PRIORITY_WINDOW, by default the simulator's window (1 s; Azure's is a
#            minute, the gateway's default), so that the share left refills at the pace the simulated deployment's.
#   flat     no classes (the control); also routes deployment gpt-4o-free to the unlimited simulator.
#
# Phases, one after another, each DURATION with both clients at once (wrk, one thread each):
#
#   headroom  both clients -> flat gateway -> unlimited simulator: what the machine sustains with this load. If it
#             serves the whole offered load, the machine is not what refuses calls in the phases below.
#   direct    both clients -> limited simulator with its api-key: what the deployment serves on its own.
#   control   both clients -> flat gateway -> limited simulator.
#   classes   both clients -> classes gateway -> limited simulator.
#
# The clients are closed loops with a think time (THINK, drawn uniformly from half to one and a half of it) between
# an answer and the next call on a connection, so that a quick 429 does not turn into a flood of calls: interactive
# INTERACTIVE_CONNECTIONS (4) connections, batch BATCH_CONNECTIONS (32). Offered req/s is the calls each client made
# per second; the limited deployment serves at most CAPACITY_REQUESTS per window to both together.
#
# Each client counts its answers by status (200, 429, other, socket errors and timeouts) and, for the 200s, the
# gateway's x-aoai-priority-wait-ms header (calls that waited in the admission queue, and the wait's percentiles).
# wrk's latency percentiles are over every answer, 429s included (a 429 is quick; a served call takes the
# simulator's latency plus any wait). At the end the classes gateway's admission and refusal meters are copied from
# /actuator/prometheus.
#
# Writes bench/results/<stamp>-overload.md (the tables) and <stamp>-overload.log (raw wrk output, meters); each
# process logs to <stamp>-overload-<process>.log. Ports are overridable (*_PORT). START_TIMEOUT (default 300 s)
# bounds the wait for every process to answer; every wrk run is bounded by DURATION plus a minute. All processes
# are ended on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-10s}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:--Xmx716m}
ISSUER_PORT=${ISSUER_PORT:-18290}
SIM_PORT=${SIM_PORT:-18291}
FREE_SIM_PORT=${FREE_SIM_PORT:-18292}
CLASSES_PORT=${CLASSES_PORT:-18293}
FLAT_PORT=${FLAT_PORT:-18294}
CAPACITY_REQUESTS=${CAPACITY_REQUESTS:-50}
CAPACITY_WINDOW=${CAPACITY_WINDOW:-1s}
SIM_LATENCY=${SIM_LATENCY:-20ms}
INTERACTIVE_CONNECTIONS=${INTERACTIVE_CONNECTIONS:-4}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-32}
THINK=${THINK:-200} # milliseconds
PRIORITY_WINDOW=${PRIORITY_WINDOW:-$CAPACITY_WINDOW} # aoai.priority.capacity-window of the classes gateway
START_TIMEOUT=${START_TIMEOUT:-300}
KEY=bench-key
results=bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/$stamp-overload.md"
log="$results/$stamp-overload.log"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
. bench/test-tools.sh
jar=$(gateway_jar)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $ISSUER_PORT $SIM_PORT $FREE_SIM_PORT $CLASSES_PORT $FLAT_PORT; do
  if listening "$port"; then echo "port $port on 127.0.0.1 is taken; set the *_PORT variables" >&2; exit 1; fi
done

work=$(mktemp -d /tmp/aoai-overload.XXXXXX)
pids=()
cleanup() {
  end_processes
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tools=$(test_tools_classpath)
plog() { echo "$results/$stamp-overload-$1.log"; }
java -cp "$tools" io.aoaigateway.local.LocalTokenIssuer --port=$ISSUER_PORT >>"$(plog issuer)" 2>&1 & pids+=($!)
java -cp "$tools" io.aoaigateway.simulator.SimulatorMain --name=bench-limited --port=$SIM_PORT --api-key=$KEY \
  --deployments=gpt-4o --capacity-requests=$CAPACITY_REQUESTS --capacity-window=$CAPACITY_WINDOW \
  --latency=$SIM_LATENCY --log-level=warn >>"$(plog sim)" 2>&1 & pids+=($!)
java -cp "$tools" io.aoaigateway.simulator.SimulatorMain --name=bench-free --port=$FREE_SIM_PORT --api-key=$KEY \
  --deployments=gpt-4o-free --latency=$SIM_LATENCY --log-level=warn >>"$(plog free-sim)" 2>&1 & pids+=($!)

common=(--aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys --logging.level.root=warn
  --aoai.routing.backends[0].name=bench-limited --aoai.routing.backends[0].url=http://127.0.0.1:$SIM_PORT
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o)
classes=(--aoai.priority.classes[0].name=interactive --aoai.priority.classes[0].reserved-share=50
  --aoai.priority.classes[0].max-wait=2s --aoai.priority.classes[0].max-queued=500
  --aoai.priority.classes[0].max-queued-per-caller=500 --aoai.priority.classes[1].name=batch
  --aoai.priority.rules[0].class=interactive --aoai.priority.rules[0].roles=Gateway.Interactive
  --aoai.priority.capacity-window=$PRIORITY_WINDOW)
java $GATEWAY_JAVA_OPTS -jar "$jar" --server.port=$CLASSES_PORT "${common[@]}" "${classes[@]}" \
  >>"$(plog classes)" 2>&1 & pids+=($!)
java $GATEWAY_JAVA_OPTS -jar "$jar" --server.port=$FLAT_PORT "${common[@]}" \
  --aoai.routing.backends[1].name=bench-free --aoai.routing.backends[1].url=http://127.0.0.1:$FREE_SIM_PORT \
  --aoai.routing.backends[1].api-key=$KEY --aoai.routing.backends[1].deployments=gpt-4o-free \
  >>"$(plog flat)" 2>&1 & pids+=($!)

deadline=$((SECONDS + START_TIMEOUT))
wait_for() { wait_for_answer "$1" "$results/$stamp-overload-*.log"; }
wait_for "http://127.0.0.1:$ISSUER_PORT/keys"
wait_for "http://127.0.0.1:$SIM_PORT/"
wait_for "http://127.0.0.1:$FREE_SIM_PORT/"
wait_for "http://127.0.0.1:$CLASSES_PORT/actuator/health"
wait_for "http://127.0.0.1:$FLAT_PORT/actuator/health"
interactive_token=$(curl -s --max-time 10 "http://127.0.0.1:$ISSUER_PORT/token?sub=bench-interactive&roles=Gateway.Interactive")
batch_token=$(curl -s --max-time 10 "http://127.0.0.1:$ISSUER_PORT/token?sub=bench-batch")

path() { echo "/openai/deployments/$1/chat/completions?api-version=2024-10-21"; }
body='{"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark."}],"max_tokens":32}'
# Each target: how the interactive client and the batch client call it (headers, then the URL).
headroom_interactive=(-H "Authorization: Bearer $interactive_token" "http://127.0.0.1:$FLAT_PORT$(path gpt-4o-free)")
headroom_batch=(-H "Authorization: Bearer $batch_token" "http://127.0.0.1:$FLAT_PORT$(path gpt-4o-free)")
direct_interactive=(-H "api-key: $KEY" "http://127.0.0.1:$SIM_PORT$(path gpt-4o)")
direct_batch=("${direct_interactive[@]}")
control_interactive=(-H "Authorization: Bearer $interactive_token" "http://127.0.0.1:$FLAT_PORT$(path gpt-4o)")
control_batch=(-H "Authorization: Bearer $batch_token" "http://127.0.0.1:$FLAT_PORT$(path gpt-4o)")
classes_interactive=(-H "Authorization: Bearer $interactive_token" "http://127.0.0.1:$CLASSES_PORT$(path gpt-4o)")
classes_batch=(-H "Authorization: Bearer $batch_token" "http://127.0.0.1:$CLASSES_PORT$(path gpt-4o)")

# Every target answers 200 before measuring (the capacity window is fresh: nothing else runs yet), and the classes
# gateway puts each token in the class meant for it.
for phase in headroom direct control classes; do
  for client in interactive batch; do
    declare -n args=${phase}_$client
    answer=$(curl -s --max-time 10 -D "$work/headers" -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d "$body" "${args[@]}")
    code=${answer##*$'\n'}
    [ "$code" = 200 ] || { echo "$phase/$client answered $code: ${answer%$'\n'*}" >&2; exit 1; }
    if [ $phase = classes ]; then
      grep -qi "^x-aoai-priority: $client" "$work/headers" ||
        { echo "classes/$client ran in another class: $(grep -i '^x-aoai-priority' "$work/headers")" >&2; exit 1; }
    fi
    unset -n args
  done
  sleep 1.1 # a fresh capacity window for the next check
done

# The clients' script: the request, the think time, and a tally of the answers. wrk runs one Lua state per thread;
# done() reads each thread's globals.
lua="$work/client.lua"
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
local think = $THINK
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; refused = 0; other = 0; waits = {} end
function delay() return math.random(math.floor(think / 2), math.floor(think * 3 / 2)) end
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    for name, value in pairs(headers) do
      if string.lower(name) == "x-aoai-priority-wait-ms" then waits[#waits + 1] = tonumber(value) end
    end
  elseif status == 429 then refused = refused + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local s200, s429, sother, all = 0, 0, 0, {}
  for _, thread in ipairs(threads) do
    s200 = s200 + thread:get("ok"); s429 = s429 + thread:get("refused"); sother = sother + thread:get("other")
    for _, w in ipairs(thread:get("waits")) do all[#all + 1] = w end
  end
  table.sort(all)
  local function pct(p) if #all == 0 then return "-" end return all[math.max(1, math.ceil(#all * p / 100))] end
  -- The gateway sends the header only on calls that waited.
  local waited = #all
  local e = summary.errors
  io.write(string.format("TALLY %d %d %d %d %d %s %s %s %s\n", s200, s429, sother,
    e.connect + e.read + e.write + e.timeout, waited, pct(50), pct(90), pct(99), pct(100)))
end
LUA

seconds() { # wrk duration (20s, 2m, 1h, 30) -> seconds
  case $1 in *h) echo $((${1%h} * 3600)) ;; *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac
}
client() { # phase client connections -> wrk's output in $work/<phase>-<client>.out
  local -n a=${1}_$2
  timeout $(($(seconds "$DURATION") + 60)) wrk -t1 -c"$3" -d"$DURATION" --timeout 10s --latency -s "$lua" "${a[@]}" \
    >"$work/$1-$2.out" 2>&1
}
phase() { # name: both clients at once
  client "$1" interactive "$INTERACTIVE_CONNECTIONS" & local i=$!
  client "$1" batch "$BATCH_CONNECTIONS" & local b=$!
  wait $i $b
  for c in interactive batch; do printf '### %s %s\n' "$1" "$c"; cat "$work/$1-$c.out"; done >>"$log"
  sleep 1.1 # the next phase starts in a fresh capacity window
}
# -> "calls 200 429 other errors waited wait_p50 wait_p90 wait_p99 wait_max p50_ms p99_ms"
summary() {
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    $1=="50.000%" || $1=="50%" {p50=ms($2)} $1=="99.000%" || $1=="99%" {p99=ms($2)}
    / requests in / {calls=$1} $1=="TALLY" {tally=$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$10}
    END {if (tally == "") tally = "0 0 0 0 0 - - - -"; printf "%d %s %.1f %.1f\n", calls, tally, p50, p99}' "$work/$1-$2.out"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "warming up ($WARMUP per gateway)..." >&2
for p in headroom classes; do DURATION=$WARMUP phase $p; done
: >"$log" # the warm-up's output is not kept
for p in headroom direct control classes; do
  echo "$p ($DURATION)..." >&2
  phase $p
done
{
  echo "### classes gateway meters after the run"
  curl -s --max-time 10 "http://127.0.0.1:$CLASSES_PORT/actuator/prometheus" |
    grep -E '^aoai_gateway_(admission|priority|all_throttled)' || echo "(none)"
  echo "### flat gateway meters after the run"
  curl -s --max-time 10 "http://127.0.0.1:$FLAT_PORT/actuator/prometheus" |
    grep -E '^aoai_gateway_(admission|priority|all_throttled)' || echo "(none)"
} >>"$log"

secs=$(seconds "$DURATION")
rate() { awk -v n="$1" -v s="$secs" 'BEGIN { printf "%.0f", n / s }'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "n/a" }'; }
declare -A label=([headroom]="headroom: control gateway, unlimited simulator" [direct]="direct to the limited simulator"
  [control]="**control: gateway without classes**" [classes]="**gateway with classes**")
{
  echo "## Overload with two classes, $stamp"
  echo
  echo "Command: \`DURATION=$DURATION WARMUP=$WARMUP CAPACITY_REQUESTS=$CAPACITY_REQUESTS CAPACITY_WINDOW=$CAPACITY_WINDOW" \
    "SIM_LATENCY=$SIM_LATENCY THINK=$THINK INTERACTIVE_CONNECTIONS=$INTERACTIVE_CONNECTIONS" \
    "BATCH_CONNECTIONS=$BATCH_CONNECTIONS PRIORITY_WINDOW=$PRIORITY_WINDOW bench/overload.sh\`." \
    "Machine: $(nproc) cores, $(java -version 2>&1 | head -1). Gateways started with \`$GATEWAY_JAVA_OPTS\`."
  echo "Limited simulator: $CAPACITY_REQUESTS calls per $CAPACITY_WINDOW window, $SIM_LATENCY per answer." \
    "Clients (wrk, closed loops, think time ${THINK} ms +-50 %): interactive c=$INTERACTIVE_CONNECTIONS," \
    "batch c=$BATCH_CONNECTIONS, at the same time, $DURATION per phase." \
    "Classes gateway: aoai.priority.capacity-window=$PRIORITY_WINDOW."
  echo "Load average (1, 5, 15 min) before the warm-up: $load_before; after the last phase: $(cut -d' ' -f1-3 /proc/loadavg)" \
    "(the machine is shared: anything above the run's own few processes competes with it)."
  echo
  echo "| phase | client | offered req/s | served req/s | success | 429 | other / socket errors | p50 (ms) | p99 (ms) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for p in headroom direct control classes; do
    for c in interactive batch; do
      read -r calls ok refused other errors _ < <(summary $p $c)
      read -r _ _ _ _ _ _ _ _ _ _ p50 p99 < <(summary $p $c)
      echo "| ${label[$p]} | $c | $(rate "$calls") | $(rate "$ok") | $(share "$ok" "$calls") |" \
        "$(share "$refused" "$calls") | $other / $errors | $p50 | $p99 |"
    done
  done
  echo
  echo "p50/p99 are over every answer, 429s included."
  echo
  # The claim of issue 16, checked on these figures.
  success_of() { read -r calls ok _ < <(summary "$1" "$2"); awk -v a="$ok" -v b="$calls" 'BEGIN { print (b > 0) ? 100 * a / b : 0 }'; }
  awk -v ci="$(success_of classes interactive)" -v cb="$(success_of classes batch)" \
    -v fi="$(success_of control interactive)" -v fb="$(success_of control batch)" 'BEGIN {
      d = fi - fb; if (d < 0) d = -d
      printf "Claim: with classes interactive success >= 95 %% (%.1f %%: %s) and batch below it (%.1f %%: %s);", ci,
        (ci >= 95) ? "holds" : "FAILS", cb, (cb < ci) ? "holds" : "FAILS"
      printf " without classes both alike, within 5 points (%.1f %% and %.1f %%: %s).\n", fi, fb, (d <= 5) ? "holds" : "FAILS"
    }'
  echo
  echo "Interactive calls that waited for capacity (a 200 with x-aoai-priority-wait-ms), classes gateway:"
  read -r _ ok _ _ _ waited w50 w90 w99 wmax _ < <(summary classes interactive)
  echo "$waited of $ok served calls; their wait p50 $w50 ms, p90 $w90 ms, p99 $w99 ms, max $wmax ms."
  echo
  echo "Classes gateway meters at the end (warm-up included):"
  echo
  echo '```'
  sed -n '/^### classes gateway meters/,/^### flat gateway meters/p' "$log" | grep -v '^###' |
    grep -Ev '_bucket|^$' || true
  echo '```'
} | tee "$out"
