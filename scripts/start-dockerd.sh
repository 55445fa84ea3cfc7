#!/usr/bin/env bash
# Starts a Docker engine for the tests when none answers. No bridge or iptables: the CI sandbox has neither.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "dockerd: already answering"
  exit 0
fi
if ! command -v dockerd >/dev/null; then
  echo "dockerd is not installed (apt-get install docker.io)" >&2
  exit 1
fi
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi
echo "dockerd: starting"
setsid nohup dockerd --iptables=false --ip-masq=false --bridge=none >/var/log/dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "dockerd: up"
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; last log lines:" >&2
tail -n 20 /var/log/dockerd.log >&2
exit 1
