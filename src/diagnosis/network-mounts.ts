/**
 * A mount of a network filesystem (NFS, CIFS/SMB) that fails on the node: the kubelet's FailedMount event quotes
 * the mount helper ("MountVolume.SetUp failed for volume "x" : mount failed: exit status 32 / Mounting command: mount
 * / Mounting arguments: -t nfs 10.0.5.20:/exports/media /var/lib/kubelet/… / Output: mount.nfs: Connection timed
 * out"). Such a volume lives on its server, not in a zone or on a disk the cloud attaches, so the server's answer
 * (or its silence) is the finding. Pure.
 */

const ARGUMENTS = /Mounting arguments:[^\n]*?-t (nfs4?|cifs|smb3)\s+(?:-o \S+\s+)?(\S+)/;
const HELPER_MISSING = /need a \/sbin\/mount\.<type> helper|wrong fs type, bad option, bad superblock/i;

export interface NetworkMountFailure {
  /** nfs, nfs4, cifs. */
  type: string;
  /** "10.0.5.20:/exports/media", "//files.corp/share". */
  source: string;
  words: string;
}

/** What a FailedMount message says about a network filesystem's mount; null for any other volume or message. */
export function networkMountFailure(message: string, node: string): NetworkMountFailure | null {
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
    why = `the ${kind} ${server} does not answer node ${node}${said}: check that the server is up and that the node reaches it (${nfs ? 'TCP 2049, and 111 for NFSv3' : 'TCP 445'}: firewalls, security groups, routes)`;
  else if (/access denied|Permission denied/i.test(output))
    why = `the ${kind} ${server} refuses node ${node}${said}: its exports (or share permissions) do not allow the node's address`;
  else if (/No such file or directory/i.test(output) && nfs)
    why = `the ${kind} ${server} has no export ${source.slice(server.length + 1)}${said}: check the path in the volume against the server's exports`;
  else if (HELPER_MISSING.test(message))
    why = `node ${node} lacks the ${nfs ? 'NFS' : 'CIFS'} client the kubelet mounts with${said ? ` ("${output || 'bad option'}")` : ''}: install ${nfs ? 'nfs-common (Debian, Ubuntu) or nfs-utils (RHEL)' : 'cifs-utils'} on the nodes`;
  else if (/Stale file handle/i.test(output))
    why = `the ${kind} ${server} no longer knows the export the node had mounted${said}: the export was recreated; the node must drop its stale mount`;
  else why = `the mount of ${source} from the ${kind} failed on node ${node}${said}`;
  return { type, source, words: why };
}
