import { describe, expect, it } from 'vitest';
import { nodeLocation, nodeZone } from '../../src/kube/reader.js';

const node = (labels: Record<string, string>) => ({ metadata: { name: 'n', labels } });

describe('zone labels of nodes', () => {
  it('reads an availability zone from the current label, else the legacy one', () => {
    expect(nodeZone(node({ 'topology.kubernetes.io/zone': 'westeurope-2' }))).toBe('westeurope-2');
    expect(nodeZone(node({ 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' }))).toBe('us-east-1a');
    expect(nodeLocation(node({ 'topology.kubernetes.io/zone': 'europe-west1-b' }))).toBe('zone europe-west1-b');
  });

  it('calls a bare number (Azure non-zonal clusters) a fault domain, never a zone', () => {
    const aks = node({ 'topology.kubernetes.io/zone': '1', 'failure-domain.beta.kubernetes.io/zone': '1' });
    expect(nodeZone(aks)).toBeUndefined();
    expect(nodeLocation(aks)).toBe('fault domain 1');
    expect(nodeZone(node({ 'failure-domain.beta.kubernetes.io/zone': '0' }))).toBeUndefined();
  });

  it('says when a node has no zone label, or is not known', () => {
    expect(nodeZone(node({ 'topology.kubernetes.io/zone': '' }))).toBeUndefined();
    expect(nodeLocation(node({}))).toBe('no zone label');
    expect(nodeLocation(undefined)).toBe('unknown node');
  });
});
