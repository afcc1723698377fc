#!/usr/bin/env bash
# One release at a time per environment (cloudbuild.yaml's lock and unlock steps): the migration jobs and the
# services are shared, so two builds at once interfered (build B could replace factory-migrate between A's replace
# and A's execute, so A ran B's migrations; a failing build's traffic restore could undo a later build's release).
#   deploy/lock.sh acquire BUILD_ID BUILD_REGION   waits until this build holds the lock, then holds it
#   deploy/lock.sh release BUILD_ID                releases it if this build holds it
# The lock is the Cloud Storage object DEPLOY_LOCK (config/env/ENV.env), created only if absent
# (`gcloud storage cp --if-generation-match=0`) and holding "BUILD_ID BUILD_REGION" of its holder.
# A holder that is no longer queued or working (it failed, timed out or was cancelled before its unlock step) is
# taken over, deleting its object only at the generation read (`--if-generation-match`), so two waiting builds
# never both take it. Release by hand (a build that will not finish): gcloud storage rm "$DEPLOY_LOCK".
# PROJECT_ID and DEPLOY_LOCK come from the environment; DEPLOY_LOCK_WAIT (seconds, default 2700) bounds the
# wait, DEPLOY_LOCK_POLL (seconds, default 20) spaces its checks.
set -euo pipefail

usage() { echo "usage: deploy/lock.sh acquire BUILD_ID BUILD_REGION | release BUILD_ID" >&2; exit 2; }
: "${PROJECT_ID:?deploy/lock.sh: PROJECT_ID is not set}" "${DEPLOY_LOCK:?deploy/lock.sh: DEPLOY_LOCK is not set}"
wait_for=${DEPLOY_LOCK_WAIT:-2700}
poll=${DEPLOY_LOCK_POLL:-20}

# The lock object's generation, empty when there is none (or it cannot be read).
generation() {
  gcloud storage objects describe "$DEPLOY_LOCK" --format 'value(generation)' 2>/dev/null || true
}

acquire() {
  local build=$1 region=$2 deadline gen holder holder_region status
  deadline=$(( $(date +%s) + wait_for ))
  record=$(mktemp) errors=$(mktemp)
  trap 'rm -f "$record" "$errors"' EXIT
  printf '%s %s\n' "$build" "$region" >"$record"
  while :; do
    if gcloud storage cp --if-generation-match=0 "$record" "$DEPLOY_LOCK" 2>"$errors" >/dev/null; then
      echo "lock: $DEPLOY_LOCK taken by build $build" >&2
      return 0
    fi
    # The generation first, then the holder: a holder read after a change of hands is a newer one, and a stale one
    # is deleted only at the generation read, so a lock taken meanwhile is never deleted.
    gen=$(generation)
    if [ -z "$gen" ]; then
      # Released between the two calls, or the bucket cannot be reached: try again, and say why if it persists.
      cat "$errors" >&2
    else
      read -r holder holder_region < <(gcloud storage cat "$DEPLOY_LOCK" 2>/dev/null || true) || true
      if [ "${holder:-}" = "$build" ]; then
        echo "lock: $DEPLOY_LOCK already held by this build" >&2
        return 0
      fi
      status=$(gcloud builds describe "${holder:-unknown}" --region "${holder_region:-global}" \
                 --project "$PROJECT_ID" --format 'value(status)' 2>/dev/null || echo UNREADABLE)
      case "$status" in
        QUEUED|PENDING|WORKING)
          echo "lock: $DEPLOY_LOCK is held by build ${holder} ($status); waiting" >&2
          ;;
        UNREADABLE)
          # Not taken over on a guess: the holder may be running. Waits, and the deadline says how to release it.
          echo "lock: $DEPLOY_LOCK is held by '${holder:-}', whose build status cannot be read; waiting" >&2
          ;;
        *)
          echo "lock: build ${holder:-?} holding $DEPLOY_LOCK ended ($status) without releasing it; taking it over" >&2
          # Fails when the lock changed hands since its generation was read: then the next round sees the new holder.
          if gcloud storage rm --if-generation-match="$gen" "$DEPLOY_LOCK" >/dev/null 2>"$errors"; then
            continue
          fi
          cat "$errors" >&2
          ;;
      esac
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "lock: $DEPLOY_LOCK still held after ${wait_for}s; not deploying. If its holder will not finish," \
           "release it by hand: gcloud storage rm $DEPLOY_LOCK" >&2
      return 1
    fi
    sleep "$poll"
  done
}

release() {
  local build=$1 gen holder
  gen=$(generation)
  [ -n "$gen" ] || { echo "lock: $DEPLOY_LOCK is not held; nothing to release" >&2; return 0; }
  read -r holder _ < <(gcloud storage cat "$DEPLOY_LOCK" 2>/dev/null || true) || true
  if [ "${holder:-}" != "$build" ]; then
    echo "lock: $DEPLOY_LOCK is held by build ${holder:-?}, not $build; left as it is" >&2
    return 1
  fi
  gcloud storage rm --if-generation-match="$gen" "$DEPLOY_LOCK" >/dev/null
  echo "lock: $DEPLOY_LOCK released by build $build" >&2
}

case "${1:-}" in
  acquire) [ $# -eq 3 ] || usage; acquire "$2" "$3" ;;
  release) [ $# -eq 2 ] || usage; release "$2" ;;
  *) usage ;;
esac
