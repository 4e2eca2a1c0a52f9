/**
 * Runs every scenario folder (../shared/scenarios, ../shared/scenarios-next and test/scenarios) in-process, with the
 * same rule as ../shared/tools/score-scenarios.mjs: the code matches, every listed action kind is proposed, no
 * forbidden kind is, every string is mentioned. A scenario whose expected root cause no playbook can name yet (not
 * in any PLAYBOOKS entry's rootCauses) is reported as pending with that reason; every other one must pass.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
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
  /** True when the snapshot lacks something the diagnosis needs (e.g. an HPA without status). */
  partial?: boolean;
}

/** ../shared beside the project (the main checkout), or two levels up (a worktree under wt/). */
const SHARED = [resolve('../shared'), resolve('../../shared')].find(existsSync);
const ROOTS = [
  ...(SHARED ? [join(SHARED, 'scenarios'), join(SHARED, 'scenarios-next')] : []),
  resolve('test/scenarios'),
].filter(existsSync);
const NAMEABLE = new Set<string>(PLAYBOOKS.flatMap((p) => p.rootCauses));
const folders = ROOTS.flatMap((root) =>
  readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'expect.json')))
    .map((name) => {
      const dir = join(root, name);
      const expected = (JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { diagnoses: Expectation[] })
        .diagnoses;
      const missing = [...new Set(expected.map((e) => e.rootCause).filter((code) => !NAMEABLE.has(code)))];
      const from = root.endsWith('test/scenarios') ? 'own' : `shared/${basename(root)}`;
      return { name: `${from}/${name}`, dir, expected, missing };
    }),
);
const stats: DiagnosisStats[] = [];

afterAll(() => {
  const counts = stats.map((s) => s.requests).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)] ?? 0;
  console.log(
    `Kubernetes API requests per diagnosis over ${counts.length} diagnoses: median ${median}, max ${counts.at(-1)}`,
  );
});

for (const { name, dir, expected, missing } of folders)
  describe(`scenario ${name}`, () => {
    it.skipIf(missing.length > 0)(
      missing.length > 0 ? `pending: no playbook names ${missing.join(', ')} yet` : 'diagnoses every alert as expected',
      async () => {
        const payload = webhookPayloadSchema.parse(JSON.parse(readFileSync(join(dir, 'alert.json'), 'utf8')));
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
            const kinds = d.actions.map((a) => a.kind as string);
            expect(kinds).toEqual(expect.arrayContaining(want.actions));
            for (const wrong of want.forbidActions ?? [])
              expect(kinds, `proposes the wrong fix ${wrong}`).not.toContain(wrong);
            const text = [d.rootCause.summary, ...d.evidence.map((e) => e.text)].join('\n').toLowerCase();
            for (const m of want.mustMention ?? []) expect(text, `mentions "${m}"`).toContain(m.toLowerCase());
            for (const a of d.actions)
              expect(ACTION_PARAMS[a.kind].safeParse(a.params).success, JSON.stringify(a)).toBe(true);
            expect(d.partial).toBe(want.partial ?? false);
          }
        } finally {
          await sandbox.close();
        }
      },
    );
  });
