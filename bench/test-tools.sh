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
