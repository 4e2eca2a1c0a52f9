/**
 * NetworkPolicies that drop a pod's traffic (test/scenarios/crashloop-egress-policy-blocks-dns,
 * networkpolicy-isolates-service-target-down), read through the sandbox API server's networking.k8s.io list.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DNS = 'test/scenarios/crashloop-egress-policy-blocks-dns';
const ISOLATED = 'test/scenarios/networkpolicy-isolates-service-target-down';
const diagnoseScenario = scenarioDiagnoser();
type Any = Record<string, any>;

const policyNamed = (name: string, edit: (spec: Any) => void) =>
  eachObject((o) => {
    if (o.kind === 'NetworkPolicy' && o.metadata.name === name) edit(o.spec);
  });

describe('a NetworkPolicy that drops the traffic a crash loop times out on', () => {
  it('names an egress policy without port 53 instead of blaming the cluster DNS', async () => {
    const d = await diagnoseScenario(DNS);
    expect(d.rootCause.summary).toContain('NetworkPolicy geo-egress-mongodb-only limits the egress');
    expect(d.rootCause.summary).toContain('no rule allows port 53');
    expect(d.rootCause.summary).not.toContain('look at the cluster DNS');
    expect(d.evidence.map((e) => e.text)).toContain(
      'NetworkPolicy geo-egress-mongodb-only (namespace hotel-reservation): podSelector io.kompose.service=geo, policyTypes Egress; 1 egress rule(s)',
    );
    expect(d.actions).toEqual([]);
  });

  it('with DNS allowed, the cluster DNS is looked at and the policy is only pointed at', async () => {
    const d = await diagnoseScenario(
      DNS,
      policyNamed('geo-egress-mongodb-only', (spec) => spec.egress.push({ ports: [{ protocol: 'UDP', port: 53 }] })),
    );
    expect(d.rootCause.summary).toContain('look at the cluster DNS');
    expect(d.rootCause.summary).toContain('is limited by NetworkPolicy geo-egress-mongodb-only');
  });

  it('names the policy that isolates the Service behind the ClusterIP a connection times out on', async () => {
    const lockdown = eachObject((o) => {
      if (o.kind === 'PodLogs')
        o.previous = { 'hotel-reserv-geo': 'panic: no reachable servers: dial tcp 10.96.88.14:27017: i/o timeout\n' };
      if (o.kind === 'NetworkPolicy') {
        o.metadata.name = 'mongodb-lockdown';
        o.spec = { podSelector: { matchLabels: { 'io.kompose.service': 'mongodb-geo' } }, policyTypes: ['Ingress'] };
      }
    });
    const mongo = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'mongodb-geo-5c9b7-x1',
        namespace: 'hotel-reservation',
        labels: { 'io.kompose.service': 'mongodb-geo' },
      },
      spec: { containers: [{ name: 'mongo', image: 'mongo:4.4' }] },
      status: { phase: 'Running' },
    };
    const d = await diagnoseScenario(DNS, (objects) => [...lockdown(objects), mongo]);
    expect(d.rootCause.summary).toContain(
      'The address it times out on, 10.96.88.14:27017, is Service mongodb-geo, whose pods (mongodb-geo-5c9b7-x1 among them) NetworkPolicy mongodb-lockdown selects for ingress with no rule',
    );
  });
});

describe('a workload a NetworkPolicy cuts off while its pods look healthy', () => {
  it('is the UNKNOWN finding for a TargetDown on its Service', async () => {
    const d = await diagnoseScenario(ISOLATED);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.rootCause.summary).toContain('NetworkPolicy deny-all-recommendation selects pod');
    expect(d.actions).toEqual([]);
  });

  it('is not claimed when the policy selects other pods', async () => {
    const d = await diagnoseScenario(
      ISOLATED,
      policyNamed('deny-all-recommendation', (spec) => {
        spec.podSelector = { matchLabels: { 'io.kompose.service': 'search' } };
      }),
    );
    expect(d.rootCause.summary).toContain('No known failure mode found');
    expect(d.rootCause.summary).not.toContain('NetworkPolicy');
  });
});
