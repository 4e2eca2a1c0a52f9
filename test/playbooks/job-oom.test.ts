/** An OOM kill in a CronJob's Job (test/scenarios/cronjob-job-oom-killed): where to raise the limit, and no restart count. */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser } from './diagnose-scenario.js';

const diagnoseScenario = scenarioDiagnoser();

describe("a CronJob's Job killed by its memory limit", () => {
  it("sends the raise to the CronJob's jobTemplate and gives no restart count for pods that never restart", async () => {
    const d = await diagnoseScenario('test/scenarios/cronjob-job-oom-killed');
    expect(d.rootCause.code).toBe('OOM_LIMIT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain("Raise the memory limit to 512Mi in CronJob ledger-export's jobTemplate");
    expect(d.rootCause.summary).not.toContain('restart(s)');
  });
});
