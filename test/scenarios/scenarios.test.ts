/**
 * Runs every scenario folder (../shared/scenarios, ../shared/scenarios-next and test/scenarios) in-process, with the
 * same rule as ../shared/tools/score-scenarios.mjs (scenario-runner.ts). A scenario whose expected root cause no
 * playbook can name yet (not in any PLAYBOOKS entry's rootCauses) is reported as pending with that reason; every
 * other one must pass.
 */
import { afterAll, describe, it } from 'vitest';
import type { DiagnosisStats } from '../../src/diagnosis/engine.js';
import { diagnoseFolder, expectAsScored, scenarioFolders } from './scenario-runner.js';

const stats: DiagnosisStats[] = [];

afterAll(() => {
  const counts = stats.map((s) => s.requests).sort((a, b) => a - b);
  const median = counts[Math.floor(counts.length / 2)] ?? 0;
  console.log(
    `Kubernetes API requests per diagnosis over ${counts.length} diagnoses: median ${median}, max ${counts.at(-1)}`,
  );
});

for (const { name, dir, expected, missing } of scenarioFolders())
  describe(`scenario ${name}`, () => {
    it.skipIf(missing.length > 0)(
      missing.length > 0 ? `pending: no playbook names ${missing.join(', ')} yet` : 'diagnoses every alert as expected',
      async () => {
        expectAsScored(await diagnoseFolder(dir, {}, (s) => stats.push(s)), expected);
      },
    );
  });
