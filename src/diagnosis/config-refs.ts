/**
 * A missing ConfigMap or Secret (or a key in one) as the kubelet reports it, and where a pod spec refers to it.
 * The kubelet's texts (pkg/kubelet/kubelet_pods.go, pkg/volume/configmap and secret):
 * - CreateContainerConfigError / event "Error: secret "db" not found", "configmap "app-config" not found"
 * - "couldn't find key DB_URL in ConfigMap shop/app-config", "couldn't find key password in Secret shop/db"
 * - FailedMount "MountVolume.SetUp failed for volume "config" : configmap "app-config" not found"
 * - FailedMount "… : configmap references non-existent config key: app.yaml" (and "secret references non-existent
 *   secret key: tls.crt")
 * Medic never reads Secrets (not even their metadata): the kubelet already looked the object up, and its message is
 * the authoritative answer (docs/operations.md, "RBAC").
 */
import type { PodSpec } from '../kube/reader.js';

export interface MissingConfig {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Set when the object exists but lacks this key. */
  key?: string;
  /** The volume the kubelet failed to mount, for FailedMount messages. */
  volume?: string;
  /** The kubelet's message, verbatim. */
  message: string;
}

const NOT_FOUND = /\b(configmap|secret) "([^"]+)" not found/i;
const KEY_NOT_FOUND = /couldn't find key (\S+) in (ConfigMap|Secret) ([^/\s]+)\/(\S+)/i;
const VOLUME_KEY = /(configmap|secret) references non-existent (?:config|secret) key: (\S+)/i;
const VOLUME = /MountVolume\.SetUp failed for volume "([^"]+)"/;

/** Parses a kubelet message; null when it is not about a missing ConfigMap/Secret or key. */
export function parseMissingConfig(message: string, spec?: PodSpec): MissingConfig | null {
  const volume = VOLUME.exec(message)?.[1];
  const kindOf = (word: string) => (word.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap') as MissingConfig['kind'];
  const key = KEY_NOT_FOUND.exec(message);
  if (key?.[1] && key[2] && key[4]) return { kind: kindOf(key[2]), name: key[4], key: key[1], message };
  const missing = NOT_FOUND.exec(message);
  if (missing?.[1] && missing[2])
    return { kind: kindOf(missing[1]), name: missing[2], ...(volume ? { volume } : {}), message };
  const volumeKey = VOLUME_KEY.exec(message);
  if (volumeKey?.[1] && volumeKey[2] && volume) {
    const kind = kindOf(volumeKey[1]);
    // The message names the key and the volume, not the object: the volume's source does.
    const name = volumeSources(spec, volume).find((s) => s.kind === kind)?.name ?? '?';
    return { kind, name, key: volumeKey[2], volume, message };
  }
  return null;
}

/** Where a pod spec refers to the object (or key): "env DB_PASSWORD of container api (key password)", "volume config mounted by api at /etc/app". */
export function referencesTo(
  spec: PodSpec | undefined,
  missing: Pick<MissingConfig, 'kind' | 'name' | 'key'>,
): string[] {
  if (!spec) return [];
  const refs: string[] = [];
  const isConfigMap = missing.kind === 'ConfigMap';
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const env of c.env ?? []) {
      const ref = isConfigMap ? env.valueFrom?.configMapKeyRef : env.valueFrom?.secretKeyRef;
      if (ref?.name === missing.name && (!missing.key || ref.key === missing.key) && !ref.optional)
        refs.push(`env ${env.name} of container ${c.name} (key ${ref.key})`);
    }
    for (const from of c.envFrom ?? []) {
      const ref = isConfigMap ? from.configMapRef : from.secretRef;
      if (ref?.name === missing.name && !missing.key && !ref.optional) refs.push(`envFrom of container ${c.name}`);
    }
  }
  for (const v of spec.volumes ?? []) {
    if (!volumeSources(spec, v.name).some((s) => s.kind === missing.kind && s.name === missing.name)) continue;
    const mounts = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].flatMap((c) =>
      (c.volumeMounts ?? []).filter((m) => m.name === v.name).map((m) => `${c.name} at ${m.mountPath}`),
    );
    refs.push(`volume ${v.name}${mounts.length > 0 ? ` mounted by ${mounts.join(', ')}` : ''}`);
  }
  return refs;
}

/** The ConfigMaps and Secrets a volume projects (a plain configMap/secret volume, or a projected one). */
export function volumeSources(
  spec: PodSpec | undefined,
  volume: string,
): { kind: MissingConfig['kind']; name: string }[] {
  const v = spec?.volumes?.find((x) => x.name === volume);
  if (!v) return [];
  const sources: { kind: MissingConfig['kind']; name: string }[] = [];
  if (v.configMap?.name && !v.configMap.optional) sources.push({ kind: 'ConfigMap', name: v.configMap.name });
  if (v.secret?.secretName && !v.secret.optional) sources.push({ kind: 'Secret', name: v.secret.secretName });
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap?.name && !s.configMap.optional) sources.push({ kind: 'ConfigMap', name: s.configMap.name });
    if (s.secret?.name && !s.secret.optional) sources.push({ kind: 'Secret', name: s.secret.name });
  }
  return sources;
}

export function describeMissing(m: Pick<MissingConfig, 'kind' | 'name' | 'key'>): string {
  return m.key ? `key ${m.key} in ${m.kind} ${m.name}` : `${m.kind} ${m.name}`;
}
