/**
 * An app crash-looping on "connection refused" while its pod's istio-proxy has no configuration from istiod
 * (test/scenarios/crashloop-istio-proxy-not-ready-no-xds): the sidecar is named, not the database, and no pod is
 * deleted.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/crashloop-istio-proxy-not-ready-no-xds';
const diagnoseScenario = scenarioDiagnoser();

describe('a crash loop behind an Istio sidecar that is not ready', () => {
  it("quotes the proxy's log and proposes nothing", async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('CRASHLOOP_APP_ERROR');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('The pod\'s istio-proxy sidecar is not ready ("Envoy proxy is NOT ready');
    expect(textOf(d)).toContain('istio-proxy log: Envoy proxy is NOT ready');
  });

  it('leaves a crash loop alone once the sidecar is ready and the run began long after it', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind !== 'Pod') return;
        for (const s of o.status.containerStatuses ?? []) if (s.name === 'istio-proxy') s.ready = true;
      }),
    );
    expect(textOf(d)).not.toContain('istio-proxy sidecar');
  });
});
