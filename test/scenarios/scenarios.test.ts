/**
 * Runs every scenario folder (../shared/scenarios and test/scenarios) in-process, with the same rule as
 * ../shared/tools/score-scenarios.mjs: the code matches, every listed action kind is proposed, no forbidden one is, every string is mentioned.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine, type DiagnosisStats } from '../../src/diagnosis/engine.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { ACTION_PARAMS } from '../../src/vocabulary.js';

interface Expectation {
  fingerprint: string;
  rootCause: string;
  actions: string[];
  forbidActions?: string[];
  mustMention?: string[];
}

const ROOTS = [resolve('../shared/scenarios'), resolve('test/scenarios')].filter(existsSync);
const folders = ROOTS.flatMap((root) =>
  readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'expect.json')))
    .map((name) => ({
      name: `${root.endsWith('shared/scenarios') ? 'shared' : 'own'}/${name}`,
      dir: join(root, name),
    })),
);
const stats: DiagnosisStats[] = [];

afterAll(() => {
  const counts = stats.map((s) => s.requests).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)] ?? 0;
  console.log(
    `Kubernetes API requests per diagnosis over ${counts.length} diagnoses: median ${median}, max ${counts.at(-1)}`,
  );
});

describe.each(folders)('scenario $name', ({ dir }) => {
  it('diagnoses every alert as expected', async () => {
    const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(join(dir, 'alert.json'), 'utf8')));
    const expected = (JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { diagnoses: Expectation[] })
      .diagnoses;
    const sandbox = await startSandbox({ file: join(dir, 'cluster.yaml') });
    try {
      const engine = createPlaybookEngine({
        reader: createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url }))),
        settings: settingsSchema.parse({}),
        logger: createLogger('silent'),
        onDiagnosis: (s) => stats.push(s),
      });
      const diagnoses = [];
      for (const event of toAlertEvents(payload, Date.now()))
        diagnoses.push(await engine.diagnose(event, AbortSignal.timeout(20_000)));
      for (const want of expected) {
        const d = diagnoses.find((x) => x.alert.fingerprint === want.fingerprint);
        expect(d, `diagnosis for ${want.fingerprint}`).toBeDefined();
        if (!d) continue;
        expect(d.rootCause.code, d.rootCause.summary).toBe(want.rootCause);
        expect(d.actions.map((a) => a.kind)).toEqual(expect.arrayContaining(want.actions));
        for (const kind of want.forbidActions ?? []) expect(d.actions.map((a) => a.kind)).not.toContain(kind);
        const text = [d.rootCause.summary, ...d.evidence.map((e) => e.text)].join('\n').toLowerCase();
        for (const m of want.mustMention ?? []) expect(text, `mentions "${m}"`).toContain(m.toLowerCase());
        for (const a of d.actions)
          expect(ACTION_PARAMS[a.kind].safeParse(a.params).success, JSON.stringify(a)).toBe(true);
        expect(d.partial).toBe(false);
      }
    } finally {
      await sandbox.close();
    }
  });
});
