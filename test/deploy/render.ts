/** Renders deploy/ kustomizations with the real kubectl and parses the result. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // Manifests are checked field by field; their shape varies per kind.
  [key: string]: any;
}

/** `kubectl kustomize <dir>` (relative to the repository root) as YAML text. */
export function kustomize(dir: string): string {
  return execFileSync(KUBECTL, ['kustomize', resolve(ROOT, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

const rendered = new Map<string, string>();

/** Rendered and parsed objects of a kustomization; kubectl runs once per directory and test file. */
export function render(dir: string): KubeObject[] {
  let text = rendered.get(dir);
  if (text === undefined) {
    text = kustomize(dir);
    rendered.set(dir, text);
  }
  return parseObjects(text);
}

export function findObject(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not in the rendered manifests`);
  return found;
}
