#!/usr/bin/env bash
# Renders the Cloud Run manifests of one environment:  deploy/render.sh ENV IMAGE_TAG RELEASE_CREATED OUT_DIR
# Each ${NAME} in deploy/cloudrun/*.yaml is replaced by its value from config/env/ENV.env
# (IMAGE_TAG and RELEASE_CREATED from the command line: RELEASE_CREATED is the release key deploy/release-order.sh
# printed, which each service's revision template carries as its factory_release_created label); a name the
# environment does not define is an error, so a manifest never reaches Cloud Run with a placeholder left in it.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true   # bash 5.2: '&' in a value stays literal

usage() { echo "usage: deploy/render.sh ENV IMAGE_TAG RELEASE_CREATED OUT_DIR" >&2; exit 2; }
[ $# -eq 4 ] || usage
env_name=$1 image_tag=$2 release_created=$3 out=$4
[[ "$release_created" =~ ^[0-9]{16}$ ]] || { echo "error: RELEASE_CREATED '$release_created' is not epoch microseconds" >&2; usage; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env_file="$root/config/env/$env_name.env"
[ -f "$env_file" ] || { echo "error: no environment '$env_name' ($env_file)" >&2; exit 2; }

set -a
# shellcheck source=/dev/null
. "$env_file"
set +a
# shellcheck disable=SC2034  # both read through ${!name} below
IMAGE_TAG=$image_tag
# shellcheck disable=SC2034
RELEASE_CREATED=$release_created

mkdir -p "$out"
for template in "$root"/deploy/cloudrun/*.yaml; do
  content=$(<"$template")
  for name in $(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$template" | tr -d '${}' | sort -u); do
    if [ -z "${!name+set}" ]; then
      echo "error: $(basename "$template") needs $name, which $env_file does not set" >&2
      exit 1
    fi
    content=${content//"\${$name}"/"${!name}"}
  done
  printf '%s\n' "$content" > "$out/$(basename "$template")"
done
echo "rendered $(ls "$out" | wc -l) manifest(s) for $env_name into $out" >&2
