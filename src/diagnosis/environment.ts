/**
 * A container's environment as its log and its spec show it:
 * - a variable the app says is missing ("environment variable \"CART_ADDR\" not set", "Missing required environment
 *   variable: X", Spring's "Could not resolve placeholder 'X'"), checked against the container's env: not defined,
 *   defined empty, or possibly in an envFrom source (which Medic cannot read: ConfigMaps and Secrets are not read);
 * - a variable defined twice in one container: the kubelet keeps the last definition (the API server warns "hides
 *   previous definition"), so the earlier one is silently shadowed.
 * Both are in the pod spec, so a new pod behaves the same. Pure.
 */
import type { Container, Pod } from '../kube/reader.js';
import { containerSpec } from './pods.js';

// A quoted name of any case, or an unquoted UPPER_SNAKE one (so "environment variable is required" names nothing);
// the patterns are case-sensitive for that reason.
const NAME = String.raw`(?:\\?["'\x60]([A-Za-z_][A-Za-z0-9_]*)\\?["'\x60]|([A-Z_][A-Z0-9_]*)\b)`;
const MISSING: RegExp[] = [
  new RegExp(
    `[Ee]nvironment [Vv]ariable ${NAME} (?:is )?(?:not set|not defined|undefined|unset|is required|required|missing|must be set|is empty|empty)`,
  ),
  new RegExp(
    `(?:[Mm]issing|[Rr]equired|[Uu]ndefined|[Uu]nset) (?:required )?(?:[Ee]nvironment|[Ee]nv) [Vv]ar(?:iable)?s?:? ${NAME}`,
  ),
  /\b([A-Z][A-Z0-9_]{2,}) (?:environment variable|env var) (?:is )?(?:not set|required|missing|must be set|empty)/,
  /Could not resolve placeholder '([A-Z][A-Z0-9_]{2,})'/,
];
/** Names whose values are never shown. */
const SECRET_NAME = /pass|secret|token|key|credential|auth|dsn|cert/i;

/** The variable the log says is missing, or null. */
export function missingVariable(lines: readonly string[]): string | null {
  for (const line of lines)
    for (const re of MISSING) {
      const name = re.exec(line)?.slice(1).find(Boolean);
      if (name) return name;
    }
  return null;
}

/** Where the missing variable stands in the container's spec; null when the log names none. */
export function missingEnvReading(pod: Pod, container: string, logLines: readonly string[]): string | null {
  const name = missingVariable(logLines);
  if (!name) return null;
  const spec = containerSpec(pod, container);
  const defined = (spec?.env ?? []).filter((e) => e.name === name).at(-1);
  const sources = (spec?.envFrom ?? []).map((f) =>
    f.configMapRef?.name ? `ConfigMap ${f.configMapRef.name}` : `Secret ${f.secretRef?.name ?? '?'}`,
  );
  if (defined?.valueFrom) {
    const ref = defined.valueFrom.configMapKeyRef ?? defined.valueFrom.secretKeyRef;
    const kind = defined.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret';
    return `the app says ${name} is missing; container ${container} takes it from ${ref ? `key ${ref.key} of ${kind} ${ref.name}${ref.optional ? ' (optional: left unset when the key is absent)' : ''}` : 'a field reference'}, so that key holds an empty value or is absent`;
  }
  if (defined)
    return `the app says ${name} is missing; container ${container} sets it to an empty value in the pod spec`;
  if (sources.length > 0)
    return `the app says ${name} is missing, and container ${container} defines no env ${name}: it can only come from its envFrom (${sources.join(', ')}), which Medic does not read. Add it there or to the container's env`;
  return `the app says ${name} is missing, and container ${container} defines no env ${name} (and has no envFrom). Add it to the container's env`;
}

/** Variables a container defines more than once, each with the definition that wins. */
export function duplicateEnv(container: Container): string[] {
  const env = container.env ?? [];
  const names = [...new Set(env.map((e) => e.name).filter((n, i, all) => all.indexOf(n) !== i))];
  return names.map((name) => {
    const defs = env.filter((e) => e.name === name);
    const shown = (e: (typeof defs)[number]) =>
      e.valueFrom ? 'a reference' : SECRET_NAME.test(name) ? 'a literal value' : JSON.stringify(e.value ?? '');
    const last = defs.at(-1);
    const first = defs[0];
    return `container ${container.name} defines env ${name} ${defs.length} times; the kubelet keeps the last (${last ? shown(last) : '?'}), which shadows ${first ? shown(first) : '?'}`;
  });
}
