/**
 * A Service with internalTrafficPolicy: Local (test/scenarios/service-internal-traffic-policy-local-one-node, SREGym
 * internal_traffic_policy_local): callers on a node without a ready pod of it have their connections dropped.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const LOCAL = 'test/scenarios/service-internal-traffic-policy-local-one-node';
const CALLER = 'test/scenarios/crashloop-egress-policy-blocks-dns';
const diagnoseScenario = scenarioDiagnoser();

describe('a Service whose internalTrafficPolicy is Local', () => {
  it('is the UNKNOWN finding when its ready pods run on some nodes only', async () => {
    const d = await diagnoseScenario(LOCAL);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain(
      'callers on the other 2 node(s) (worker-2, worker-3) have their connections dropped',
    );
    expect(d.actions).toEqual([]);
  });

  it('is no finding with the Cluster policy', async () => {
    const d = await diagnoseScenario(
      LOCAL,
      eachObject((o) => {
        if (o.kind === 'Service') o.spec.internalTrafficPolicy = 'Cluster';
      }),
    );
    expect(d.rootCause.summary).toContain('No known failure mode found');
  });

  it('names it for a crash-looping caller on a node without a ready pod of the Service it dials', async () => {
    const local = eachObject((o) => {
      if (o.kind === 'PodLogs')
        o.previous = { 'hotel-reserv-geo': 'panic: no reachable servers: dial tcp 10.96.88.14:27017: i/o timeout\n' };
      if (o.kind === 'Service' && o.metadata.name === 'mongodb-geo') o.spec.internalTrafficPolicy = 'Local';
    });
    const mongo = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'mongodb-geo-5c9b7-x1',
        namespace: 'hotel-reservation',
        labels: { 'io.kompose.service': 'mongodb-geo' },
      },
      spec: { nodeName: 'ip-10-0-9-9.ec2.internal', containers: [{ name: 'mongo', image: 'mongo:4.4' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const d = await diagnoseScenario(CALLER, (objects) => [
      ...local(objects).filter((o) => o.kind !== 'NetworkPolicy'),
      mongo,
    ]);
    expect(d.rootCause.summary).toContain(
      "Service mongodb-geo has internalTrafficPolicy: Local, and no ready pod of it runs on this pod's node ip-10-0-1-17.ec2.internal (its ready pods run on ip-10-0-9-9.ec2.internal)",
    );
    expect(d.actions).toEqual([]);
  });
});
