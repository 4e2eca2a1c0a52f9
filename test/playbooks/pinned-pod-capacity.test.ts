/**
 * A pod that may run on one node only and finds no room there (test/scenarios/daemonset-pod-no-room-on-its-node):
 * INSUFFICIENT_CAPACITY that names the node and what takes its room, never "add nodes".
 */
import { describe, expect, it } from 'vitest';
import { scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/daemonset-pod-no-room-on-its-node';
const POD = 'datadog-agent-f95xz';
const NODE = 'aks-userpool-38415927-vmss000004';
type Any = Record<string, any>;
const diagnoseScenario = scenarioDiagnoser();

/** The scenario with the pending pod's node affinity replaced by `affinity`. */
const withAffinity = (affinity: Any) =>
  diagnoseScenario(DIR, (objects) =>
    objects.map((o: Any) => {
      if (o.kind !== 'Pod' || o.metadata.name !== POD) return o;
      const copy = structuredClone(o);
      copy.spec.affinity = affinity;
      return copy;
    }),
  );

describe('a pod pinned to one node without room', () => {
  it('names the node, its largest pods and the PriorityClass, and says more nodes do not help', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain(`can run only on node ${NODE} (a DaemonSet pod belongs to its node)`);
    expect(d.rootCause.summary).toContain('memory 301Mi left');
    expect(d.rootCause.summary).toContain('analytics/feature-backfill-29077080-kq7wd');
    expect(d.rootCause.summary).toContain('Adding nodes does not help this pod');
  });

  it('keeps the cluster-wide advice when the affinity allows more than one node', async () => {
    const d = await withAffinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [
                { key: 'metadata.name', operator: 'In', values: [NODE, 'aks-userpool-38415927-vmss000003'] },
              ],
            },
          ],
        },
      },
    });
    expect(textOf(d)).not.toContain('can run only on node');
    expect(d.rootCause.summary).toContain('Add nodes');
  });
});
