#!/usr/bin/env bash
# Fails unless a Cloud Run job execution ran the given image (cloudbuild.yaml's migration steps):
#   deploy/execution-image.sh EXECUTION IMAGE
# `gcloud run jobs replace` and `gcloud run jobs execute` are two calls on a job every build shares; whatever replaced
# the job between them (another build, a person) is what the execution ran. deploy/lock.sh keeps builds apart;
# this proves it of each execution: a migration of another release's image must not pass for this one's.
# REGION and PROJECT_ID come from the environment (config/env/ENV.env).
set -euo pipefail

[ $# -eq 2 ] && [ -n "$1" ] || { echo "usage: deploy/execution-image.sh EXECUTION IMAGE" >&2; exit 2; }
: "${REGION:?deploy/execution-image.sh: REGION is not set}" "${PROJECT_ID:?deploy/execution-image.sh: PROJECT_ID is not set}"
execution=$1 expected=$2

ran=$(gcloud run jobs executions describe "$execution" --region "$REGION" --project "$PROJECT_ID" \
        --format 'value(spec.template.spec.containers[0].image)')
if [ "$ran" != "$expected" ]; then
  echo "execution $execution ran $ran, not this build's $expected: the job was replaced between this build's" \
       "replace and execute (another build or a person; see deploy/lock.sh). Its migrations are not this release's." >&2
  exit 1
fi
echo "execution $execution ran $expected" >&2
