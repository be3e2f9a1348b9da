# syntax=docker/dockerfile:1
# ISMS Cloud Assistant. Build:  docker build -t isms-assistant .
# Pre-fetch the embedding model into the image:  docker build --build-arg PREFETCH_MODEL=Xenova/multilingual-e5-small -t isms-assistant .
ARG NODE_VERSION=24-bookworm-slim

FROM node:${NODE_VERSION} AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
RUN npm ci --omit=dev --no-audit --no-fund

FROM deps AS model
ARG PREFETCH_MODEL=""
ENV ISMS_DATA_DIR=/data
COPY src ./src
COPY corpus ./corpus
COPY tsconfig.json ./
# Downloads the model into /data/models and builds the search index once, so the container starts offline.
RUN mkdir -p /data && if [ -n "$PREFETCH_MODEL" ]; then \
      EMBEDDING_MODEL="$PREFETCH_MODEL" EMBEDDINGS=transformers node --import tsx src/cli/main.ts index --require-dense ; fi

FROM node:${NODE_VERSION} AS runtime
ENV NODE_ENV=production ISMS_DATA_DIR=/data
# A font for the labels of the digest's trend chart (drawn with @napi-rs/canvas).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY corpus ./corpus
COPY prompts ./prompts
COPY slack ./slack
COPY --from=model --chown=node:node /data /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# node itself is PID 1 (no npx/npm/sh wrapper that would swallow the signal): `docker stop` sends SIGTERM to the app,
# which stops gracefully (src/main.ts). tsx is loaded in-process with --import.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
