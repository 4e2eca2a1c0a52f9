/**
 * The import boundaries hold: `npm run check` (biome check .) fails on a forbidden import. Each case writes a
 * fixture file at the path it names into a copy of the project's lint configuration (biome.json + lint/*.grit)
 * and runs the real Biome on it, so a rule that stops matching, or an override that stops covering a folder,
 * fails here.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');

/** [file path in the project, its source, the boundary it breaks (a word of the message) or null when allowed]. */
const CASES: Array<[string, string, string | null]> = [
  ['src/pipeline/uses-bullmq.ts', "import { Queue } from 'bullmq';", 'bullmq is used only in src/queue'],
  ['src/pipeline/reexports-bullmq.ts', "export * from 'bullmq';", 'bullmq is used only in src/queue'],
  ['src/pipeline/loads-bullmq.ts', "export const m = await import('bullmq');", 'bullmq is used only in src/queue'],
  ['handlers/uses-bullmq.ts', "import type { Job } from 'bullmq';", 'bullmq is used only in src/queue'],
  ['src/queue/uses-bullmq.ts', "import { Queue } from 'bullmq';", null],
  ['src/slack/uses-ioredis.ts', "import { Redis } from 'ioredis';", 'ioredis is used only in src/store'],
  ['src/demo/run-redis.ts', "import { Redis } from 'ioredis';", 'ioredis is used only in src/store'],
  ['src/store/uses-ioredis.ts', "import { Redis } from 'ioredis';", null],
  ['src/demo/redis.ts', "import { Redis } from 'ioredis';", null],
  ['src/remediation/uses-slack.ts', "import type { WebClient } from '@slack/web-api';", '@slack/* is used only'],
  ['handlers/alertmanager-slack.ts', "import { App } from '@slack/bolt';", '@slack/* is used only'],
  ['handlers/slack-example.ts', "import { App } from '@slack/bolt';", null],
  ['src/slack/uses-slack.ts', "import { WebClient } from '@slack/web-api';", null],
  ['src/diagnosis/uses-client-node.ts', "import type { V1Pod } from '@kubernetes/client-node';", 'only in src/kube'],
  ['playbooks/uses-client-node.ts', "import type { V1Pod } from '@kubernetes/client-node';", 'only in src/kube'],
  ['src/kube/uses-client-node.ts', "import type { V1Pod } from '@kubernetes/client-node';", null],
  ['src/queue/runs-playbooks.ts', "import { PLAYBOOKS } from '../../playbooks/index.js';", 'composition root'],
  ['src/pipeline/uses-handler.ts', "import { x } from '../../handlers/alertmanager.js';", 'composition root'],
  ['handlers/uses-playbook.ts', "import { x } from '../playbooks/oom-killed.js';", 'composition root'],
  ['src/main.ts', "import { PLAYBOOKS } from '../playbooks/index.js';", null],
  ['src/cli/wires.ts', "import { x } from '../../handlers/alertmanager.js';", null],
  ['src/pipeline/uses-sandbox.ts', "import { startSandbox } from '../sandbox/index.js';", 'stand-ins'],
  ['src/slack/uses-simulator.ts', "import type { SimUser } from '../slack-simulator/index.js';", 'stand-ins'],
  ['src/demo/uses-sandbox.ts', "import { startSandbox } from '../sandbox/index.js';", null],
  ['src/cli/uses-sandbox.ts', "import { startSandbox } from '../sandbox/index.js';", null],
  ['playbooks/uses-express.ts', "import express from 'express';", 'never touch HTTP'],
  ['playbooks/uses-remediation.ts', "import { x } from '../src/remediation/index.js';", 'Playbooks import only'],
  ['test/queue/uses-bullmq.test.ts', "import { Queue } from 'bullmq';", null],
  ['bench/uses-ioredis.ts', "import { Redis } from 'ioredis';", 'ioredis is used only in src/store'],
  ['test/store/uses-ioredis.test.ts', "import { Redis } from 'ioredis';", 'ioredis is used only in src/store'],
  ['test/queue/uses-client-node.test.ts', "import { CoreV1Api } from '@kubernetes/client-node';", null],
];

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}

let dir: string;
let byPath: Map<string, string[]>;
let exitCode: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'medic-lint-'));
  await cp(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
  await cp(join(ROOT, 'lint'), join(dir, 'lint'), { recursive: true });
  for (const [path, source] of CASES) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), `${source}\n`);
  }
  // The copy has no .git, so the VCS integration (ignore files) is off; the rules and overrides are the project's.
  const { stdout, code } = await new Promise<{ stdout: string; code: number }>((done) => {
    execFile(BIOME, ['lint', '--vcs-enabled=false', '--reporter=json', '.'], { cwd: dir }, (error, out) => {
      done({ stdout: out, code: error ? Number(error.code ?? 1) : 0 });
    });
  });
  exitCode = code;
  const report = JSON.parse(stdout) as { diagnostics: Diagnostic[] };
  byPath = new Map();
  // Only the boundary rules: a fixture's unused import is not what this test is about.
  const boundaries = report.diagnostics.filter(
    (d) => d.category === 'plugin' || d.category === 'lint/style/noRestrictedImports',
  );
  for (const d of boundaries) byPath.set(d.location.path, [...(byPath.get(d.location.path) ?? []), d.message]);
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('import boundaries', () => {
  it('fail the lint step of npm run check', () => {
    expect(exitCode).not.toBe(0);
  });

  it.each(CASES)('%s: %s', (path, _source, broken) => {
    const messages = byPath.get(path) ?? [];
    if (broken === null) expect(messages).toEqual([]);
    else expect(messages.some((m) => m.includes(broken))).toBe(true);
  });
});
