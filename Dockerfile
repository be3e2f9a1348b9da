# syntax=docker/dockerfile:1
# ISMS Cloud Assistant: the production image.
#
#   docker build -t isms-assistant .
#   docker build --build-arg PREFETCH_MODEL=Xenova/multilingual-e5-small -t isms-assistant .   # embedding model inside
#   docker compose up -d                                                                      # compose.yaml, .env
#
# One Node.js LTS line everywhere: NODE_VERSION here, "engines" in package.json, .nvmrc and the machines CI runs on.
# Stages: build (all dependencies, compile TypeScript, drop what production does not need) -> model (optional
# pre-fetch of the embedding model) -> runtime (node on dist/ under tini, as the non-root node user).
ARG NODE_VERSION=20-bookworm-slim

FROM node:${NODE_VERSION} AS build
WORKDIR /app
# better-sqlite3 and hnswlib-node compile from source. Debian packages are not pinned (hadolint DL3008): bookworm's
# point releases carry security fixes, and the base image tag pins the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
# onnxruntime-node's install script would download CUDA libraries; the CPU build ships in the npm package.
ENV ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json ./
# Dependencies first (a cached layer while only the sources change); the root's `prepare` (build) runs below instead.
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && npm rebuild --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
ARG TARGETARCH=amd64
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund \
    && rm -rf node_modules/onnxruntime-web \
              node_modules/onnxruntime-node/bin/napi-v3/darwin \
              node_modules/onnxruntime-node/bin/napi-v3/win32 \
    && if [ "$TARGETARCH" = "arm64" ]; then rm -rf node_modules/onnxruntime-node/bin/napi-v3/linux/x64; \
       else rm -rf node_modules/onnxruntime-node/bin/napi-v3/linux/arm64; fi \
    && find dist -name '*.map' -delete

# Optional: the embedding model, fetched once at build time into /app/models (not the /data volume, which an
# existing volume would hide and backups would carry). Empty PREFETCH_MODEL: an empty folder.
FROM build AS model
ARG PREFETCH_MODEL=""
COPY corpus ./corpus
RUN mkdir -p /app/models \
    && if [ -n "$PREFETCH_MODEL" ]; then \
         ISMS_DATA_DIR=/tmp/prefetch EMBEDDINGS=transformers EMBEDDING_MODEL="$PREFETCH_MODEL" \
           node dist/src/cli/main.js index --require-dense \
         && cp -r /tmp/prefetch/models/. /app/models/ \
         && rm -rf /tmp/prefetch; \
       fi

FROM node:${NODE_VERSION} AS runtime
# tini: PID 1 that forwards signals to node and reaps zombies. A Japanese font (IPAGothic) and DejaVu for the labels
# of the digest's trend chart (drawn with @napi-rs/canvas, which reads the system fonts).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini fonts-ipafont-gothic fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    ISMS_DATA_DIR=/data \
    ISMS_MODELS_DIR=/app/models \
    HEALTH_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY corpus ./corpus
COPY prompts ./prompts
COPY slack ./slack
COPY --from=model /app/models ./models
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 3000: Slack HTTP mode (/slack/events, /healthz). 8080: HEALTH_PORT (/healthz in every Slack mode).
EXPOSE 3000 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "dist/src/healthcheck.js"]
# tini is PID 1 and passes SIGTERM from `docker stop` to node, which stops gracefully (src/main.ts).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/main.js"]
