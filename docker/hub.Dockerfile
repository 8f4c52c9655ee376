# syntax=docker/dockerfile:1
#
# The clusterhub hub image, what the Helm chart runs (charts/clusterhub, hub.image). From the
# repository root:
#
#   docker build -f docker/hub.Dockerfile -t clusterhub/hub:0.1.0 .
#
# The tag is the chart's appVersion, its default hub.image.tag. Only the hub goes in: user servers
# run in their own images on Kubernetes (hub.config.backends.<name>.kubernetes.image), so neither
# Python nor jupyterhub-singleuser is here, nor the JupyterLab extension. The project's machines
# have no container engine: this file is checked by test/hub-dockerfile.test.ts, never built there
# (docs/kubernetes.md, "The hub image").

ARG NODE_VERSION=20

# --- build: install with the lockfile, compile TypeScript, drop the dev dependencies ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 compiles its native part when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Every workspace's package.json, so `npm ci` finds the lockfile consistent; only the hub's two
# workspaces (and the root's tools: TypeScript) are installed.
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/hub-service/package.json packages/hub-service/
COPY packages/lab-extension/package.json packages/lab-extension/
COPY ui-tests/package.json ui-tests/
RUN npm ci --workspace packages/shared --workspace packages/hub-service --include-workspace-root --no-audit --no-fund
COPY schema schema
COPY packages/shared packages/shared
COPY packages/hub-service packages/hub-service
RUN npx tsc -b packages/shared packages/hub-service \
 && npm prune --omit=dev --workspace packages/shared --workspace packages/hub-service --include-workspace-root --no-audit --no-fund \
 && mkdir -p packages/shared/node_modules packages/hub-service/node_modules

# --- runtime: Node, the compiled hub, its production dependencies and the config schema ---
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/clusterhub
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules node_modules
# The hub validates its config against schema/ (found by walking up from its lib/ folder).
COPY --from=build /src/schema schema
COPY --from=build /src/packages/shared/package.json packages/shared/
COPY --from=build /src/packages/shared/lib packages/shared/lib
COPY --from=build /src/packages/shared/node_modules packages/shared/node_modules
COPY --from=build /src/packages/hub-service/package.json packages/hub-service/
COPY --from=build /src/packages/hub-service/bin packages/hub-service/bin
COPY --from=build /src/packages/hub-service/lib packages/hub-service/lib
COPY --from=build /src/packages/hub-service/node_modules packages/hub-service/node_modules
# `clusterhub` on PATH (the chart runs `clusterhub serve`; admins `kubectl exec … -- clusterhub user add`).
# The data folder (hub.config.hub.dataDir; the chart mounts a volume there) belongs to the hub's user.
RUN ln -s /opt/clusterhub/packages/hub-service/bin/clusterhub.js /usr/local/bin/clusterhub \
 && mkdir -p /srv/clusterhub /etc/clusterhub \
 && chown 1000:1000 /srv/clusterhub
# The image's `node` user (uid and gid 1000, the chart's hub.uid and hub.gid): never root.
USER 1000:1000
EXPOSE 8000 8081
CMD ["clusterhub", "serve"]
