import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const READINESS = 'test/scenarios/readiness-refused-app-listens-on-loopback';
const LIVENESS = 'test/scenarios/liveness-refused-gunicorn-bound-to-loopback';
const diagnose = scenarioDiagnoser();

/** Every PodLogs object's log of `container` (current or previous) replaced by `text`. */
const logSays = (which: 'containers' | 'previous', container: string, text: string) =>
  eachObject((o) => {
    if (o.kind === 'PodLogs') o[which] = { [container]: text };
  });

describe('a probe refused because the app listens on loopback', () => {
  it('names the listen line for a readiness probe that is only ever refused', async () => {
    const d = await diagnose(READINESS);
    expect(d.rootCause.code).toBe('PROBE_FAILURE');
    expect(d.rootCause.summary).toContain('listens on the loopback address only');
  });

  it('gives no readiness verdict for a refused probe when the app listens on every address', async () => {
    const d = await diagnose(READINESS, logSays('containers', 'api', 'INFO: Uvicorn running on http://0.0.0.0:8000\n'));
    expect(d.rootCause.code).not.toBe('PROBE_FAILURE');
  });

  it('replaces the slow-start advice for a liveness kill, and keeps it without the listen line', async () => {
    const bound = await diagnose(LIVENESS);
    expect(bound.rootCause.summary).toContain('--bind 0.0.0.0:8080');
    expect(bound.rootCause.summary).not.toContain('starts slower');
    const slow = await diagnose(LIVENESS, logSays('previous', 'web', '[INFO] Starting gunicorn 22.0.0\n'));
    expect(slow.rootCause.code).toBe('PROBE_FAILURE');
    expect(slow.rootCause.summary).not.toContain('loopback');
  });
});
