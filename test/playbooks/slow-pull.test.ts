/**
 * A pod still pulling its image long after it started (test/scenarios/pod-stuck-creating-image-still-pulling): the
 * pull is the finding, not the Deployment's rollout settings; a pull that finished or just began is none.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser, textOf } from './diagnose-scenario.js';

const DIR = 'test/scenarios/pod-stuck-creating-image-still-pulling';
const diagnoseScenario = scenarioDiagnoser();

describe('an image pull that does not end', () => {
  it('says the pod is still pulling and proposes no rollout patch', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('is still pulling image ghcr.io/acme/llm-inference:2.0.0-cuda12');
  });

  it('is no finding once the image was pulled, or for a pull begun just before the alert', async () => {
    const pulled = await diagnoseScenario(DIR, (objects) => [
      ...objects,
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'pulled', namespace: 'ml', creationTimestamp: '2026-11-20T02:55:00Z' },
        involvedObject: { kind: 'Pod', name: 'llm-inference-6c7d8e9f5b-d3e4f', namespace: 'ml' },
        reason: 'Pulled',
        type: 'Normal',
        message: 'Successfully pulled image "ghcr.io/acme/llm-inference:2.0.0-cuda12" in 13m58s',
        firstTimestamp: '2026-11-20T02:55:00Z',
        lastTimestamp: '2026-11-20T02:55:00Z',
      },
    ]);
    expect(textOf(pulled)).not.toContain('still pulling');
    const recent = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Event' && o.reason === 'Pulling') o.lastTimestamp = o.firstTimestamp = '2026-11-20T02:52:00Z';
      }),
    );
    expect(textOf(recent)).not.toContain('still pulling');
  });
});
