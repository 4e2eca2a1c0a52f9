/**
 * The scenario folders (../shared/scenarios, ../shared/scenarios-next, test/scenarios) and how one is diagnosed and
 * checked in-process, with the rule of ../shared/tools/score-scenarios.mjs: the code matches, every listed action
 * kind is proposed, no forbidden kind is, every string is mentioned. Used by scenarios.test.ts (as written) and
 * scenario-variants.test.ts (as another cluster would show the same incident).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { PLAYBOOKS } from '../../playbooks/index.js';
import { toAlertEvents, webhookPayloadSchema } from '../../src/alertmanager/payload.js';
import { settingsSchema } from '../../src/config/settings.js';
import { createPlaybookEngine, type DiagnosisStats } from '../../src/diagnosis/engine.js';
import { createKubeApis, loadKubeConfig } from '../../src/kube/client.js';
import { createClusterReader } from '../../src/kube/reader.js';
import { createLogger } from '../../src/logger.js';
import { loadSnapshot, startSandbox } from '../../src/sandbox/index.js';
import type { Diagnosis } from '../../src/types.js';
import { ACTION_PARAMS } from '../../src/vocabulary.js';

export interface Expectation {
  fingerprint: string;
  rootCause: string;
  actions: string[];
  forbidActions?: string[];
  mustMention?: string[];
  /** True when the snapshot lacks something the diagnosis needs (e.g. an HPA without status). */
  partial?: boolean;
}

export interface ScenarioFolder {
  name: string;
  dir: string;
  expected: Expectation[];
  /** Expected root causes no playbook can name yet: the scenario is pending. */
  missing: string[];
}

/** ../shared beside the project (the main checkout), or two levels up (a worktree under wt/). */
const SHARED = [resolve('../shared'), resolve('../../shared')].find(existsSync);
const ROOTS = [
  ...(SHARED ? [join(SHARED, 'scenarios'), join(SHARED, 'scenarios-next')] : []),
  resolve('test/scenarios'),
].filter(existsSync);
const NAMEABLE = new Set<string>(PLAYBOOKS.flatMap((p) => p.rootCauses));

export function scenarioFolders(): ScenarioFolder[] {
  return ROOTS.flatMap((root) =>
    readdirSync(root)
      .filter((name) => existsSync(join(root, name, 'expect.json')))
      .map((name) => {
        const dir = join(root, name);
        const expected = (JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { diagnoses: Expectation[] })
          .diagnoses;
        const missing = [...new Set(expected.map((e) => e.rootCause).filter((code) => !NAMEABLE.has(code)))];
        const from = root.endsWith('test/scenarios') ? 'own' : `shared/${basename(root)}`;
        return { name: `${from}/${name}`, dir, expected, missing };
      }),
  );
}

/** How a variant changes a scenario's files, as text (the payload's JSON, the snapshot's YAML) and as objects. */
export interface Variant {
  text?: (text: string) => string;
  objects?: (objects: Record<string, any>[]) => Record<string, any>[];
  labels?: (labels: Record<string, string>) => Record<string, string>;
}

/** Every alert of the folder's payload diagnosed against its snapshot, as `variant` changes both. */
export async function diagnoseFolder(
  dir: string,
  variant: Variant = {},
  onDiagnosis?: (s: DiagnosisStats) => void,
): Promise<Diagnosis[]> {
  const text = variant.text ?? ((t: string) => t);
  const raw = JSON.parse(text(readFileSync(join(dir, 'alert.json'), 'utf8')));
  for (const alert of raw.alerts ?? []) alert.labels = variant.labels?.(alert.labels) ?? alert.labels;
  const payload = webhookPayloadSchema.parse(raw);
  const objects = loadSnapshot(text(readFileSync(join(dir, 'cluster.yaml'), 'utf8')), dir) as Record<string, any>[];
  const sandbox = await startSandbox({ objects: (variant.objects?.(objects) ?? objects) as never });
  try {
    const engine = createPlaybookEngine({
      playbooks: PLAYBOOKS,
      reader: createClusterReader(createKubeApis(loadKubeConfig({ server: sandbox.url }))),
      settings: settingsSchema.parse({}),
      logger: createLogger('silent'),
      ...(onDiagnosis ? { onDiagnosis } : {}),
    });
    const diagnoses: Diagnosis[] = [];
    for (const event of toAlertEvents(payload, Date.now()))
      diagnoses.push(await engine.diagnose(event, AbortSignal.timeout(20_000)));
    return diagnoses;
  } finally {
    await sandbox.close();
  }
}

/** The scorer's rule for each expectation; `mention` turns a mustMention string as the variant would write it. */
export function expectAsScored(
  diagnoses: Diagnosis[],
  expected: Expectation[],
  mention: (s: string) => string = (s) => s,
): void {
  for (const want of expected) {
    const d = diagnoses.find((x) => x.alert.fingerprint === want.fingerprint);
    expect(d, `diagnosis for ${want.fingerprint}`).toBeDefined();
    if (!d) continue;
    expect(d.rootCause.code, d.rootCause.summary).toBe(want.rootCause);
    const kinds = d.actions.map((a) => a.kind as string);
    expect(kinds).toEqual(expect.arrayContaining(want.actions));
    for (const wrong of want.forbidActions ?? []) expect(kinds, `proposes the wrong fix ${wrong}`).not.toContain(wrong);
    const text = [d.rootCause.summary, ...d.evidence.map((e) => e.text)].join('\n').toLowerCase();
    for (const m of want.mustMention ?? []) expect(text, `mentions "${m}"`).toContain(mention(m).toLowerCase());
    for (const a of d.actions) expect(ACTION_PARAMS[a.kind].safeParse(a.params).success, JSON.stringify(a)).toBe(true);
    expect(d.partial).toBe(want.partial ?? false);
  }
}
