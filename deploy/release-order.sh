#!/usr/bin/env bash
# Newer releases are never undone by older ones (cloudbuild.yaml's order step, right after the lock): deploy/lock.sh
# runs one build at a time but in no order, so when build A (an older merge) waited for the lock while build B (a
# newer one) deployed, A then migrated (Flyway skipping B's newer migrations) and put its older images over B's.
#   deploy/release-order.sh check BUILD_ID BUILD_REGION
# prints this build's release key and exits 0 unless a service already runs a newer release, then fails naming both.
# The key is the build's createTime (`gcloud builds describe`), a later merge triggering a later build, as epoch
# microseconds: digits only, so deploy/render.sh puts it on each service's revision template as the label
# factory_release_created (labels allow [a-z0-9_-]). A service without that label (a first deploy, or deployed
# before this check) orders nothing. A retried build is a new build, so it counts as the newest.
# PROJECT_ID and REGION come from the environment (config/env/ENV.env).
set -euo pipefail

usage() { echo "usage: deploy/release-order.sh check BUILD_ID BUILD_REGION" >&2; exit 2; }
: "${PROJECT_ID:?deploy/release-order.sh: PROJECT_ID is not set}" "${REGION:?deploy/release-order.sh: REGION is not set}"

# Epoch microseconds of an RFC 3339 time (GNU date), e.g. 2024-05-01T10:00:00.123456Z -> 1714557600123456.
micros() { date -u -d "$1" +%s%6N; }
# The RFC 3339 time (UTC, microseconds) of a key.
rfc3339() { date -u -d "@${1:0:-6}.${1: -6}" +%Y-%m-%dT%H:%M:%S.%6NZ; }

check() {
  local build=$1 build_region=$2 created key listing running service deployed newest='' newest_service=''
  created=$(gcloud builds describe "$build" --region "$build_region" --project "$PROJECT_ID" --format 'value(createTime)')
  [ -n "$created" ] || { echo "release order: build $build has no createTime" >&2; return 1; }
  key=$(micros "$created")
  # One call for every service: one that does not exist yet is simply not listed; a failing call fails the check.
  listing=$(gcloud run services list --region "$REGION" --project "$PROJECT_ID" \
              --format 'value(metadata.name,spec.template.metadata.labels.factory_release_created)')
  while IFS=$'\t' read -r service deployed; do
    [[ "${deployed:-}" =~ ^[0-9]{16}$ ]] || continue
    if [ -z "$newest" ] || [ "$deployed" -gt "$newest" ]; then
      newest=$deployed newest_service=$service
    fi
  done <<<"$listing"
  if [ -n "$newest" ] && [ "$newest" -gt "$key" ]; then
    echo "release order: $newest_service already runs a newer release (build created $(rfc3339 "$newest")) than" \
         "build $build (created $(rfc3339 "$key")); not migrating or deploying this older release over it." \
         "Deploy the newer commit again, or roll back with gcloud run services update-traffic (docs/operations.md)." >&2
    return 1
  fi
  running="no release key"
  [ -z "$newest" ] || running="created $(rfc3339 "$newest")"
  echo "release order: build $build (created $(rfc3339 "$key")) is not older than what runs ($running); deploying" >&2
  echo "$key"
}

case "${1:-}" in
  check) [ $# -eq 3 ] || usage; check "$2" "$3" ;;
  *) usage ;;
esac
