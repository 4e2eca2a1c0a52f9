# Medic container image: the `medic` CLI as entrypoint (deploy/ passes `serve --role web|worker`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY handlers ./handlers
COPY playbooks ./playbooks
# Compile to dist/, copy the non-TypeScript assets next to the compiled files, and write the launcher.
RUN npx tsc -p tsconfig.build.json --outDir dist \
 && (cd src && find . -type f ! -name '*.ts' -exec cp --parents {} ../dist/src/ \;) \
 && printf "const { runCli } = await import('./src/cli.js');\nprocess.exitCode = await runCli(process.argv.slice(2));\n" > dist/medic.mjs

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Cap Medic's V8 heap (set after `npm ci`, which must not run under it). Medic's live heap stays under ~80 MB
# even in a 5,000-alert storm, but V8 left to itself grows the heap to ~260 MB of mostly garbage before
# collecting (storm peak RSS ~350 MB; bar 300 MB); capped, the same storm peaks at ~200 MB RSS and drains as
# fast (bench:storm). The young generation is set
# explicitly because V8 shrinks it with the cap, which promotes more short-lived objects and cost ~20% more
# CPU per alert (bench:cost); with 16 MB the cap costs about 8%, within run-to-run noise.
# Raise the cap for much larger clusters (bigger live heap): NODE_OPTIONS in the Deployment overrides this.
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=16"
USER node
EXPOSE 3000
ENTRYPOINT ["node", "/app/dist/medic.mjs"]
CMD ["serve"]
