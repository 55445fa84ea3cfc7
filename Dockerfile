# Dify Monitor's server mode: the dashboard and Prometheus metrics of the Dify stacks on the engine
# whose socket is mounted. Built from this checkout:
#   docker build -t dify-monitor .
#   docker run -d --name dify-monitor -p 7878:7878 \
#     -v /var/run/docker.sock:/var/run/docker.sock:ro -v dify-monitor:/var/lib/dify-monitor dify-monitor
# Beside Dify's own compose file: docker/compose.monitor.yaml.

# The package, built and installed the way `npm install -g` installs it: the bundle and its
# dependencies only, no TypeScript, no dev dependencies, no Electron.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: Electron's would download its binary, which the build never runs.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm pack --silent --pack-destination /tmp \
  && npm install --global --prefix /opt/dify-monitor --omit=dev --no-audit --no-fund /tmp/dify-monitor-*.tgz

# Debian without npm: only the Node binary comes along.
FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /opt/dify-monitor /opt/dify-monitor
COPY docker/entrypoint.sh docker/healthcheck.cjs /opt/dify-monitor/
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/dify-monitor --shell /usr/sbin/nologin dify-monitor \
  && mkdir -p /var/lib/dify-monitor \
  && chown dify-monitor:dify-monitor /var/lib/dify-monitor \
  && chmod 0700 /var/lib/dify-monitor
# The data folder (settings.json, alerts.json, the token) is $XDG_CONFIG_HOME/dify-monitor: the
# volume. `docker exec dify-monitor dify-monitor hosts add …` then finds the same settings.
ENV PATH=/opt/dify-monitor/bin:$PATH \
  XDG_CONFIG_HOME=/var/lib \
  HOME=/var/lib/dify-monitor \
  DIFY_MONITOR_PORT=7878 \
  DIFY_MONITOR_TOKEN_FILE=/var/lib/dify-monitor/token
VOLUME /var/lib/dify-monitor
WORKDIR /var/lib/dify-monitor
# Never part of the Dify stack it watches, even in Dify's compose project (src/dify/discovery.ts).
LABEL dify-monitor.exclude=true \
  org.opencontainers.image.title="Dify Monitor" \
  org.opencontainers.image.description="CPU and memory of self-hosted Dify stacks in Docker, alerts before OOM" \
  org.opencontainers.image.licenses=MIT
EXPOSE 7878
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/opt/dify-monitor/healthcheck.cjs"]
# Starts as root only to read the socket's group, then runs as dify-monitor with that group.
ENTRYPOINT ["/opt/dify-monitor/entrypoint.sh"]
CMD ["serve", "--bind", "0.0.0.0", "--port", "7878", "--metrics", "--token-file", "/var/lib/dify-monitor/token"]
