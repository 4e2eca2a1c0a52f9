/**
 * A Service that cannot route to its running pods (test/scenarios/service-selector-matches-no-pods and
 * service-target-port-not-served): UNKNOWN naming the selector or the targetPort, never "look at the application".
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const SELECTOR = 'test/scenarios/service-selector-matches-no-pods';
const PORT = 'test/scenarios/service-target-port-not-served';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

const edited = (dir: string, change: (o: Any) => void) => diagnoseScenario(dir, eachObject(change));
const isService = (o: Any) => o.kind === 'Service' && o.metadata.name === 'product-search';

describe('a Service that cannot route to its pods', () => {
  it('names the selector no pod matches and the label the nearest pods lack', async () => {
    const d = await diagnoseScenario(SELECTOR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('(app=product-search, version=v2) matches no pod, so it has no endpoints');
    expect(d.rootCause.summary).toContain('have no label version, where the Service asks version=v2');
  });

  it('names a one-label selector whose value differs from the pods', async () => {
    const d = await edited(SELECTOR, (o) => {
      if (isService(o)) o.spec.selector = { app: 'product-serch' };
    });
    expect(d.rootCause.summary).toContain('have app=product-search, where the Service asks app=product-serch');
  });

  it('names a numeric targetPort the main container does not declare, and hedges it', async () => {
    const d = await diagnoseScenario(PORT);
    expect(d.rootCause.summary).toContain('sends traffic to targetPort 9999');
    expect(d.rootCause.summary).toContain('unless the app also listens on 9999 without declaring it');
  });

  it('names a named targetPort no container declares', async () => {
    const d = await edited(PORT, (o) => {
      if (isService(o)) o.spec.ports[0].targetPort = 'grpc';
    });
    expect(d.rootCause.summary).toContain('targets the port named grpc, which no container of its pods declares');
  });

  it('says nothing of ports when the main container declares none (a sidecar may declare its own)', async () => {
    const d = await edited(PORT, (o) => {
      if (o.kind === 'Pod') delete o.spec.containers[0].ports;
    });
    expect(textOf(d)).not.toContain('targetPort');
    expect(d.rootCause.summary).toContain('No known failure mode');
  });
});
