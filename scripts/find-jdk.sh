# Sourced by ./quant4j and ./build: sets QUANT4J_JAVA_HOME to a JDK 25 or newer, or explains and exits.
# JAVA_HOME wins when it is 25+, else the newest JDK 25+ under /usr/lib/jvm (or $QUANT4J_JVM_DIR).
quant4j_java_major() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  printf '%s' "${v%%.*}"
}
quant4j_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(quant4j_java_major "$JAVA_HOME")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null; then QUANT4J_JAVA_HOME=$JAVA_HOME; return 0; fi
  fi
  for candidate in "${QUANT4J_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(quant4j_java_major "$candidate")
    if [ "${major:-0}" -ge 25 ] 2>/dev/null && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -n "$best" ]; then QUANT4J_JAVA_HOME=$best; return 0; fi
  echo "quant4j: needs a JDK 25 or newer (none in JAVA_HOME or /usr/lib/jvm); install one, e.g. 'apt-get install temurin-25-jdk' or from https://adoptium.net, and set JAVA_HOME" >&2
  return 1
}
