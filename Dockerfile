# syntax=docker/dockerfile:1
# The Parley server: the API (TypeScript run by tsx) serving the built web app.
#   docker build -t parley .
#   docker run -p 3000:3000 -v parley-data:/data -e JWT_SECRET=... parley   (embedded PGlite)
# docker-compose.yml runs three replicas of it on Postgres and Redis behind nginx.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
# No Electron binary (the desktop app is not built here) and no install scripts: native
# parts (argon2, esbuild, rolldown) come as prebuilt optional packages from the registry.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Everything, dev tools included: generates the Prisma client and builds the web app.
FROM base AS build
COPY . .
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts
RUN npm run db:generate && npm run build -w @parley/web

# Production dependencies only (tsx, which runs the server, is one of them).
FROM base AS prod-deps
COPY . .
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts

FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=prod-deps --chown=node:node /app /app
COPY --from=build --chown=node:node /app/packages/db/src/generated /app/packages/db/src/generated
COPY --from=build --chown=node:node /app/apps/web/dist /app/apps/web/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Pending migrations are applied at start under a Postgres advisory lock (replicas starting
# together wait for one another); `npm run db:migrate` does the same from the CLI.
# node runs as PID 1 and handles SIGTERM itself: requests in flight finish, then it exits.
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
