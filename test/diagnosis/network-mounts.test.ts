import { describe, expect, it } from 'vitest';
import { networkMountFailure } from '../../src/diagnosis/network-mounts.js';

const nfs = (output: string) =>
  `MountVolume.SetUp failed for volume "shared-media" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 10.0.5.20:/exports/media /var/lib/kubelet/pods/3c1f/volumes/kubernetes.io~nfs/shared-media\nOutput: ${output}\n`;

describe("a network filesystem's failed mount", () => {
  it('names the silent server and the ports to check', () => {
    const m = networkMountFailure(nfs('mount.nfs: Connection timed out'), 'worker-1');
    expect(m?.source).toBe('10.0.5.20:/exports/media');
    expect(m?.words).toContain('the NFS server 10.0.5.20 does not answer node worker-1');
    expect(m?.words).toContain('TCP 2049');
  });

  it('tells a refusal, a missing export and a node without the NFS client apart', () => {
    expect(
      networkMountFailure(nfs('mount.nfs: access denied by server while mounting 10.0.5.20:/exports/media'), 'w')
        ?.words,
    ).toContain('refuses node w');
    expect(networkMountFailure(nfs('mount.nfs: No such file or directory'), 'w')?.words).toContain(
      'has no export /exports/media',
    );
    const helper = nfs(
      'mount: wrong fs type, bad option, bad superblock on 10.0.5.20:/exports/media, missing codepage or helper program, or other error\n(for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program)',
    );
    expect(networkMountFailure(helper, 'w')?.words).toContain('install nfs-common');
  });

  it('reads CIFS mounts, and leaves block volumes and other messages alone', () => {
    const cifs =
      'MountVolume.SetUp failed for volume "share" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t cifs -o <masked> //files.corp.local/reports /var/lib/kubelet/pods/x/volumes/share\nOutput: mount error(113): could not connect to 10.0.9.4Unable to find suitable address.';
    expect(networkMountFailure(cifs, 'w')?.source).toBe('//files.corp.local/reports');
    expect(
      networkMountFailure(
        'AttachVolume.Attach failed for volume "pvc-1" : rpc error: code = DeadlineExceeded desc = context deadline exceeded',
        'w',
      ),
    ).toBeNull();
    expect(networkMountFailure('MountVolume.MountDevice failed: -t ext4 /dev/xvdf', 'w')).toBeNull();
  });
});
