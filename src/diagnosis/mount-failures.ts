/**
 * Volume failures that are the node's or a server's, never a zone's:
 * - a CSI driver whose node plugin does not run on the pod's node: "driver name ebs.csi.aws.com not found in the list
 *   of registered CSI drivers" (the kubelet), "CSINode ip-… does not contain driver ebs.csi.aws.com" (the
 *   attach-detach controller) — the driver's DaemonSet has no running pod there (a taint it does not tolerate, a
 *   node selector, a crash);
 * - the cloud refusing an attach: the CSI controller's credentials, a disk deleted outside Kubernetes, a disk still
 *   attached to another instance;
 * - a mount of a network filesystem (NFS, CIFS/SMB) that fails on the node: the kubelet's FailedMount event quotes
 * the mount helper ("MountVolume.SetUp failed for volume "x" : mount failed: exit status 32 / Mounting command: mount
 * / Mounting arguments: -t nfs 10.0.5.20:/exports/media /var/lib/kubelet/… / Output: mount.nfs: Connection timed
 * out"). Such a volume lives on its server, not in a zone or on a disk the cloud attaches, so the server's answer
 * (or its silence) is the finding;
 * - the Secrets Store CSI driver's refusals (secret-stores.ts). Pure.
 */
import { secretStoreFailure } from './secret-stores.js';

const ARGUMENTS = /Mounting arguments:[^\n]*?-t (nfs4?|cifs|smb3)\s+(?:-o \S+\s+)?(\S+)/;
const HELPER_MISSING = /need a \/sbin\/mount\.<type> helper|wrong fs type, bad option, bad superblock/i;

export interface NetworkMountFailure {
  /** nfs, nfs4, cifs; csi for an unregistered driver; cloud for the cloud's refusal; secrets-store (secret-stores.ts). */
  type: string;
  /** "10.0.5.20:/exports/media", "//files.corp/share", "CSI driver ebs.csi.aws.com". */
  source: string;
  words: string;
}

const UNREGISTERED =
  /driver name (\S+) not found in the list of registered CSI drivers|CSINode \S+ does not contain driver (\S+)/;

/**
 * What a FailedMount or FailedAttachVolume message says, when it is the node's or a server's; null otherwise. `where`
 * names the node(s) it failed on: "node worker-1", "nodes a, b".
 */
export function mountFailure(message: string, where: string): NetworkMountFailure | null {
  const unregistered = UNREGISTERED.exec(message);
  const driver = unregistered?.[1] ?? unregistered?.[2];
  if (driver)
    return {
      type: 'csi',
      source: `CSI driver ${driver}`,
      words: `the CSI driver ${driver} is not registered on ${where}: its node plugin (the driver's DaemonSet) runs no ready pod there, so the kubelet cannot mount the volume. Find why that DaemonSet's pod is missing or failing there (a taint it does not tolerate, a node selector, a crash loop); pods on nodes where it runs mount fine`,
    };
  const store = secretStoreFailure(message);
  if (store) return { type: 'secrets-store', ...store };
  const cloud = cloudAttachFailure(message, where);
  return cloud ?? networkMountFailure(message, where);
}

/**
 * The cloud's own refusal quoted in an attach failure (AWS EC2, GCE, Azure wordings): the CSI controller's
 * credentials, a disk deleted outside Kubernetes, a disk still attached to another instance.
 */
function cloudAttachFailure(message: string, where: string): NetworkMountFailure | null {
  if (!/AttachVolume|attach/i.test(message)) return null;
  const volume = /volume "([^"]+)"/.exec(message)?.[1] ?? 'the volume';
  if (/UnauthorizedOperation|not authorized to perform|AccessDenied|does not have [^\n]*permission/i.test(message))
    return {
      type: 'cloud',
      source: 'the CSI controller',
      words: `the cloud refuses the CSI controller's request to attach ${volume} (not authorized): its credentials (the IAM role or service account of the driver's controller) lack the attach permission (ec2:AttachVolume on AWS, compute.instances.attachDisk on GCE). Grant it; pods on any node fail alike until then`,
    };
  if (/InvalidVolume\.NotFound|The volume '[^']+' does not exist|disk [^\n]* (?:was )?not found/i.test(message))
    return {
      type: 'cloud',
      source: 'the cloud disk',
      words: `the cloud disk behind ${volume} no longer exists: it was deleted outside Kubernetes, and its data with it unless a snapshot exists. Restore it from a snapshot into a new volume, or delete the claim so a new empty one is provisioned; no node or restart brings it back`,
    };
  if (
    /VolumeInUse|is already attached to an instance|already being used by|attached to a different (?:instance|VM)/i.test(
      message,
    )
  )
    return {
      type: 'cloud',
      source: 'the cloud disk',
      words: `the cloud still has the disk behind ${volume} attached to another instance (a node that was terminated or lost without detaching it), so it cannot be attached to ${where}. Detach it from that instance in the cloud (force detach once that instance is gone or stopped); deleting pods does not release it`,
    };
  return null;
}

function networkMountFailure(message: string, where: string): NetworkMountFailure | null {
  const args = ARGUMENTS.exec(message);
  if (!args?.[1] || !args[2]) return null;
  const type = args[1];
  const source = args[2];
  const nfs = type.startsWith('nfs');
  const server = nfs ? (source.split(':')[0] ?? source) : source;
  const kind = nfs ? 'NFS server' : 'SMB server';
  const output = /Output: ([^\n]*)/.exec(message)?.[1]?.trim() ?? '';
  const said = output ? ` ("${output}")` : '';
  let why: string;
  if (/timed out|No route to host|Connection refused|Network is unreachable/i.test(output))
    why = `the ${kind} ${server} does not answer ${where}${said}: check that the server is up and that the node reaches it (${nfs ? 'TCP 2049, and 111 for NFSv3' : 'TCP 445'}: firewalls, security groups, routes)`;
  else if (/access denied|Permission denied/i.test(output))
    why = `the ${kind} ${server} refuses ${where}${said}: its exports (or share permissions) do not allow the node's address`;
  else if (/No such file or directory/i.test(output) && nfs)
    why = `the ${kind} ${server} has no export ${source.slice(server.length + 1)}${said}: check the path in the volume against the server's exports`;
  else if (HELPER_MISSING.test(message))
    why = `${where} lacks the ${nfs ? 'NFS' : 'CIFS'} client the kubelet mounts with${said ? ` ("${output || 'bad option'}")` : ''}: install ${nfs ? 'nfs-common (Debian, Ubuntu) or nfs-utils (RHEL)' : 'cifs-utils'} on the nodes`;
  else if (/Stale file handle/i.test(output))
    why = `the ${kind} ${server} no longer knows the export the node had mounted${said}: the export was recreated; the node must drop its stale mount`;
  else why = `the mount of ${source} from the ${kind} failed on ${where}${said}`;
  return { type, source, words: why };
}
