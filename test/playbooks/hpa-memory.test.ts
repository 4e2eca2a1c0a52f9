/**
 * An HPA held at its ceiling by memory (test/scenarios/hpa-maxed-out-on-memory-jvm): no higher maxReplicas, since
 * more pods each hold about as much memory; a CPU metric above target still gets the raise.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/hpa-maxed-out-on-memory-jvm';
const diagnoseScenario = scenarioDiagnoser();

describe('an HPA at its maximum on memory', () => {
  it('proposes no higher maximum and names the heap the pods keep', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('HPA_MAXED_OUT');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('scaling on memory');
    expect(d.rootCause.summary).toContain('JVM -Xmx1g in env JAVA_TOOL_OPTIONS');
  });

  it('still raises the maximum when CPU is above target beside memory', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind !== 'HorizontalPodAutoscaler' || o.metadata.name !== 'checkout-api') return;
        o.spec.metrics.push({
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        });
        o.status.currentMetrics.push({
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 120 } },
        });
      }),
    );
    expect(d.actions.map((a) => a.kind)).toEqual(['set-hpa-max']);
  });
});
