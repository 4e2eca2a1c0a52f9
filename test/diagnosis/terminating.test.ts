import { describe, expect, it } from 'vitest';
import { heldByFinalizers, heldWords, isBeingDeleted } from '../../src/diagnosis/terminating.js';
import type { Pod } from '../../src/kube/reader.js';

const AT = Date.parse('2026-11-20T01:30:00Z');

function pod(name: string, deletion?: string, finalizers?: string[]): Pod {
  return {
    metadata: {
      name,
      namespace: 'streaming',
      ...(deletion ? { deletionTimestamp: deletion, deletionGracePeriodSeconds: 30 } : {}),
      ...(finalizers ? { finalizers } : {}),
    },
    status: { phase: 'Failed' },
  } as Pod;
}

describe('pods a finalizer keeps Terminating', () => {
  it('holds a pod past its deletion time with a finalizer, not one still shutting down or without finalizers', () => {
    const pods = [
      pod('kafka-2', '2026-11-20T01:12:40Z', ['streaming.acme.io/broker-decommission']),
      pod('kafka-1', '2026-11-20T01:29:30Z', ['streaming.acme.io/broker-decommission']),
      pod('kafka-0', '2026-11-20T01:00:00Z'),
      pod('kafka-3'),
    ];
    expect(heldByFinalizers(pods, AT).map((h) => h.pod.metadata?.name)).toEqual(['kafka-2']);
    expect(isBeingDeleted(pods[2] as Pod)).toBe(true);
    expect(isBeingDeleted(pods[3] as Pod)).toBe(false);
  });

  it("names the finalizer, the StatefulSet's missing replacement and the manual patch", () => {
    const held = heldByFinalizers([pod('kafka-2', '2026-11-20T01:12:40Z', ['a.io/x', 'b.io/y'])], AT);
    const words = heldWords(held, 'StatefulSet kafka');
    expect(words.summary).toContain('finalizer(s) a.io/x, b.io/y');
    expect(words.summary).toContain('StatefulSet kafka does not create the replacement of kafka-2');
    expect(words.summary).toContain('"finalizers":null');
    expect(words.evidence[0]).toContain('grace period 30s');
  });
});
