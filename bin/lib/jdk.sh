# Sourced by bin/sdm and bin/bench: sets JAVA_HOME to a JDK 25 (JAVA_HOME if it is one, else the
# first /usr/lib/jvm/*25*; SDM_JVM_DIR replaces /usr/lib/jvm), or exits 3 with one line.

is_jdk25() {
  [ -x "$1/bin/java" ] && [ -f "$1/release" ] && grep -q '^JAVA_VERSION="25' "$1/release"
}

java_home=""
if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then
  java_home="$JAVA_HOME"
else
  for candidate in "${SDM_JVM_DIR:-/usr/lib/jvm}"/*25*; do
    if is_jdk25 "$candidate"; then java_home="$candidate"; break; fi
  done
fi
if [ -z "$java_home" ]; then
  echo "sdm: needs a JDK 25 (set JAVA_HOME to one; none found in JAVA_HOME or ${SDM_JVM_DIR:-/usr/lib/jvm}/*25*)" >&2
  exit 3
fi
export JAVA_HOME="$java_home"
