/**
 * More replicas than a required self anti-affinity can place (test/scenarios/anti-affinity-more-replicas-than-nodes):
 * UNKNOWN naming the rule and the most it places; with as many nodes as replicas, the scheduler's words alone.
 */
import { describe, expect, it } from 'vitest';
import { eachObject, scenarioDiagnoser } from './diagnose-scenario.js';

const DIR = 'test/scenarios/anti-affinity-more-replicas-than-nodes';
const diagnoseScenario = scenarioDiagnoser();

describe('replicas against a required anti-affinity', () => {
  it('says the rule places at most one pod per node, and how many never fit', async () => {
    const d = await diagnoseScenario(DIR);
    expect(d.rootCause.code).toBe('UNKNOWN');
    expect(d.actions).toEqual([]);
    expect(d.rootCause.summary).toContain('Deployment quote-engine wants 6 replicas');
    expect(d.rootCause.summary).toContain('places at most 3, one per node its pods may use: 3 pod(s) can never');
  });

  it('counts only the nodes its pods may use (a cordoned node takes none)', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Node' && o.metadata.name === 'gke-shop-prod-default-pool-3a91b0c7-kx5d')
          o.spec.unschedulable = true;
      }),
    );
    expect(d.rootCause.summary).toContain('places at most 2');
  });

  it('leaves the scheduler to speak when the replicas fit the nodes', async () => {
    const d = await diagnoseScenario(
      DIR,
      eachObject((o) => {
        if (o.kind === 'Deployment' && o.metadata.name === 'quote-engine') o.spec.replicas = 3;
      }),
    );
    expect(d.rootCause.summary).not.toContain('places at most');
    expect(d.rootCause.summary).toContain("didn't match pod anti-affinity rules");
  });
});
