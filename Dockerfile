# syntax=docker/dockerfile:1
# Polyglyph worker / CLI image.  docker build -t polyglyph .   docker run --rm polyglyph --help
# The same image runs `worker` (default), `scheduler`, `dashboard`, `enqueue`, `run`, `validate`, and the
# stand-in `mock-api`.
# Node 24, the Active LTS line (Node 20 left maintenance in April 2026). The dependencies are pinned to
# versions that also run on Node 20, for hosts that run the CLI directly; CI tests on the machine's Node.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so editing source does not invalidate the dependency layer.
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs tsc, and the sources are not copied yet; it is run below instead.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY workers ./workers
# `npm run build` compiles to dist/ and copies the Lua scripts (src/redis/commands/*.lua) beside the
# compiled loader: tsc copies no .lua, and the runtime stage takes dist/ only.
RUN npm run build

# ---- runtime: production dependencies and compiled output only ---------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# The text check reads every image back with Tesseract (six languages); the stand-in (mock-api) draws
# its text with the Noto fonts of the six scripts. See docs/text-check.md.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-jpn tesseract-ocr-kor tesseract-ocr-hin tesseract-ocr-ben tesseract-ocr-chi-sim tesseract-ocr-chi-tra fonts-noto-core fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev: no TypeScript, ESLint, Vitest or Azurite in the image (storage comes from
# AZURE_STORAGE_CONNECTION_STRING). --ignore-scripts: `prepare` would call tsc, which is not installed;
# sharp's native binary arrives through its optional @img/* packages, not an install script.
RUN npm ci --no-audit --no-fund --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY samples ./samples
# Code stays root-owned (read-only to the app); only the working directory is writable, because
# `polyglyph run` writes its reports (polyglyph-reports/) and local state (.polyglyph/) there.
RUN chown node:node /app
USER node
ENTRYPOINT ["node", "bin/polyglyph.js"]
CMD ["worker"]
