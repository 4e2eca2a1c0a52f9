import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseSettings } from '../../src/config/load.js';
import { findObject, type KubeObject, ROOT, render } from './render.js';

const OVERLAYS = ['deploy', 'deploy/overlays/sentinel', 'deploy/overlays/external-redis'];

/** Stand-ins for the Secret values a user creates (docs/operations.md); the manifests only reference them. */
const FAKE_SECRETS: Record<string, string> = {
  'medic-secrets/slack-bot-token': 'xoxb-1-test',
  'medic-secrets/slack-channel': 'C0ALERTS',
  'medic-secrets/slack-signing-secret': 'test-signing-secret',
  'medic-secrets/alertmanager-token': 'test-alertmanager-token',
  'medic-redis/url': 'rediss://default:secret@redis.example.com:6380/0',
};

const podSpec = (o: KubeObject) => o.spec.template.spec;
const mainContainer = (o: KubeObject) => podSpec(o).containers[0];
const podTemplates = (objects: KubeObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind));

/** The environment a container would see: envFrom ConfigMaps, then `env` (which wins), with Secrets faked. */
function containerEnv(objects: KubeObject[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    Object.assign(env, findObject(objects, 'ConfigMap', source.configMapRef.name).data);
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    if (!ref) {
      env[entry.name] = entry.value;
      continue;
    }
    const fake = FAKE_SECRETS[`${ref.name}/${ref.key}`];
    if (fake === undefined && !ref.optional) throw new Error(`no stand-in for required secret ${ref.name}/${ref.key}`);
    if (fake !== undefined) env[entry.name] = fake;
  }
  return env;
}

/** Writes the medic.yaml a Deployment mounts to a temp file, at the path its MEDIC_CONFIG names. */
function mountedSettingsFile(objects: KubeObject[], workload: KubeObject, env: Record<string, string>): string {
  const container = mainContainer(workload);
  const path = env.MEDIC_CONFIG as string;
  const mount = container.volumeMounts.find((m: any) => path.startsWith(`${m.mountPath}/`));
  expect(mount, `MEDIC_CONFIG ${path} is on a mounted volume`).toBeDefined();
  const volume = podSpec(workload).volumes.find((v: any) => v.name === mount.name);
  const data = findObject(objects, 'ConfigMap', volume.configMap.name).data;
  const text = data[path.slice(mount.mountPath.length + 1)];
  expect(text, `the ConfigMap holds ${path}`).toBeTypeOf('string');
  const file = join(mkdtempSync(join(tmpdir(), 'medic-deploy-')), 'medic.yaml');
  writeFileSync(file, text);
  return file;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe.each(OVERLAYS)('kubectl kustomize %s', (dir) => {
  const objects = render(dir);
  const web = findObject(objects, 'Deployment', 'medic-web');
  const worker = findObject(objects, 'Deployment', 'medic-worker');

  it('runs `medic serve --role web` and `--role worker` as the medic ServiceAccount', () => {
    expect(mainContainer(web).args).toEqual(['serve', '--role', 'web']);
    expect(mainContainer(worker).args).toEqual(['serve', '--role', 'worker']);
    for (const d of [web, worker]) expect(podSpec(d).serviceAccountName).toBe('medic');
  });

  it('gives every Medic container a configuration that loadConfig accepts', () => {
    for (const d of [web, worker]) {
      const env = containerEnv(objects, mainContainer(d));
      const config = loadConfig(env, mountedSettingsFile(objects, d, env));
      const port = mainContainer(d).ports.find((p: any) => p.name === 'http').containerPort;
      expect(config.port).toBe(port);
      expect(config.slack.botToken).toBe('xoxb-1-test');
      expect(config.alertmanager.token).toBe('test-alertmanager-token');
      expect(config.settings.remediation.denyNamespaces).toContain('kube-system');
      if (dir.endsWith('sentinel')) expect(config.redis.sentinels.length).toBeGreaterThanOrEqual(3);
      if (dir.endsWith('external-redis')) expect(config.redis.url).toMatch(/^rediss:\/\//);
      if (dir === 'deploy') expect(config.redis.url).toBe('redis://redis:6379');
    }
  });

  it('keeps two web pods serving through rollouts and node drains', () => {
    expect(web.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(web.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'medic-web');
    expect(pdb).toBeDefined();
    expect(selects(pdb?.spec.selector.matchLabels, web.spec.template.metadata.labels)).toBe(true);
    expect(selects(pdb?.spec.selector.matchLabels, worker.spec.template.metadata.labels)).toBe(false);
    expect(pdb?.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb?.spec.minAvailable).toBeLessThan(web.spec.replicas);
  });

  it('waits in preStop and gives the pod long enough to drain after it', () => {
    const container = mainContainer(web);
    const command: string[] = container.lifecycle.preStop.exec.command;
    expect(command[0]).toBe('sleep');
    const sleepSeconds = Number(command[1]);
    expect(sleepSeconds).toBeGreaterThanOrEqual(5);
    expect(podSpec(web).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(podSpec(web).terminationGracePeriodSeconds - sleepSeconds).toBeGreaterThanOrEqual(30);
    expect(podSpec(worker).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
  });

  it('probes readiness on /readyz and liveness on /healthz of the HTTP port', () => {
    for (const d of [web, worker]) {
      const c = mainContainer(d);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.ports).toContainEqual({ name: 'http', containerPort: 3000 });
    }
  });

  it('never sets replicas below the minimum of the HPA that scales the workload', () => {
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name)).toContain('medic-worker');
    for (const hpa of hpas) {
      const target = findObject(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(target.spec.replicas, `${target.metadata.name}`).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    }
  });

  it('runs every container non-root, read-only, without privileges and with seccomp', () => {
    for (const w of podTemplates(objects)) {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests.memory, `${w.metadata.name}/${c.name}`).toBeDefined();
        expect(c.resources.limits.memory, `${w.metadata.name}/${c.name}`).toBeDefined();
      }
    }
    // From bench:footprint (~150 MB idle) and bench:storm (~205 MB peak, 340 MB uncapped): limits above the peak.
    expect(mainContainer(web).resources).toMatchObject({ requests: { memory: '192Mi' }, limits: { memory: '384Mi' } });
    expect(mainContainer(worker).resources).toMatchObject({
      requests: { memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
  });

  it('references the tokens in Secrets and ships no Secret values', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const d of [web, worker]) {
      const refs = (mainContainer(d).env as any[]).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
      expect(refs).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'ALERTMANAGER_TOKEN']));
      const plain = (mainContainer(d).env as any[]).filter((e) => /TOKEN|SECRET/.test(e.name) && e.value !== undefined);
      expect(plain).toEqual([]);
    }
  });

  it('routes the medic-web Service to the web pods on port 3000', () => {
    const service = findObject(objects, 'Service', 'medic-web');
    expect(selects(service.spec.selector, web.spec.template.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, worker.spec.template.metadata.labels)).toBe(false);
    expect(service.spec.ports).toContainEqual({ name: 'http', port: 3000, targetPort: 'http' });
  });

  it('puts every namespaced object in the medic namespace', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const o of objects.filter((x) => !clusterScoped.includes(x.kind))) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('medic');
    }
  });
});

describe('the overlays', () => {
  it('replace the bundled Redis instead of running it alongside', () => {
    expect(render('deploy').some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'redis')).toBe(true);
    for (const dir of OVERLAYS.slice(1)) {
      const objects = render(dir);
      expect(
        objects.some((o) => o.metadata.name === 'redis'),
        dir,
      ).toBe(false);
    }
  });

  it('give the bundled Redis the settings BullMQ needs (noeviction, AOF)', () => {
    const redis = findObject(render('deploy'), 'StatefulSet', 'redis');
    const args: string[] = mainContainer(redis).args;
    expect(args.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(args.join(' ')).toContain('--appendonly yes');
  });
});

describe('the image deploy/ runs (Dockerfile)', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('has the medic CLI as entrypoint, so the Deployments pass only `serve --role …`', () => {
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(finalStage)?.[1] ?? '[]') as string[];
    expect(entrypoint[0]).toBe('node');
    expect(entrypoint.join(' ')).toMatch(/medic\.m?js$/);
  });

  it('runs as the `node` user (uid 1000 in the official Node images), the uid the pods ask for', () => {
    expect(/^FROM node:\d+/m.test(finalStage)).toBe(true);
    expect(/^USER node$/m.test(finalStage)).toBe(true);
    for (const name of ['medic-web', 'medic-worker']) {
      expect(podSpec(findObject(render('deploy'), 'Deployment', name)).securityContext.runAsUser).toBe(1000);
    }
  });

  it('installs the font the memory chart draws its text with (the slim image has none)', () => {
    const chart = readFileSync(join(ROOT, 'src/charts/memory-chart.ts'), 'utf8');
    expect(chart).toContain("defaultFontFamily: 'DejaVu Sans'");
    expect(finalStage).toMatch(/apt-get install[^\n]*\bfonts-dejavu-core\b/);
  });

  it('ships a `sleep` binary for the preStop hook (a Debian-based image, not distroless)', () => {
    expect(finalStage).toMatch(/^FROM node:\d+-(bookworm|bullseye|trixie)(-slim)?\b/m);
  });
});

describe('deploy/base/medic.yaml', () => {
  it('is a valid medic.yaml', () => {
    const text = readFileSync(join(ROOT, 'deploy/base/medic.yaml'), 'utf8');
    const settings = parseSettings(text, 'deploy/base/medic.yaml');
    expect(settings.remediation.denyNamespaces).toEqual(['kube-system', 'medic']);
  });
});
