# cloudward in a container: audits snapshots mounted into /work, writes reports there, needs no network.
#   docker build -t cloudward .
#   docker run --rm --read-only -v "$PWD:/work" cloudward audit snapshot.json --output-dir reports --format text,sarif,html
# Runs as the unprivileged `node` user (uid 1000) and writes nothing outside the mounted folder, so --read-only works
# as is. On a runner whose uid is not 1000 (so the mounted files are not the node user's), run as that uid instead:
#   docker run --rm --read-only --user "$(id -u):$(id -g)" -v "$PWD:/work" cloudward audit snapshot.json ...
#
# Node.js 22 (LTS; 20 reached end of life on 2026-04-30), pinned by digest so a rebuild gets the same base. The
# digest is the multi-platform index of node:22-bookworm-slim (Node.js 22.23.2) as the official image's record has
# it: docker-library/repo-info@3179cb4d576b9929bf86873c87f279ac67661c6e:repos/node/remote/22-bookworm-slim.md.
# To move on: `docker buildx imagetools inspect node:22-bookworm-slim` prints the current one.
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:48e4b67d85f87bd551df43704e24d252f56cc5f8e9718841aace50f19948f0f9

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY policies ./policies
COPY detections ./detections
COPY schemas ./schemas
COPY collectors ./collectors
COPY data ./data
# `npm ci` builds dist/ and the policy cache through `prepare`; the dev tools are dropped afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production NO_UPDATE_NOTIFIER=1
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/policies ./policies
COPY --from=build --chown=root:root /app/detections ./detections
COPY --from=build --chown=root:root /app/schemas ./schemas
COPY --from=build --chown=root:root /app/collectors ./collectors
COPY --from=build --chown=root:root /app/data ./data
COPY --from=build --chown=root:root /app/node_modules ./node_modules
# The code belongs to root and is read-only for the user that runs it.
USER node
WORKDIR /work
ENTRYPOINT ["node", "/app/bin/cloudward.js"]
CMD ["--help"]
