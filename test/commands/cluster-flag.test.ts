import { describe, expect, it } from 'vitest';
import { parseDiagnoseArgs } from '../../src/commands/medic.js';
import { parseScaleText, SCALE_USAGE } from '../../src/commands/scale.js';

describe('--cluster on slash commands', () => {
  it('/scale takes --cluster anywhere among its words', () => {
    expect(parseScaleText('proxy 10 -n prod --cluster prod-eu')).toEqual({
      name: 'proxy',
      replicas: 10,
      namespace: 'prod',
      cluster: 'prod-eu',
    });
    expect(parseScaleText('--cluster staging proxy 3')).toEqual({
      name: 'proxy',
      replicas: 3,
      namespace: 'default',
      cluster: 'staging',
    });
    // Without the flag the request is what it always was.
    expect(parseScaleText('proxy 10 -n prod')).toEqual({ name: 'proxy', replicas: 10, namespace: 'prod' });
  });

  it('refuses --cluster without a name, with a bad one, or twice with two names', () => {
    expect(parseScaleText('proxy 10 --cluster')).toBe(`\`--cluster\` needs a cluster name. ${SCALE_USAGE}`);
    expect(parseScaleText('proxy 10 --cluster "prod eu"')).toBe(`\`--cluster\` needs a cluster name. ${SCALE_USAGE}`);
    expect(parseScaleText('proxy 10 --cluster a --cluster b')).toBe(`\`--cluster\` is given twice. ${SCALE_USAGE}`);
  });

  it('/medic diagnose takes --cluster beside -n', () => {
    expect(parseDiagnoseArgs(['pod/api-0', '-n', 'ads', '--cluster', 'prod-eu'])).toEqual({
      kind: 'Pod',
      name: 'api-0',
      namespace: 'ads',
      cluster: 'prod-eu',
    });
    expect(parseDiagnoseArgs(['api', '--cluster'])).toMatch(/^`--cluster` needs a cluster name\. Usage:/);
  });
});
