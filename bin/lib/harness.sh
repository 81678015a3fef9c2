# Sourced by bin/bench and bin/chaos: builds the launcher and sdm.bench as they are in the
# sources, then runs a main class of sdm.bench with the harness's class path.
# shellcheck source=jdk.sh
. "$root/bin/lib/jdk.sh"

run_harness() {
  local main="$1"
  shift
  echo "$(basename "$0"): building (./mvnw package -DskipTests)..." >&2
  if ! (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ./mvnw -q -B -DskipTests -pl sdm.launcher,sdm.bench -am package) >&2; then
    echo "$(basename "$0"): the build failed; see the output above" >&2
    exit 1
  fi
  local jar
  jar="$(ls "$root"/sdm.bench/target/sdm.bench-*.jar | head -1)"
  exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dsdm.project="$root" -cp "$jar:$root/sdm.bench/target/lib/*" "$main" "$@"
}
