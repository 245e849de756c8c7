# Shared by bin/profilegrid and bin/profilegrid-bench (sourced, not run): the build when sources changed, and the JVM
# flags Hazelcast needs.

# Builds the project (mvn package, tests skipped) when $1's jar or its lib folder $2 is missing, or a pom, a main source
# or a migration is newer than the jar; $3 names the command in the message.
ensure_built() {
  local jar="$1" lib="$2" name="$3"
  # what the jars are built from: a test source changes neither, and counting it would rebuild at every start
  needs_build() {
    [[ ! -f "$jar" || ! -d "$lib" ]] && return 0
    [[ -n "$(find "$HOME_DIR/pom.xml" "$HOME_DIR"/*/pom.xml "$HOME_DIR"/*/src/main "$HOME_DIR/config/db" \
        -newer "$jar" -type f -print -quit 2>/dev/null)" ]]
  }
  needs_build || return 0
  # launchers started together (the README's 3-node recipe) would each run Maven in one tree and break each other's
  # build: one builds, the others wait for it and find the jar fresh
  exec 9>"$HOME_DIR/.build.lock"
  command -v flock >/dev/null && flock 9
  if needs_build; then
    echo "$name: building (mvn package, tests skipped)..." >&2
    (cd "$HOME_DIR" && mvn -B -q -DskipTests package) >&2
    # Maven leaves a jar whose classes did not change as it was (older than the file that asked for the build):
    # mark the build done, or every start would build again
    touch "$jar"
  fi
  exec 9>&-
}

# The module flags Hazelcast's members and clients need on Java 17+, and a common pool of at least two threads (on two
# cores the JDK gives it one, and Hazelcast's async paths crawl).
CORES="$(nproc 2>/dev/null || echo 2)"
PARALLELISM="${PROFILEGRID_COMMON_POOL_PARALLELISM:-$(( CORES < 2 ? 2 : CORES ))}"
(( PARALLELISM < 2 )) && PARALLELISM=2
HAZELCAST_JVM_FLAGS=(
  --add-modules java.se
  --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
  -Djava.util.concurrent.ForkJoinPool.common.parallelism="$PARALLELISM"
  -Dlogback.configurationFile="$HOME_DIR/config/logback.xml"
)
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
