/** Walks playbooks/index.ts: names, codes and action kinds belong to the vocabulary, and every code has scenarios. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { isRootCauseCode, ROOT_CAUSE_CODES } from '../../src/vocabulary.js';

const scenarioCodes = new Set(
  [resolve('../shared/scenarios'), resolve('test/scenarios')].filter(existsSync).flatMap((root) =>
    readdirSync(root)
      .filter((d) => existsSync(join(root, d, 'expect.json')))
      .flatMap(
        (d) =>
          (JSON.parse(readFileSync(join(root, d, 'expect.json'), 'utf8')) as { diagnoses: { rootCause: string }[] })
            .diagnoses,
      )
      .map((d) => d.rootCause),
  ),
);

describe('playbook registry', () => {
  it('has unique kebab-case names and ends with the UNKNOWN fallback', () => {
    const names = PLAYBOOKS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(PLAYBOOKS.at(-1)?.rootCauses).toEqual(['UNKNOWN']);
  });

  it('covers every root-cause code of the vocabulary with vocabulary codes only', () => {
    const codes = PLAYBOOKS.flatMap((p) => p.rootCauses);
    for (const c of codes) expect(isRootCauseCode(c), c).toBe(true);
    expect(new Set(codes)).toEqual(new Set(ROOT_CAUSE_CODES));
  });

  it('tries OOM before crash loop, and the consul sidecar before the plain OOM', () => {
    const at = (code: string) => PLAYBOOKS.findIndex((p) => p.rootCauses.includes(code as never));
    expect(at('OOM_LIMIT')).toBeLessThan(at('CRASHLOOP_APP_ERROR'));
    expect(at('SIDECAR_OOM_IDENTITY_CHURN')).toBeLessThan(at('OOM_LIMIT'));
    expect(at('TARGET_NOT_FOUND')).toBe(0);
  });

  it('tries the specific causes of a failing pod before the probe, Job and crash-loop readings of it', () => {
    const at = (code: string) => PLAYBOOKS.findIndex((p) => p.rootCauses.includes(code as never));
    for (const specific of ['OOM_LIMIT', 'IMAGE_PULL_FAILURE', 'CONFIG_MISSING', 'EPHEMERAL_STORAGE_EVICTION'])
      expect(at(specific), specific).toBeLessThan(at('PROBE_FAILURE'));
    expect(at('PROBE_FAILURE')).toBeLessThan(at('JOB_FAILED'));
    expect(at('JOB_FAILED')).toBeLessThan(at('CRASHLOOP_APP_ERROR'));
    expect(at('CONFIG_MISSING')).toBeLessThan(at('VOLUME_ATTACH_FAILURE'));
  });

  it.each(PLAYBOOKS.map((p) => [p.name, p] as const))(
    '%s has at least one scenario per root cause',
    (_name, playbook) => {
      for (const code of playbook.rootCauses)
        expect(scenarioCodes.has(code), `a scenario expecting ${code}`).toBe(true);
    },
  );
});
