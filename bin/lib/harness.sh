# Sourced by bin/bench and bin/chaos: builds the launcher and a harness module as they are in the
# sources, then runs a main class of that module with its class path.
# shellcheck source=jdk.sh
. "$root/bin/lib/jdk.sh"

# run_harness MODULE MAIN [ARGS...]
run_harness() {
  local module="$1" main="$2"
  shift 2
  echo "$(basename "$0"): building (./mvnw package -DskipTests)..." >&2
  if ! (cd "$root" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ./mvnw -q -B -DskipTests -pl "sdm.launcher,$module" -am package) >&2; then
    echo "$(basename "$0"): the build failed; see the output above" >&2
    exit 1
  fi
  local jar
  jar="$(ls "$root/$module/target/$module"-*.jar | head -1)"
  exec "$java_home/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dsdm.project="$root" -cp "$jar:$root/$module/target/lib/*" "$main" "$@"
}
