#!/bin/sh
# The image starts as root for one thing: to learn which group owns the Docker socket (it differs
# from host to host). The monitor then runs as the unprivileged dify-monitor user with that group
# and no_new_privs. Started as another user already (docker run --user …), it runs as that one.
set -eu
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}
if [ "$(id -u)" -ne 0 ]; then
  exec dify-monitor "$@"
fi
groups=dify-monitor
if [ -S "$socket" ]; then
  groups="$groups,$(stat -c %g "$socket")"
fi
exec setpriv --reuid=dify-monitor --regid=dify-monitor --groups="$groups" --no-new-privs -- dify-monitor "$@"
