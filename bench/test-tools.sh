# Sourced by the bench scripts. The Azure OpenAI simulator (io.aoaigateway.simulator.SimulatorMain)
# and the local token issuer (io.aoaigateway.local.LocalTokenIssuer) live in the test source set, so
# that the production jar carries neither; test_tools_classpath compiles them when needed and prints
# the classpath that runs them (java -cp "$(test_tools_classpath)" io.aoaigateway.simulator.SimulatorMain).
test_tools_classpath() {
  local file=target/test-tools.classpath
  # Offline first; online when the local repository lacks something.
  ./mvnw -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile="$file" -Dmdep.includeScope=test \
    >&2 || ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$file" \
    -Dmdep.includeScope=test >&2
  echo "target/test-classes:target/classes:$(cat "$file")"
}

# Ends every process in the caller's pids array: TERM, up to 20 s for them to go, then KILL.
end_processes() {
  local p _
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 200); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

# Waits until a URL answers (any HTTP status will do), until the caller's $deadline (in SECONDS); gives up at
# once when one of the caller's pids has exited, pointing at its logs.
wait_for_answer() { # url logs
  while [ $SECONDS -lt $deadline ]; do
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { echo "process $p exited; see $2" >&2; exit 1; }; done
    sleep 0.2
  done
  echo "no answer from $1 within ${START_TIMEOUT}s" >&2
  exit 1
}

# Prints the gateway's boot jar, built first when it is missing or older than anything it is built from: a
# benchmark must never measure a jar left over from an earlier tree.
gateway_jar() {
  local jar
  jar=$(ls target/aoai-gateway-*.jar 2>/dev/null | grep -v plain | head -1 || true)
  if [ -z "$jar" ] || [ -n "$(find pom.xml src/main -newer "$jar" -print -quit)" ]; then
    ./mvnw -o -q -B -DskipTests package >&2 || ./mvnw -q -B -DskipTests package >&2
    jar=$(ls target/aoai-gateway-*.jar | grep -v plain | head -1)
  fi
  echo "$jar"
}
