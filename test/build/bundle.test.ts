/**
 * The production build (scripts/build.mjs, what the Dockerfile ships) works on its own: built into a temp dir
 * laid out like the image (dist/ next to node_modules/), it diagnoses exactly as the TypeScript sources do,
 * serves a webhook end to end, and finds its run-time assets (demo snapshot and alerts, console HTML) and the
 * external native addon (resvg, for the memory chart) from the bundle's location.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScenarioObjects, readScenarioPayload, SCENARIOS_DIR } from '../support/alerts.js';
import { MEDIC_BIN, REPO_ROOT } from '../support/medic-process.js';
import { createAlertmanagerSender } from '../support/sender.js';
import { type Stack, startStack } from '../support/stack.js';
import { rebuildThreads } from '../support/threads.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
/** Different playbooks, so most of the bundled diagnosis code runs. */
const SCENARIOS = ['oom-limit', 'crashloop-config-error', 'unsafe-rollout', 'volume-zone-conflict-scaled-down'];

let root: string;
let bundle: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'medic-bundle-'));
  // The image's layout: /app/dist/medic.mjs with /app/node_modules holding the external packages.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--outdir', 'dist'], {
    cwd: root,
  });
  bundle = join(root, 'dist', 'medic.mjs');
  expect(stdout.trim()).toBe(join('dist', 'medic.mjs'));
}, 30_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the production bundle', () => {
  it('is a few files: one entry, chunks for lazily loaded commands, source maps, the copied assets', () => {
    const files = readdirSync(join(root, 'dist'));
    expect(files).toContain('medic.mjs');
    expect(files).toContain('medic.mjs.map');
    expect(files.filter((f) => f.endsWith('.mjs')).length).toBeLessThan(20);
    expect(readdirSync(join(root, 'dist', 'src', 'demo', 'alerts')).length).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'dist', 'src', 'console', 'public'))).toContain('index.html');
  });

  it('diagnoses shared scenarios exactly as the TypeScript sources do', async () => {
    const diagnose = (entry: string, scenario: string) =>
      run(
        process.execPath,
        [
          entry,
          'diagnose',
          '--alert',
          join(SCENARIOS_DIR, scenario, 'alert.json'),
          '--cluster',
          join(SCENARIOS_DIR, scenario, 'cluster.yaml'),
          '--json',
        ],
        { cwd: root },
      ).then((r) => JSON.parse(r.stdout) as unknown[]);
    const results = await Promise.all(
      SCENARIOS.map(async (scenario) => ({
        scenario,
        fromSource: await diagnose(MEDIC_BIN, scenario),
        fromBundle: await diagnose(bundle, scenario),
      })),
    );
    for (const { scenario, fromSource, fromBundle } of results) {
      expect(fromSource.length, scenario).toBeGreaterThan(0);
      expect(fromBundle, scenario).toEqual(fromSource);
    }
  }, 30_000);

  describe('serve --role all', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        sandbox: { objects: readScenarioObjects('oom-limit') },
        aof: false,
        medicEntry: bundle,
      });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('is ready against Redis and the sandbox, accepts a webhook and posts the diagnosis to Slack', async () => {
      const medic = await stack.startMedic('all');
      const ready = await fetch(`${medic.baseUrl}/readyz`);
      expect(ready.status).toBe(200);
      const payload = readScenarioPayload('oom-limit');
      const sender = createAlertmanagerSender({ url: `${medic.baseUrl}/alertmanager` });
      expect((await sender.send(payload)).status).toBe(202);
      const fingerprint = payload.alerts[0]?.fingerprint ?? '';
      await waitFor(() => rebuildThreads(stack.slackCalls).repliesPerFingerprint.get(fingerprint) === 1, {
        timeoutMs: 15_000,
        what: 'the diagnosis reply in Slack',
      });
    });
  });

  describe('demo', () => {
    let child: ChildProcess | undefined;
    afterAll(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it('loads the demo snapshot and alerts, serves the console and draws the memory chart (resvg)', async () => {
      // Without REDIS_URL the demo starts a private redis-server.
      const env = Object.fromEntries(
        Object.entries({ ...process.env, LOG_LEVEL: 'silent' }).filter(([k]) => k !== 'REDIS_URL'),
      );
      child = spawn(process.execPath, [bundle, 'demo', '--port', '0'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stderr?.on('data', (d) => {
        out += String(d);
      });
      await new Promise<void>((resolve, reject) => {
        child?.stdout?.on('data', (d) => {
          out += String(d);
          if (out.includes('Press Ctrl-C')) resolve();
        });
        child?.once('exit', (code) => reject(new Error(`demo exited early (${code}): ${out}`)));
      });
      expect(out).toMatch(/✔ 8 alerts in 5 groups/);
      const consoleUrl = /Console\s+(http:\/\/localhost:\d+\/console\/)/.exec(out)?.[1] ?? '';
      const page = await fetch(consoleUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      expect((await fetch(`${consoleUrl}app.js`)).status).toBe(200);

      // The OOM thread gets a PNG memory chart, drawn by the external native addon.
      const png = await waitFor(
        async () => {
          const state = JSON.stringify(await (await fetch(`${consoleUrl}api/state`)).json());
          return /"id":"([^"]+)","name":"[^"]+\.png"/.exec(state)?.[1];
        },
        { timeoutMs: 10_000, what: 'a .png file in the demo workspace' },
      );
      const image = Buffer.from(await (await fetch(`${consoleUrl}api/files/${png}`)).arrayBuffer());
      expect(image.subarray(1, 4).toString('latin1')).toBe('PNG');

      const exited = once(child, 'exit');
      child.kill('SIGINT');
      expect((await exited)[0]).toBe(0);
    }, 30_000);
  });
});
