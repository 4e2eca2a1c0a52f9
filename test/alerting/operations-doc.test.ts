import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definedMetrics } from './metric-definitions.js';
import { ROOT } from './tools.js';

const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');

/** Rows of the metrics reference table: `| \`medic_x\` | type | labels | meaning |`. */
function documentedMetrics(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `(medic_\w+)` \| (\w+) \| ([^|]*) \|/gm)) rows.set(m[1] as string, m[3] as string);
  return rows;
}

describe('docs/operations.md', () => {
  const defined = definedMetrics();
  const documented = documentedMetrics();

  it('documents every medic_* metric the code defines, with its labels', () => {
    expect([...defined.keys()].filter((name) => !documented.has(name))).toEqual([]);
    for (const [name, labels] of defined) {
      for (const label of labels) expect(documented.get(name), `${name} label ${label}`).toContain(`\`${label}\``);
    }
  });

  it('documents no metric the code does not define', () => {
    expect([...documented.keys()].filter((name) => !defined.has(name))).toEqual([]);
  });

  it('names the files it tells the reader to use, and they exist', () => {
    const paths = [
      ...doc.matchAll(/`((?:deploy|alerting|dashboards)\/[\w./-]+|slack-app-manifest[\w.-]*\.yaml)`/g),
    ].map((m) => m[1] as string);
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) {
      expect(existsSync(join(ROOT, path)), path).toBe(true);
    }
  });
});
