/**
 * Mount failures of the Secrets Store CSI driver (secrets-store.csi.k8s.io): a volume of secrets fetched from an
 * external store (AWS Secrets Manager or Parameter Store, Azure Key Vault, GCP Secret Manager, Vault) through its
 * provider when the pod starts. The kubelet's FailedMount quotes the driver ("failed to mount secrets store objects
 * for pod …" with the provider's error, or "failed to get secretproviderclass ns/name, error: … not found"). None of
 * it is a node's, a disk's or a zone's: the store refused or lacks the secret, or the SecretProviderClass is missing,
 * and restarting or moving pods changes nothing. Pure.
 */

const DRIVER = /failed to mount secrets store objects for pod|failed to get secretproviderclass/i;
const CLASS_MISSING = /failed to get secretproviderclass ([a-z0-9.-]+)\/([a-z0-9.-]+), error: .*not found/i;
const DENIED =
  /AccessDenied|not authorized to perform|does not have secrets get permission|StatusCode=403|PermissionDenied|permission denied|Forbidden/i;
const NOT_FOUND =
  /ResourceNotFoundException|can't find the specified secret|SecretNotFound|ParameterNotFound|code = NotFound|was not found in this key vault|not found or has no versions/i;

export interface SecretStoreFailure {
  /** "the Secrets Store CSI driver", for where the volume comes from. */
  source: string;
  words: string;
}

/** The provider's own words: what follows the last gRPC "desc = " of the driver's error chain, cut to a sentence's length. */
function providerSaid(message: string): string {
  const tail = (message.split('desc = ').at(-1) ?? message).replace(/\s+/g, ' ').trim();
  return tail.length > 240 ? `${tail.slice(0, 240)}…` : tail;
}

export function secretStoreFailure(message: string): SecretStoreFailure | null {
  if (!DRIVER.test(message)) return null;
  const source = 'the Secrets Store CSI driver';
  const volume = /volume "([^"]+)"/.exec(message)?.[1] ?? 'the secrets-store volume';
  const missingClass = CLASS_MISSING.exec(message);
  if (missingClass)
    return {
      source,
      words: `SecretProviderClass ${missingClass[2]}, which volume ${volume} names, does not exist in namespace ${missingClass[1]}: the Secrets Store CSI driver has nothing to mount. Create it in the pod's namespace (a SecretProviderClass is namespaced) or fix secretProviderClass in the volume; restarting pods does not help`,
    };
  const said = providerSaid(message);
  if (DENIED.test(message)) {
    const action = /not authorized to perform: (\S+)/.exec(message)?.[1];
    const resource = /on resource: (\S+?)(?: because|$|\s)/.exec(message)?.[1];
    const role = /assumed-role\/([^/\s]+)/.exec(message)?.[1];
    const who = role ? `IAM role ${role}` : 'the identity the provider uses for the pod (its service account)';
    const what = action ? `${action}${resource ? ` on ${resource}` : ''}` : 'read access to the secret';
    return {
      source,
      words: `the external secret store refuses the secrets of volume ${volume} (${said}): ${who} lacks ${what}. Grant it (the IAM policy, the Key Vault access policy or role, the Vault policy); restarting or moving pods does not help, and every new pod of the workload waits in ContainerCreating until then`,
    };
  }
  if (NOT_FOUND.test(message))
    return {
      source,
      words: `the external secret store has no secret the SecretProviderClass of volume ${volume} asks for (${said}): a name or path that is wrong, in another region or vault, or not created yet. Create the secret or fix the SecretProviderClass's objects; restarting pods does not help`,
    };
  return { source, words: `the Secrets Store CSI driver cannot mount volume ${volume} (${said})` };
}
