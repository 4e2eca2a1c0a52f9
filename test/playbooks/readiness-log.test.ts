/**
 * A readiness probe failing because a dependency refuses the app
 * (test/scenarios/readiness-fails-database-rejects-credentials): the current log gets the crash readings.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const SCENARIO = 'test/scenarios/readiness-fails-database-rejects-credentials';
const diagnoseScenario = scenarioDiagnoser();

describe('a readiness probe that fails on what the app depends on', () => {
  it('says what the current log shows: the database rejects the credentials from the Secret', async () => {
    const d = await diagnoseScenario(SCENARIO);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.rootCause.summary).toContain(
      'The MySQL server rejects the credentials of container orders-api (user orders)',
    );
    expect(d.rootCause.summary).toContain('Secret orders-db-credentials (env DB_PASSWORD, key password)');
    expect(d.rootCause.summary).not.toContain('Check what the readiness endpoint depends on');
    expect(d.actions).toEqual([]);
  });

  it('keeps the general advice when the log says nothing it knows', async () => {
    const d = await diagnoseScenario(
      SCENARIO,
      eachObject((o) => {
        if (o.kind === 'PodLogs') o.containers = { 'orders-api': 'ERROR readiness DOWN: warming caches\n' };
      }),
    );
    expect(d.rootCause.summary).toContain('Check what the readiness endpoint depends on');
  });
});
