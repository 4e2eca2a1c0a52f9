#!/usr/bin/env node
/**
 * The production build (`npm run build`, what the Dockerfile ships): Medic bundled by esbuild into
 * <outdir>/medic.mjs plus a chunk per lazily loaded CLI command (`medic demo` does not load into
 * `medic serve`), with linked source maps next to them.
 *
 * Why a bundle: Node loads the tsc output file by file (over 800 files of @kubernetes/client-node alone), and
 * each module costs memory of its own; the bundle holds the same code in a few minified files. Idle RSS of
 * `medic serve --role all`: ~150 MB as tsc output, ~90 MB bundled (bench:footprint, docs/reliability.md).
 *
 * The linked .map files are not used unless Node runs with --enable-source-maps, which the image leaves off:
 * the first stack trace mapped through them decodes ~40 MB of heap that stays.
 *
 * - External (resolved from node_modules at run time, so the image still installs the production
 *   dependencies): native addons and optional packages loaded with a guarded require.
 * - CommonJS dependencies call `require`; the banner gives each output file one from createRequire.
 * - First-party files that find their assets through `import.meta.url` (demo snapshot and alerts, console
 *   HTML) get the URL they would have at the same relative path under <outdir>, and the non-TypeScript files
 *   of src/, handlers/ and playbooks/ are copied there: <outdir>/src/demo/cluster.yaml and so on.
 * - Names stay readable in stack traces and `constructor.name`: whitespace and syntax are minified, identifiers
 *   are not mangled, and keepNames restores the names esbuild renames when two modules clash.
 *
 * Usage: node scripts/build.mjs [--outdir dist] [--minify full|syntax|none] [--no-keep-names] [--no-sourcemap]
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** First-party source folders: bundled, and their non-TypeScript files copied next to the bundle. */
const SOURCE_DIRS = ['src', 'handlers', 'playbooks'];
/**
 * Loaded at run time from node_modules: native addons and optional dependencies behind a guarded require.
 * pino is bundled: Medic logs through pino.destination (sonic-boom) and uses no transports, so thread-stream's
 * worker file, which a bundle could not find, is never loaded.
 */
export const EXTERNAL = [
  '@resvg/resvg-js', // native addon, loaded on the first chart (src/charts/memory-chart.ts)
  'msgpackr-extract', // optional native accelerator of msgpackr (BullMQ)
  'bufferutil', // optional native helpers of ws
  'utf-8-validate',
];

const BANNER =
  "import { createRequire as __medicCreateRequire } from 'node:module';\n" +
  'const require = __medicCreateRequire(import.meta.url);';

/**
 * import.meta.url in a first-party module means "where this file is"; in the bundle every module shares
 * the output file's URL. Each first-party module that uses it gets the URL of its own path under the
 * output directory instead (every output file sits at the top of it), where its assets are copied.
 */
function moduleUrlPlugin() {
  const firstParty = new RegExp(
    `^${escapeRegExp(REPO_ROOT + sep)}(${SOURCE_DIRS.join('|')})${escapeRegExp(sep)}.*\\.ts$`,
  );
  return {
    name: 'medic-module-url',
    setup(build) {
      build.onLoad({ filter: firstParty }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (/import\.meta\.(dirname|filename)\b/.test(source)) {
          return {
            errors: [
              {
                text: `${relative(REPO_ROOT, args.path)}: use import.meta.url (the bundle rewrites it), not import.meta.dirname/filename`,
              },
            ],
          };
        }
        if (!source.includes('import.meta.url')) return undefined;
        const own = `./${relative(REPO_ROOT, args.path).split(sep).join('/').replace(/\.ts$/, '.js')}`;
        return {
          contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`),
          loader: 'ts',
        };
      });
    },
  };
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Moves `from` to `to`, replacing it; retried when a concurrent build (another benchmark) put `to` back first. */
function replaceDir(from, to) {
  for (let attempt = 1; ; attempt += 1) {
    rmSync(to, { recursive: true, force: true });
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      if (attempt >= 5 || !['ENOTEMPTY', 'EEXIST'].includes(error.code)) throw error;
    }
  }
}

function copyAssets(from, to) {
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    if (statSync(source).isDirectory()) copyAssets(source, join(to, name));
    else if (!name.endsWith('.ts')) {
      mkdirSync(to, { recursive: true });
      cpSync(source, join(to, name));
    }
  }
}

/**
 * Builds Medic into `outdir` and returns the entry's path. The build goes to a sibling directory first and
 * replaces `outdir` when complete, so a Medic started from `outdir` meanwhile (benchmarks) finds whole files.
 * @param {{ outdir?: string, minify?: 'full' | 'syntax' | 'none', keepNames?: boolean, sourcemap?: boolean }} [options]
 */
export async function build(options = {}) {
  const outdir = options.outdir ?? join(REPO_ROOT, 'dist');
  const minify = options.minify ?? 'syntax';
  const staging = `${outdir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [{ in: 'scripts/medic-entry.mjs', out: 'medic' }],
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: BANNER },
    minifyWhitespace: minify !== 'none',
    minifySyntax: minify !== 'none',
    minifyIdentifiers: minify === 'full',
    keepNames: options.keepNames ?? true,
    sourcemap: (options.sourcemap ?? true) ? 'linked' : false,
    sourcesContent: false,
    plugins: [moduleUrlPlugin()],
    logLevel: 'warning',
  });
  if (result.warnings.length > 0) throw new Error(`esbuild warnings: ${result.warnings.length} (see above)`);
  for (const dir of SOURCE_DIRS) copyAssets(join(REPO_ROOT, dir), join(staging, dir));
  replaceDir(staging, outdir);
  return join(outdir, 'medic.mjs');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      outdir: { type: 'string' },
      minify: { type: 'string' },
      'no-keep-names': { type: 'boolean' },
      'no-sourcemap': { type: 'boolean' },
    },
  });
  if (values.minify && !['full', 'syntax', 'none'].includes(values.minify)) {
    throw new Error(`--minify ${values.minify}: expected full, syntax or none`);
  }
  const entry = await build({
    ...(values.outdir ? { outdir: resolve(values.outdir) } : {}),
    ...(values.minify ? { minify: values.minify } : {}),
    keepNames: !values['no-keep-names'],
    sourcemap: !values['no-sourcemap'],
  });
  process.stdout.write(`${relative(process.cwd(), entry)}\n`);
}
