/**
 * Pods Pending for nvidia.com/gpu on a GPU node that advertises none (test/scenarios/
 * pending-gpu-node-device-plugin-not-registered): the device plugin, not "add nodes"; a node that has the GPUs
 * but no free one keeps the usual advice.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pending-gpu-node-device-plugin-not-registered';
const diagnoseScenario = scenarioDiagnoser();

describe('a GPU node that advertises no GPU', () => {
  it('names the node and its device plugin', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('INSUFFICIENT_CAPACITY');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('node ip-10-0-3-30, built for such devices');
    expect(d.rootCause.summary).toContain('the device plugin');
    expect(d.rootCause.summary).not.toContain('Add nodes');
  });

  it('says add nodes when the GPU node has its GPUs, all taken', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Node' && o.metadata.name === 'ip-10-0-3-30') {
          o.status.capacity['nvidia.com/gpu'] = '1';
          o.status.allocatable['nvidia.com/gpu'] = '1';
        }
      }),
    );
    expect(d.rootCause.summary).toContain('Add nodes');
    expect(textOf(d)).toContain('1 of 3 node(s) can take the pod');
  });
});
