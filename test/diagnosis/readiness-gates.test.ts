import { describe, expect, it } from 'vitest';
import { gateSummary, heldByGates } from '../../src/diagnosis/readiness-gates.js';
import type { Pod } from '../../src/kube/reader.js';

const GATE = 'example.com/registered';

function pod(name: string, ready: boolean, containersReady: boolean, gate?: { status: string; reason?: string }): Pod {
  return {
    metadata: { name, namespace: 'shop' },
    spec: { containers: [{ name: 'app' }], readinessGates: [{ conditionType: GATE }] },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: containersReady ? 'True' : 'False' },
        ...(gate ? [{ type: GATE, ...gate }] : []),
      ],
    },
  } as Pod;
}

describe('readiness gates', () => {
  it('holds only pods whose containers are ready while a gate is not True', () => {
    const held = heldByGates([
      pod('a', false, true),
      pod('b', false, true, { status: 'False', reason: 'NotRegistered' }),
      pod('c', true, true, { status: 'True' }),
      pod('d', false, false),
    ]);
    expect(held.map((h) => [h.pod.metadata?.name, h.condition?.status ?? null])).toEqual([
      ['a', null],
      ['b', 'False'],
    ]);
  });

  it('names an unknown gate by its condition and says that nothing has set it', () => {
    const summary = gateSummary(heldByGates([pod('a', false, true)]), 2, 'Deployment shop/web');
    expect(summary).toContain('1 of 2 pod(s) of Deployment shop/web (a)');
    expect(summary).toContain(`the controller that owns the condition ${GATE}`);
    expect(summary).toContain('No controller has set it');
    expect(summary).toContain('remove it from readinessGates');
  });
});
