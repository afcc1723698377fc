# shellcheck shell=bash
# Shared by the bin/ scripts: the checkout root, system packages, and building the jars on demand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export FACTORY_ROOT="$ROOT"
# shellcheck disable=SC2034 # used by the scripts that source this file
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# PostgreSQL server binaries (>= 15) are the one system package the local stack needs; Redis comes
# from the machine or from a Maven artifact. As root on Debian/Ubuntu we install what is missing.
ensure_system_deps() {
  if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing the PostgreSQL server (apt-get install postgresql)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    die "PostgreSQL 15+ server binaries (initdb, pg_ctl) are needed: install the 'postgresql' package or put its bin directory on PATH"
  fi
}

# What .ci/check-run reads the run with (ports, processes, HTTP, the token's signature): it refuses to check without
# them, so as root on Debian/Ubuntu CI installs what a fresh machine lacks.
ensure_check_tools() {
  local -a missing=()
  command -v ss >/dev/null 2>&1 || missing+=(iproute2)
  command -v ps >/dev/null 2>&1 || missing+=(procps)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} (apt-get install)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "these packages are needed to check the run: ${missing[*]}"
  fi
}

# Builds every jar when one is missing or any source or pom is newer than the last build, unless a process runs
# from this checkout's jars (bin/run's apps, a test build's worker or relay, the stack): the build rewrites them
# in place and the running JVM then fails on its next class load (NoClassDefFoundError).
ensure_built() {
  local stamp="$ROOT/target/.bin-build-stamp" users
  if [ -f "$stamp" ] && [ -z "$(find "$ROOT" -path "$ROOT/.local-stack" -prune -o \( -path '*/src/*' -o -name pom.xml \) -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  if [ -f "$stamp" ] && users=$(jar_users) && [ -n "$users" ]; then
    log "sources changed since the last build, but these run from this checkout's jars, which a build would rewrite"
    log "under them; using the jars as they are (stop them, or build with ./mvnw -DskipTests package):"
    log "$users"
    return 0
  fi
  log "building (./mvnw -DskipTests package)..."
  (cd "$ROOT" && ./mvnw -q -DskipTests package) || die "build failed"
  mkdir -p "$ROOT/target" && touch "$stamp"
}

# Processes (pid and command) running a jar under one of this checkout's target directories. Each argument is
# read whole from /proc/<pid>/cmdline (NUL-separated): ps joins them with spaces, so a checkout at a path with a
# space would never match. The checkout's path is compared as a fixed string, never as a pattern.
jar_users() {
  local dir arg rest entry
  local -a args entries
  if [ ! -r /proc/self/cmdline ]; then # no /proc (macOS): ps, each line matched whole after the checkout's path
    ps -ww -eo pid=,args= | awk -v root="$ROOT/" '{ i = index($0, root); if (i > 0 && substr($0, i + length(root)) ~ /^([^\/]+\/)*target\/[^\/ ]+\.jar( |$)/) print }'
    return 0
  fi
  for dir in /proc/[0-9]*; do
    args=()
    # A process that ended meanwhile has no cmdline to read: skip it.
    { while IFS= read -r -d '' arg || [ -n "$arg" ]; do args+=("$arg"); done < "$dir/cmdline"; } 2>/dev/null || continue
    for arg in ${args[@]+"${args[@]}"}; do
      # A class path (-cp a.jar:b.jar, as the test-started stack runs) names its jars joined by colons.
      IFS=: read -r -a entries <<< "$arg"
      for entry in ${entries[@]+"${entries[@]}"}; do
        rest="${entry#"$ROOT/"}"
        if [ "$rest" != "$entry" ] && [[ "/$rest" =~ /target/[^/]+\.jar$ ]]; then
          printf '%s %s\n' "${dir#/proc/}" "${args[*]}"
          continue 3
        fi
      done
    done
  done
}

# The executable jar of a module: target/<module>.jar, or target/<module>-<classifier>.jar for library
# modules whose executable is attached under a classifier (migrations, store).
module_jar() {
  local jar="$ROOT/$1/target/$1${2:+-$2}.jar"
  [ -f "$jar" ] || die "$jar is missing (build with ./mvnw -DskipTests package)"
  printf '%s' "$jar"
}

# Environment of the local stack for the apps and tools (overridable from outside).
local_env() {
  # The stack's own port variables (the ones bin/stack reads) decide where the local stack is, so a checkout
  # on other ports never talks to another checkout's stack; explicit FACTORY_*_URL variables still win.
  local db="${FACTORY_STACK_DATABASE:-factory}"
  # The check also when the URL is the stack's own (`eval "$(bin/stack env)"` sets it that way)
  case "${FACTORY_DB_URL:-}" in
    "" | *://127.0.0.1:"${FACTORY_STACK_PRIMARY_PORT:-55432}"/* | *://localhost:"${FACTORY_STACK_PRIMARY_PORT:-55432}"/*)
      require_own_stack ;;
  esac
  export FACTORY_KAFKA_BOOTSTRAP="${FACTORY_KAFKA_BOOTSTRAP:-127.0.0.1:${FACTORY_STACK_KAFKA_PORT:-19092}}"
  export FACTORY_DB_URL="${FACTORY_DB_URL:-jdbc:postgresql://127.0.0.1:${FACTORY_STACK_PRIMARY_PORT:-55432}/$db}"
  export FACTORY_STANDBY_DB_URL="${FACTORY_STANDBY_DB_URL:-jdbc:postgresql://127.0.0.1:${FACTORY_STACK_STANDBY_PORT:-55433}/$db}"
  export FACTORY_REDIS_URL="${FACTORY_REDIS_URL:-redis://127.0.0.1:${FACTORY_STACK_REDIS_PORT:-16379}}"
  # A fixed, well-known secret is fine for the loopback stack only; deployments take it from Secret Manager.
  export FACTORY_JWT_SECRET="${FACTORY_JWT_SECRET:-local-stack-jwt-secret-not-for-production-use}"
}

# The local stack's data directory as the stack itself resolves it (StackSettings): a relative FACTORY_STACK_DIR is
# the checkout's, wherever the script runs.
stack_dir() {
  local dir="${FACTORY_STACK_DIR:-.local-stack}"
  case "$dir" in /*) ;; *) dir="$ROOT/$dir" ;; esac
  printf '%s\n' "$dir"
}

# One line from the local stack's control port in answer to $1, or nothing (none listens, or it does not answer in
# 2 s: a stack process busy healing). Needs timeout(1) and bash's /dev/tcp; without them, nothing.
stack_control() {
  local kafka="${FACTORY_STACK_KAFKA_PORT:-19092}"
  [[ $kafka =~ ^[0-9]+$ ]] || return 0
  local port="${FACTORY_STACK_CONTROL_PORT:-$((kafka + 7))}"
  [[ $port =~ ^[0-9]+$ ]] && command -v timeout >/dev/null 2>&1 || return 0
  # shellcheck disable=SC2016 # expanded by the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && echo "$2" >&3 && head -n 1 <&3 | tr -d "\r"' _ "$port" "$1" \
    2>/dev/null || true
}

# bin/db and bin/ops on the local stack's ports must not migrate, roll back or restore the databases of another
# checkout's stack on the same ports: the stack process says where it keeps its data (its control port's `root`,
# as StackOwner asks it), and that must be where this checkout's would be. No stack, or one that cannot say: go on.
require_own_stack() {
  local answer mine
  answer="$(stack_control root)"
  case "$answer" in /*) ;; *) return 0 ;; esac
  mine="$(stack_dir)"
  command -v realpath >/dev/null 2>&1 || return 0
  [ "$(realpath -m "$answer" 2>/dev/null)" = "$(realpath -m "$mine" 2>/dev/null)" ] && return 0
  die "the local stack on the control port (process $(stack_control pid)) keeps its data in $answer, not in $mine as this checkout's would: another checkout's stack, or one given another FACTORY_STACK_DIR, on the same ports. Stop it from its checkout (bin/stack down), or here with FACTORY_STACK_DIR=$answer bin/stack down; or give this checkout ports of its own (README, \"The local stack\")"
}
