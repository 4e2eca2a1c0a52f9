/**
 * Without Slack, the log is the incident view: a diagnosis line names the owner of a GitOps-synced workload and
 * carries the change to commit, for the warned proposal and the refused action alike. The incident module, the
 * real remediation and the sandbox cluster, as `medic serve` wires them without SLACK_BOT_TOKEN.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/settings.js';
import { createIncidentServices } from '../../src/incidents/services.js';
import { createClusterWriter } from '../../src/kube/writer.js';
import { createLogger } from '../../src/logger.js';
import { wireIncidents } from '../../src/wiring.js';
import { type Harness, startHarness } from '../remediation/fixtures.js';
import { alertEvent, diagnosisFor } from '../slack/fixtures.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

interface LogLine {
  msg: string;
  gitops?: { kind: string; proposalId?: string; policy: string; owners: string[]; manifest: string }[];
  proposals?: string[];
}

describe('the log view of a GitOps-owned workload', () => {
  it('names the owner and the change to commit for a warned proposal and a refused one', async () => {
    const settings = { managedBy: { argocd: 'refuse', flux: 'warn' } };
    h = await startHarness({
      settings,
      objects: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'checkout',
            namespace: 'ads',
            annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:ads/checkout' },
          },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'checkout' } },
            template: {
              metadata: { labels: { app: 'checkout' } },
              spec: {
                containers: [{ name: 'app', image: 'shop/checkout:4', resources: { limits: { memory: '256Mi' } } }],
              },
            },
          },
        },
      ],
    });
    await createClusterWriter(h.cluster.apis).patchWorkload(
      'ads',
      'Deployment',
      'api',
      {
        metadata: {
          labels: { 'kustomize.toolkit.fluxcd.io/name': 'ads', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
        },
      },
      'merge',
      { dryRun: false },
    );
    const lines: LogLine[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    const logger = createLogger('info', sink);
    const services = createIncidentServices({
      redis: h.redis,
      prefix: h.prefix,
      settings: settingsSchema.parse(settings),
      remediation: h.remediation,
      logger,
    });
    const incidents = wireIncidents({ redis: h.redis, prefix: h.prefix, services, view: undefined });
    const event = alertEvent('c0de');
    const limit = (workload: string) => ({
      kind: 'set-memory-limit' as const,
      title: `Raise ${workload} to 512Mi`,
      params: { namespace: 'ads', workload: `Deployment/${workload}`, container: 'app', limit: '512Mi' },
      risk: 'low' as const,
    });
    await incidents.recordFiring(event, diagnosisFor(event, { actions: [limit('api'), limit('checkout')] }));

    const line = lines.find((l) => l.msg === 'diagnosis');
    expect(line?.proposals).toHaveLength(1);
    expect(line?.gitops).toEqual([
      expect.objectContaining({
        kind: 'set-memory-limit',
        proposalId: line?.proposals?.[0],
        policy: 'warn',
        owners: ['Flux Kustomization flux-system/ads'],
      }),
      expect.objectContaining({ kind: 'set-memory-limit', policy: 'refuse', owners: ['Argo CD application shop'] }),
    ]);
    expect(line?.gitops?.[1]?.manifest).toContain('# Deployment ads/checkout (Argo CD application shop)');
    expect(line?.gitops?.[1]?.manifest).toContain('memory: 512Mi');
  });
});
