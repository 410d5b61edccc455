# cloudward in a container: audits snapshots mounted into /work, writes reports there, needs no network.
#   docker build -t cloudward .
#   docker run --rm --read-only -v "$PWD:/work" cloudward audit snapshot.json --output-dir reports --format text,sarif,html
# Runs as the unprivileged `node` user and writes nothing outside the mounted folder, so --read-only works as is.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
COPY policies ./policies
COPY detections ./detections
COPY schemas ./schemas
COPY collectors ./collectors
# `npm ci` builds dist/ and the policy cache through `prepare`; the dev tools are dropped afterwards.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production NO_UPDATE_NOTIFIER=1
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/policies ./policies
COPY --from=build --chown=root:root /app/detections ./detections
COPY --from=build --chown=root:root /app/schemas ./schemas
COPY --from=build --chown=root:root /app/collectors ./collectors
COPY --from=build --chown=root:root /app/node_modules ./node_modules
# The code belongs to root and is read-only for the user that runs it.
USER node
WORKDIR /work
ENTRYPOINT ["node", "/app/bin/cloudward.js"]
CMD ["--help"]
