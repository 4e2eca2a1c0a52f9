import { describe, expect, it } from 'vitest';
import { isolationOf, isolationWords } from '../../src/diagnosis/network-policies.js';
import type { NetworkPolicy, Pod } from '../../src/kube/reader.js';

const pod = (labels: Record<string, string>, hostNetwork = false): Pod =>
  ({ metadata: { name: 'api-1', namespace: 'shop', labels }, spec: { containers: [], hostNetwork } }) as Pod;
const policy = (name: string, spec: NonNullable<NetworkPolicy['spec']>): NetworkPolicy => ({
  metadata: { name, namespace: 'shop' },
  spec,
});
const API = { app: 'api', tier: 'backend' };

describe('which NetworkPolicies isolate a pod', () => {
  it('applies Ingress by default and Egress only with egress rules, as the API defines policyTypes', () => {
    const ingressOnly = policy('deny-in', { podSelector: { matchLabels: { app: 'api' } } });
    expect(isolationOf(pod(API), [ingressOnly])).toEqual([
      { direction: 'ingress', policies: ['deny-in'], denyAll: true, dns: 'allowed' },
    ]);
    const withEgress = policy('out', { podSelector: {}, egress: [{ to: [{ podSelector: {} }] }] });
    expect(isolationOf(pod(API), [withEgress]).map((i) => [i.direction, i.denyAll])).toEqual([
      ['ingress', true],
      ['egress', false],
    ]);
  });

  it('selects by matchExpressions, every pod with an empty selector, and never a hostNetwork pod', () => {
    const byExpression = policy('backend', {
      podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
      policyTypes: ['Egress'],
    });
    expect(isolationOf(pod(API), [byExpression])[0]?.policies).toEqual(['backend']);
    expect(isolationOf(pod({ app: 'web', tier: 'front' }), [byExpression])).toEqual([]);
    const all = policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(isolationOf(pod(API, true), [all])).toEqual([]);
    expect(isolationWords(pod(API), isolationOf(pod(API), [all]))).toContain('for ingress and egress and allows none');
  });

  it("tells DNS allowed over UDP, over TCP only (a port's protocol defaults to TCP) and not at all", () => {
    const egressTo = (ports: { port?: number | string; endPort?: number; protocol?: string }[]) =>
      isolationOf(pod(API), [
        policy('out', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ ports }] }),
      ])[0]?.dns;
    expect(egressTo([{ port: 53, protocol: 'UDP' }])).toBe('allowed');
    expect(egressTo([{ port: 'dns', protocol: 'UDP' }])).toBe('allowed');
    expect(egressTo([{ port: 1, endPort: 1024, protocol: 'UDP' }])).toBe('allowed');
    expect(egressTo([{ port: 53 }])).toBe('tcp-only');
    expect(egressTo([{ port: 5432 }])).toBe('blocked');
    const words = isolationWords(
      pod(API),
      isolationOf(pod(API), [
        policy('out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] }),
      ]),
    );
    expect(words).toContain('port 53 over TCP only');
  });

  it('says nothing when no policy selects the pod', () => {
    const other = policy('web-only', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
    expect(isolationWords(pod(API), isolationOf(pod(API), [other]))).toBeNull();
  });
});
