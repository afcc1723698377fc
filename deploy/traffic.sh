#!/usr/bin/env bash
# The traffic split of Cloud Run services, recorded before a deploy and restored when the deploy or its smoke
# check fails (cloudbuild.yaml's deploy and smoke steps):
#   deploy/traffic.sh record SERVICE FILE   appends "SERVICE rev1=P1,rev2=P2", the split SERVICE serves now
#   deploy/traffic.sh restore FILE          puts every service in FILE back on its recorded split
# REGION and PROJECT_ID come from the environment (config/env/ENV.env, as cloudbuild.yaml sources it).
#
# What a service serves (status.traffic), not its latest ready revision: after a rolled-back build the latest
# ready revision is the bad one that build created, while traffic went back to the one before it; and a
# service serving a split (a canary) must get that split back, not 100% of one revision.
set -euo pipefail

usage() { echo "usage: deploy/traffic.sh record SERVICE FILE | restore FILE" >&2; exit 2; }
: "${REGION:?deploy/traffic.sh: REGION is not set}" "${PROJECT_ID:?deploy/traffic.sh: PROJECT_ID is not set}"

# status.traffic as rev=percent,...: entries without percent (tags only) are left out, and a revision listed
# twice (once with a tag, once without) gets its percents added up, as Cloud Run serves them.
split_of() {
  python3 -c '
import json, sys
served = {}
for entry in (json.load(sys.stdin).get("status") or {}).get("traffic") or []:
    if entry.get("percent") and entry.get("revisionName"):
        served[entry["revisionName"]] = served.get(entry["revisionName"], 0) + entry["percent"]
print(",".join(f"{revision}={percent}" for revision, percent in served.items()))
'
}

record() {
  local service=$1 file=$2 json errors split
  errors=$(mktemp)
  if ! json=$(gcloud run services describe "$service" --region "$REGION" --project "$PROJECT_ID" \
                --format json 2>"$errors"); then
    if grep -q "Cannot find service" "$errors"; then
      rm -f "$errors"
      echo "traffic: $service does not exist yet (first deploy); nothing to restore it to" >&2
      return 0
    fi
    # Anything else (permissions, the API) stops the deploy before this service is replaced.
    cat "$errors" >&2
    rm -f "$errors"
    echo "traffic: cannot read what $service serves, so it is not deployed (no way back)" >&2
    return 1
  fi
  rm -f "$errors"
  split=$(split_of <<<"$json")
  if [ -z "$split" ]; then
    echo "traffic: $service serves no revision yet; nothing to restore it to" >&2
    return 0
  fi
  echo "$service $split" >>"$file"
  echo "traffic: $service serves $split" >&2
}

# Newest recorded first (the gateway before the consumers it publishes to); every service is tried even when
# one fails, and any failure fails the whole restore.
restore() {
  local file=$1 service split failed=0
  [ -s "$file" ] || { echo "traffic: nothing recorded in $file; nothing to restore" >&2; return 0; }
  while read -r service split; do
    [ -n "$service" ] || continue
    echo "traffic: $service back to $split" >&2
    gcloud run services update-traffic "$service" --to-revisions "$split" \
      --region "$REGION" --project "$PROJECT_ID" </dev/null || failed=1
  done < <(tac "$file")
  return "$failed"
}

case "${1:-}" in
  record) [ $# -eq 3 ] || usage; record "$2" "$3" ;;
  restore) [ $# -eq 2 ] || usage; restore "$2" ;;
  *) usage ;;
esac
