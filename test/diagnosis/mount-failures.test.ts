import { describe, expect, it } from 'vitest';
import { mountFailure } from '../../src/diagnosis/mount-failures.js';

const nfs = (output: string) =>
  `MountVolume.SetUp failed for volume "shared-media" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs 10.0.5.20:/exports/media /var/lib/kubelet/pods/3c1f/volumes/kubernetes.io~nfs/shared-media\nOutput: ${output}\n`;

describe("a network filesystem's failed mount", () => {
  it('names the silent server and the ports to check', () => {
    const m = mountFailure(nfs('mount.nfs: Connection timed out'), 'node worker-1');
    expect(m?.source).toBe('10.0.5.20:/exports/media');
    expect(m?.words).toContain('the NFS server 10.0.5.20 does not answer node worker-1');
    expect(m?.words).toContain('TCP 2049');
  });

  it('tells a refusal, a missing export and a node without the NFS client apart', () => {
    expect(
      mountFailure(nfs('mount.nfs: access denied by server while mounting 10.0.5.20:/exports/media'), 'node w')?.words,
    ).toContain('refuses node w');
    expect(mountFailure(nfs('mount.nfs: No such file or directory'), 'node w')?.words).toContain(
      'has no export /exports/media',
    );
    const helper = nfs(
      'mount: wrong fs type, bad option, bad superblock on 10.0.5.20:/exports/media, missing codepage or helper program, or other error\n(for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program)',
    );
    expect(mountFailure(helper, 'node w')?.words).toContain('install nfs-common');
  });

  it('reads CIFS mounts, and leaves block volumes and other messages alone', () => {
    const cifs =
      'MountVolume.SetUp failed for volume "share" : mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t cifs -o <masked> //files.corp.local/reports /var/lib/kubelet/pods/x/volumes/share\nOutput: mount error(113): could not connect to 10.0.9.4Unable to find suitable address.';
    expect(mountFailure(cifs, 'node w')?.source).toBe('//files.corp.local/reports');
    expect(
      mountFailure(
        'AttachVolume.Attach failed for volume "pvc-1" : rpc error: code = DeadlineExceeded desc = context deadline exceeded',
        'w',
      ),
    ).toBeNull();
    expect(mountFailure('MountVolume.MountDevice failed: -t ext4 /dev/xvdf', 'node w')).toBeNull();
  });

  it('names a CSI driver whose node plugin is not registered on the node, from the kubelet or the attacher', () => {
    const kubelet =
      'MountVolume.MountDevice failed for volume "pvc-9f1c" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name ebs.csi.aws.com not found in the list of registered CSI drivers';
    expect(mountFailure(kubelet, 'node ip-10-0-3-7')?.words).toContain(
      'the CSI driver ebs.csi.aws.com is not registered on node ip-10-0-3-7',
    );
    const attacher =
      'AttachVolume.Attach failed for volume "pvc-9f1c" : CSINode ip-10-0-3-7 does not contain driver ebs.csi.aws.com';
    expect(mountFailure(attacher, 'node ip-10-0-3-7')?.source).toBe('CSI driver ebs.csi.aws.com');
  });

  it("reads the cloud's refusals of an attach: credentials, a deleted disk, a disk held by another instance", () => {
    const attach = (error: string) =>
      `AttachVolume.Attach failed for volume "pvc-9f1c" : rpc error: code = Internal desc = Could not attach volume "vol-0a1b2c3d" to node "i-0123456789": ${error}`;
    expect(
      mountFailure(
        attach('UnauthorizedOperation: You are not authorized to perform this operation. status code: 403'),
        'node ip-1',
      )?.words,
    ).toContain('ec2:AttachVolume');
    expect(
      mountFailure(attach("InvalidVolume.NotFound: The volume 'vol-0a1b2c3d' does not exist."), 'node ip-1')?.words,
    ).toContain('no longer exists');
    expect(
      mountFailure(attach('VolumeInUse: vol-0a1b2c3d is already attached to an instance'), 'node ip-1')?.words,
    ).toContain('attached to another instance');
    expect(mountFailure(attach('context deadline exceeded'), 'node ip-1')).toBeNull();
  });
});
