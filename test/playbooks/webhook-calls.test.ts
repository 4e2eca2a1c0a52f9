/**
 * A webhook the API server cannot call (test/scenarios/webhook-timeout-private-cluster-firewall): a timeout with
 * the webhook's pods running is the control plane's path to the nodes, on the port the Service targets.
 */
import { describe, expect, it } from 'vitest';
import type { PlaybookContext } from '../../src/diagnosis/playbook.js';
import { webhookCallFix } from '../../src/diagnosis/webhook-calls.js';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/webhook-timeout-private-cluster-firewall';
const diagnoseScenario = scenarioDiagnoser();

describe('a webhook the API server cannot call', () => {
  it('names the port the webhook serves on and the firewall of a private cluster', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(
      'pods behind Service gatekeeper-system/gatekeeper-webhook-service on port 8443',
    );
    expect(d.rootCause.summary).toContain('for TCP 8443');
  });

  it('takes a numeric targetPort as it is', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Service' && o.metadata.name === 'gatekeeper-webhook-service') o.spec.ports[0].targetPort = 9443;
      }),
    );
    expect(d.rootCause.summary).toContain('for TCP 9443');
  });

  it('says the caBundle for a certificate error and the pods for missing endpoints, without reading anything', async () => {
    const ctx = {} as PlaybookContext;
    expect(
      await webhookCallFix(ctx, 'Post "https://x.y.svc:443/": x509: certificate signed by unknown authority'),
    ).toContain('caBundle');
    expect(await webhookCallFix(ctx, 'no endpoints available for service "kyverno-svc"')).toContain(
      "Bring the webhook's service back",
    );
  });
});
