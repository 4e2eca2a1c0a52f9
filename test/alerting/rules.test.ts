import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { namedTarget } from '../../src/diagnosis/target.js';
import { ROOT, runTool } from './tools.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}

const rulesFile = join(ROOT, 'alerting/medic-rules.yaml');
const groups = (parse(readFileSync(rulesFile, 'utf8')) as { groups: Group[] }).groups;
const rules = groups.flatMap((g) => g.rules);
const rule = (name: string): Rule => {
  const found = rules.find((r) => r.alert === name);
  if (!found) throw new Error(`no alert ${name} in alerting/medic-rules.yaml`);
  return found;
};

/** The labels an alert keeps: those its outermost aggregation groups by (the rules all aggregate `by`). */
function outputLabels(expr: string): string[] {
  const by = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].map((m) => (m[1] as string).split(',').map((s) => s.trim()));
  return by[0] ?? [];
}

describe('alerting/medic-rules.yaml', () => {
  it('passes promtool check rules', () => {
    const result = runTool('promtool', ['check', 'rules', rulesFile]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('passes its promtool unit tests (series in, expected alerts with labels out)', () => {
    const result = runTool('promtool', ['test', 'rules', 'alerting/tests/medic-rules.test.yaml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('has unit tests for every alert it defines', () => {
    const tests = readFileSync(join(ROOT, 'alerting/tests/medic-rules.test.yaml'), 'utf8');
    const tested = new Set([...tests.matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect(rules.map((r) => r.alert).filter((name) => !tested.has(name))).toEqual([]);
  });

  it('covers the alerts the original incidents needed', () => {
    expect(rule('KubeContainerMemoryNearLimit').expr).toMatch(
      /container_memory_working_set_bytes[\s\S]*kube_pod_container_resource_limits\{resource="memory"[\s\S]*> 0\.9/,
    );
    expect(rule('KubeContainerOOMKilled').expr).toContain(
      'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}',
    );
    expect(rule('KubeContainerOOMKilled').expr).toContain('kube_pod_init_container_status_last_terminated_reason');
    expect(rule('KubePodVolumeMountStuck').expr).toContain('reason="ContainerCreating"');
    expect(rule('KubePodVolumeMountStuck').expr).toContain('kube_pod_spec_volumes_persistentvolumeclaims_info');
    expect(rule('KubeDeploymentReplicasBelowHPAMin').expr).toMatch(
      /kube_deployment_spec_replicas[\s\S]*<[\s\S]*kube_horizontalpodautoscaler_spec_min_replicas[\s\S]*scaletargetref_name/,
    );
  });

  it('keeps the labels Medic reads to find the object', () => {
    const wanted: Record<string, string[]> = {
      KubeContainerMemoryNearLimit: ['namespace', 'pod', 'container'],
      KubeContainerOOMKilled: ['namespace', 'pod', 'container'],
      KubePodVolumeMountStuck: ['namespace', 'pod'],
      KubePodUnschedulable: ['namespace', 'pod'],
      KubeDeploymentReplicasBelowHPAMin: ['namespace', 'deployment'],
      KubePodCrashLooping: ['namespace', 'pod', 'container', 'reason'],
      KubeContainerImagePullFailing: ['namespace', 'pod', 'container', 'reason'],
      KubeDeploymentRolloutStuck: ['namespace', 'deployment'],
      KubePodEvicted: ['namespace', 'pod'],
    };
    expect(Object.keys(wanted).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const [name, labels] of Object.entries(wanted)) {
      expect(outputLabels(rule(name).expr), name).toEqual(labels);
      expect(['warning', 'critical'], name).toContain(rule(name).labels?.severity);
      expect(rule(name).annotations?.summary, name).toBeTruthy();
    }
  });

  it('fails promtool on a broken rule, so the checks above mean something', () => {
    const broken = { groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum by (namespace (up)' }] }] };
    const file = join(mkdtempSync(join(tmpdir(), 'medic-rules-')), 'broken.yaml');
    writeFileSync(file, stringify(broken));
    const result = runTool('promtool', ['check', 'rules', file]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/FAILED|error/i);
  });
});

describe('the alerts the rules produce', () => {
  const unitTests = parse(readFileSync(join(ROOT, 'alerting/tests/medic-rules.test.yaml'), 'utf8'));
  const fired: { alertname: string; labels: Record<string, string> }[] = unitTests.tests.flatMap((t: any) =>
    t.alert_rule_test.flatMap((a: any) =>
      (a.exp_alerts ?? []).map((e: any) => ({
        alertname: a.alertname,
        labels: { alertname: a.alertname, ...e.exp_labels },
      })),
    ),
  );

  it('name the object Medic diagnoses (the labels the diagnosis engine reads)', () => {
    expect(new Set(fired.map((f) => f.alertname)).size).toBe(rules.length);
    for (const { alertname, labels } of fired) {
      const target = namedTarget(labels);
      const expected = labels.pod ? 'Pod' : labels.deployment ? 'Deployment' : 'unexpected';
      expect(target?.kind, alertname).toBe(expected);
      expect(target?.name, alertname).toBe(labels.pod ?? labels.deployment);
    }
  });
});

describe('alerting/prometheusrule.yaml', () => {
  const manifest = parse(readFileSync(join(ROOT, 'alerting/prometheusrule.yaml'), 'utf8'));

  it('is a PrometheusRule holding exactly the rules of medic-rules.yaml', () => {
    expect(manifest.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(manifest.kind).toBe('PrometheusRule');
    expect(manifest.spec.groups).toEqual(groups);
  });

  it('passes promtool check rules once unwrapped', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'medic-rules-')), 'spec.yaml');
    writeFileSync(file, stringify({ groups: manifest.spec.groups }));
    const result = runTool('promtool', ['check', 'rules', file]);
    expect(result.status).toBe(0);
  });
});
