#!/usr/bin/env bash
# Time to first token of a burst of streams sent the moment a new replica reports ready,
# against the same burst on the warm replica and straight to the backend, in one run.
#
#   bench/cold-burst.sh                  # 1000 streams
#   COUNT=300 bench/cold-burst.sh
#   GATEWAY_ARGS="--aoai.warm-up.enabled=false" bench/cold-burst.sh   # without the warm-up
#
# Writes bench/results/cold-burst-<timestamp>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-1000}
SIM_PORT=${SIM_PORT:-18291}
ISSUER_PORT=${ISSUER_PORT:-18290}
GATEWAY_PORT=${GATEWAY_PORT:-18292}
MGMT_PORT=${MGMT_PORT:-18293}
KEY=bench-key
results=bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/cold-burst-$stamp.md"
log="$results/cold-burst-$stamp.log"
# A burst of 1000 needs that many open files in every process.
ulimit -n 65536 2>/dev/null || true

. bench/test-tools.sh
jar=$(gateway_jar)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

tools=$(test_tools_classpath)
java -cp "$tools" io.aoaigateway.simulator.SimulatorMain \
  --name=burst-sim --port=$SIM_PORT --api-key=$KEY --deployments=gpt-4o --stream-chunks=8 --stream-pace=10ms \
  >>"$log" 2>&1 & pids+=($!)
java -cp "$tools" io.aoaigateway.local.LocalTokenIssuer --port=$ISSUER_PORT >>"$log" 2>&1 & pids+=($!)

wait_for() { for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; exit 1; }
wait_for "http://127.0.0.1:$ISSUER_PORT/keys"
token=$(curl -s "http://127.0.0.1:$ISSUER_PORT/token?sub=burst")
path='/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21'

# The backend is warmed first, so that the gateway's own cold start is what is measured.
node bench/burst.mjs "http://127.0.0.1:$SIM_PORT$path" - "$COUNT" >/dev/null
direct=$(node bench/burst.mjs "http://127.0.0.1:$SIM_PORT$path" - "$COUNT")

started=$(date +%s%N)
java ${GATEWAY_JAVA_OPTS:-} -jar "$jar" --server.port=$GATEWAY_PORT --management.server.port=$MGMT_PORT \
  --aoai.routing.backends[0].name=burst-sim --aoai.routing.backends[0].url=http://127.0.0.1:$SIM_PORT \
  --aoai.routing.backends[0].api-key=$KEY --aoai.routing.backends[0].deployments=gpt-4o \
  --aoai.auth.issuers=http://127.0.0.1:$ISSUER_PORT --aoai.auth.audiences=api://aoai-gateway \
  --aoai.auth.jwk-set-uri=http://127.0.0.1:$ISSUER_PORT/keys --logging.level.root=warn ${GATEWAY_ARGS:-} \
  >>"$log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$MGMT_PORT/actuator/health/readiness"
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
cold=$(node bench/burst.mjs "http://127.0.0.1:$GATEWAY_PORT$path" "$token" "$COUNT")
warm=$(node bench/burst.mjs "http://127.0.0.1:$GATEWAY_PORT$path" "$token" "$COUNT")

{
  echo "# Cold burst, $stamp"
  echo
  echo "$COUNT streams at once (8 chunks, 10 ms apart). Gateway args: \`${GATEWAY_ARGS:-none}\`. Ready after ${ready_ms} ms."
  echo
  echo "| run | result |"
  echo "|---|---|"
  echo "| direct to the simulator | \`$direct\` |"
  echo "| gateway, first burst after ready | \`$cold\` |"
  echo "| gateway, second burst | \`$warm\` |"
} | tee "$out"
