#!/usr/bin/env bash
# Gives the engine the images the stack tests start. There is no registry to pull from, so one
# busybox rootfs is imported once and tagged with every name Dify's compose files use; the tests
# pick the command each container runs. Honours DOCKER_HOST, so it can fill a second engine too.
set -euo pipefail

BOX=dify-monitor/testbox:latest
NAMES=(
  langgenius/dify-api:1.10.1
  langgenius/dify-web:1.10.1
  langgenius/dify-sandbox:0.2.12
  langgenius/dify-plugin-daemon:0.4.1-local
  postgres:15-alpine
  redis:6-alpine
  ubuntu/squid:latest
  nginx:latest
  semitechnologies/weaviate:1.27.0
  busybox:latest
  example/other-app:1.0
  langgenius/dify-api:0.15.3
  langgenius/dify-web:0.15.3
  langgenius/dify-sandbox:0.2.10
  semitechnologies/weaviate:1.19.0
  langgenius/dify-api:1.16.1
  langgenius/dify-agent-backend:1.16.1
  langgenius/dify-agent-local-sandbox:1.16.1
  oceanbase/seekdb:latest
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi

DOCKER=(docker)
if [ "$(id -u)" -ne 0 ] && ! docker info >/dev/null 2>&1; then
  DOCKER=(sudo docker)
fi
# sudo drops the environment, so the engine is named on the command line.
if [ -n "${DOCKER_HOST:-}" ]; then
  DOCKER+=(-H "$DOCKER_HOST")
fi

has_image() {
  "${DOCKER[@]}" image inspect "$1" >/dev/null 2>&1
}

if ! has_image "$BOX"; then
  busybox=$(command -v busybox || true)
  if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    echo "a static busybox is needed (apt-get install busybox-static)" >&2
    exit 1
  fi
  work=$(mktemp -d)
  trap '"${SUDO[@]}" rm -rf "$work"' EXIT
  rootfs=$work/rootfs
  mkdir -p "$rootfs"/{bin,tmp,proc,sys,dev/shm,etc,root}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  # Inside the rootfs, so the applet links point at /bin/busybox rather than at this temp dir.
  "${SUDO[@]}" chroot "$rootfs" /bin/busybox --install -s /bin
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" --owner=0 --group=0 --numeric-owner -c . | "${DOCKER[@]}" import - "$BOX" >/dev/null
fi

for name in "${NAMES[@]}"; do
  if ! has_image "$name"; then
    "${DOCKER[@]}" tag "$BOX" "$name"
  fi
done
