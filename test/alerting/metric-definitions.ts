/** Where Medic defines its Prometheus metrics: prom-client constructors in src/ and handlers/. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './tools.js';

function sources(): string {
  return ['src', 'handlers']
    .flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => readFileSync(join(ROOT, dir, f), 'utf8')),
    )
    .join('\n');
}

/** Metric name → its label names, from `name: 'medic_…'` … `labelNames: [...]` in prom-client constructors. */
export function definedMetrics(): Map<string, string[]> {
  const defined = new Map<string, string[]>();
  for (const m of sources().matchAll(/name:\s*'(medic_\w+)',([^}]*)/g)) {
    const labelList = /labelNames:\s*\[([^\]]*)\]/.exec(m[2] as string)?.[1] ?? '';
    const labels = [...labelList.matchAll(/'(\w+)'/g)].map((l) => l[1] as string);
    defined.set(m[1] as string, labels);
  }
  return defined;
}
