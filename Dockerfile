# Medic container image: the `medic` CLI as entrypoint (deploy/ passes `serve --role web|worker`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY handlers ./handlers
COPY playbooks ./playbooks
# `npm run build`: a type check (tsc, no output), then scripts/build.mjs: an esbuild bundle, dist/medic.mjs plus a
# chunk per lazily loaded command, linked source maps, and the files src/ reads at run time (demo snapshot,
# console HTML) under dist/src/. Node loading Medic as a few files instead of file by file (over 800 files of
# @kubernetes/client-node alone) keeps idle RSS well under 150 MB (bench:footprint, docs/reliability.md).
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The memory chart attached to OOM diagnoses is drawn by resvg with the system's "DejaVu Sans"; the slim image
# has no fonts, so without this package its text would be blank.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The bundle leaves native addons and optional packages external (scripts/build.mjs EXTERNAL): the production
# dependencies are installed for those.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Cap Medic's V8 heap (set after `npm ci`, which must not run under it). Medic's live heap stays under ~80 MB
# even in a 5,000-alert storm, but V8 left to itself grows the heap to ~260 MB of mostly garbage before
# collecting (storm peak RSS ~350 MB; bar 300 MB); capped, the same storm peaks at ~200 MB RSS and drains as
# fast (bench:storm). The young generation is set
# explicitly because V8 shrinks it with the cap, which promotes more short-lived objects and cost ~20% more
# CPU per alert (bench:cost); with 16 MB the cap costs about 8%, within run-to-run noise.
# Raise the cap for much larger clusters (bigger live heap): NODE_OPTIONS in the Deployment overrides this.
# No --enable-source-maps: the .map files ship in dist/ and stack traces keep function names, but with the flag
# the first error stack V8 formats decodes the bundle's maps into ~40 MB of heap for good (storm peak RSS
# 170 -> 225 MB). Add it to NODE_OPTIONS when debugging to get src/…/*.ts lines in stack traces.
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=16"
USER node
EXPOSE 3000
ENTRYPOINT ["node", "/app/dist/medic.mjs"]
CMD ["serve"]
