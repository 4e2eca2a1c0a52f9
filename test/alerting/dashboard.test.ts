import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { definedMetrics } from './metric-definitions.js';
import { ROOT, runTool } from './tools.js';

const dashboard = JSON.parse(readFileSync(join(ROOT, 'dashboards/medic.json'), 'utf8'));
const panels: any[] = dashboard.panels.filter((p: any) => p.type !== 'row');
const exprs: string[] = panels.flatMap((p) => p.targets.map((t: any) => t.expr as string));

/** `medic_x_bucket` → `medic_x`: histogram and summary series carry suffixes the definition does not. */
const baseName = (series: string, defined: Map<string, string[]>) =>
  defined.has(series) ? series : series.replace(/_(bucket|count|sum)$/, '');

/** Grafana's variables replaced by values Prometheus accepts, so promtool can parse the queries. */
const concrete = (expr: string) =>
  expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '6h').replaceAll('$job', '.*');

describe('dashboards/medic.json', () => {
  const defined = definedMetrics();

  it('finds Medic metric definitions in the code', () => {
    expect(defined.get('medic_alerts_received_total')).toEqual(['status']);
    expect(defined.size).toBeGreaterThanOrEqual(7);
  });

  it('queries only medic_* metrics that the code defines', () => {
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\bmedic_\w+/g)].map((m) => baseName(m[0], defined))));
    expect(used.size).toBeGreaterThanOrEqual(7);
    expect([...used].filter((name) => !defined.has(name))).toEqual([]);
  });

  it('filters medic_* series only on labels the metrics have', () => {
    const scrapeLabels = ['job', 'instance', 'le', 'namespace', 'pod'];
    for (const expr of exprs) {
      for (const m of expr.matchAll(/\b(medic_\w+)\{([^}]*)\}/g)) {
        const labels = defined.get(baseName(m[1] as string, defined)) ?? [];
        const filtered = [...(m[2] as string).matchAll(/(\w+)\s*(=~|!~|!=|=)/g)].map((l) => l[1] as string);
        for (const label of filtered) expect([...labels, ...scrapeLabels], `${label} in ${expr}`).toContain(label);
      }
    }
  });

  it('covers intake, deduplication, queue depth, diagnosis latency, failures, executions and Slack', () => {
    const all = exprs.join('\n');
    for (const metric of [
      'medic_alerts_received_total',
      'medic_alerts_deduplicated_total',
      'medic_intake_duration_seconds_bucket',
      'medic_queue_depth',
      'medic_job_duration_seconds_bucket{job=~"$job",queue="alerts"}',
      'medic_job_failures_total',
      'medic_diagnoses_total',
      'medic_job_duration_seconds_count{job=~"$job",queue="actions"}',
      'medic_slack_approval_decisions_total',
      'medic_slack_rate_limited_total',
    ]) {
      expect(all).toContain(metric);
    }
  });

  it('has valid PromQL in every panel (promtool check rules)', () => {
    const rules = exprs.map((expr, i) => ({ record: `medic:dashboard_query_${i}`, expr: concrete(expr) }));
    const file = join(mkdtempSync(join(tmpdir(), 'medic-dashboard-')), 'queries.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = runTool('promtool', ['check', 'rules', file]);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('has unique panel ids and a datasource variable every panel uses', () => {
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'job']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
    for (const p of panels) expect(p.datasource.uid, p.title).toBe('${datasource}');
  });
});
