#!/usr/bin/env bash
# Container health check of a service image: GET http://127.0.0.1:$PORT<path>, healthy on HTTP 200.
# Plain bash (/dev/tcp), so the runtime image needs no curl or wget and no package-manager layer.
set -euo pipefail
path="${1:-/actuator/health/liveness}"
port="${PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS=' ' read -r -t 3 _ status _ <&3
[ "$status" = 200 ]
