import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/liveness-503-checks-database-all-replicas';
const diagnose = scenarioDiagnoser();

/** Every Unhealthy liveness event's message replaced by `message`. */
const livenessSays = (message: string) =>
  eachObject((o) => {
    if (o.kind === 'Event' && o.reason === 'Unhealthy' && /^Liveness/.test(o.message)) o.message = message;
  });

describe('a liveness probe the app answers with 5xx', () => {
  it('says the process is alive and the endpoint checks dependencies, for every replica', async () => {
    const d = await diagnose(DIR);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.rootCause.summary).toContain('restart all 3 pods whenever one fails');
    expect(d.actions).toEqual([]);
  });

  it('keeps the timing advice for a probe that times out', async () => {
    const d = await diagnose(
      DIR,
      livenessSays('Liveness probe failed: Get "http://10.244.1.20:8080/health": context deadline exceeded'),
    );
    expect(d.rootCause.summary).toContain('loosen timeoutSeconds/failureThreshold');
    expect(d.rootCause.summary).not.toContain('checks dependencies');
  });
});
