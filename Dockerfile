# syntax=docker/dockerfile:1
# Multi-stage: compile (native better-sqlite3 + TypeScript) in a build stage, ship only
# production dependencies and the compiled daemon, running as a non-root user.

FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RBM_CONFIG=/etc/redis-backup-mirror/config.yaml \
    RBM_STORE_PATH=/data/mirror.db \
    RBM_METRICS_LISTEN=0.0.0.0:9464 \
    RBM_FACADE_LISTEN=0.0.0.0:50051
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY proto ./proto
COPY schema ./schema
COPY config ./config
# The example config is the default; mount your own at $RBM_CONFIG (or set RBM_CONFIG).
RUN mkdir -p /etc/redis-backup-mirror /data \
 && cp config/default.yaml /etc/redis-backup-mirror/config.yaml \
 && chown node:node /data
USER node
VOLUME ["/data"]
# 50051: gRPC facade, 9464: Prometheus metrics and health.
EXPOSE 50051 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["run"]
