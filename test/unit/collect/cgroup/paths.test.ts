import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountinfo, parseProcCgroup, resolveCgroupDirs } from '../../../../src/collect/cgroup/paths.ts';

const ID = 'c5846637db17130c28cc21ebaf8410f812f93dc8aa16cd966d8f5f34b42dad5b';

/** This engine's host: cgroup v1 controllers each on its own mount, and an empty v2 hierarchy beside them. */
const V1_HYBRID_MOUNTS = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

const V1_HYBRID_PROC = [
  `9:name=systemd:/docker/${ID}`,
  `8:pids:/docker/${ID}`,
  `7:blkio:/docker/${ID}`,
  `4:memory:/docker/${ID}`,
  `2:cpuacct:/docker/${ID}`,
  `1:cpu:/docker/${ID}`,
  `0::/docker/${ID}`,
].join('\n');

/** Debian/Ubuntu's systemd layout: cpu and cpuacct co-mounted. */
const V1_SYSTEMD_MOUNTS = [
  '30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory',
  '31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct',
  '32 25 0:28 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,pids',
  '33 25 0:29 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,blkio',
  '34 21 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw',
].join('\n');

const V2_MOUNTS =
  '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';

const everything = (): boolean => true;
const nothing = (): boolean => false;

describe('finding a container cgroup', () => {
  it('cgroup v1 with the cgroupfs driver, v1 chosen over the empty v2 hierarchy', () => {
    assert.deepEqual(
      resolveCgroupDirs(parseProcCgroup(V1_HYBRID_PROC), parseMountinfo(V1_HYBRID_MOUNTS), ID, everything),
      {
        version: 1,
        memory: `/sys/fs/cgroup/memory/docker/${ID}`,
        cpuacct: `/sys/fs/cgroup/cpuacct/docker/${ID}`,
        pids: `/sys/fs/cgroup/pids/docker/${ID}`,
        blkio: `/sys/fs/cgroup/blkio/docker/${ID}`,
      },
    );
  });

  it('cgroup v1 with the systemd driver and co-mounted cpu,cpuacct', () => {
    const scope = `/system.slice/docker-${ID}.scope`;
    const proc = parseProcCgroup(
      [`12:pids:${scope}`, `8:memory:${scope}`, `4:cpu,cpuacct:${scope}`, `3:blkio:${scope}`, '0::/'].join(
        '\n',
      ),
    );
    assert.deepEqual(resolveCgroupDirs(proc, parseMountinfo(V1_SYSTEMD_MOUNTS), ID, everything), {
      version: 1,
      memory: `/sys/fs/cgroup/memory${scope}`,
      cpuacct: `/sys/fs/cgroup/cpu,cpuacct${scope}`,
      pids: `/sys/fs/cgroup/pids${scope}`,
      blkio: `/sys/fs/cgroup/blkio${scope}`,
    });
  });

  it('cgroup v2 with the systemd driver', () => {
    const proc = parseProcCgroup(`0::/system.slice/docker-${ID}.scope\n`);
    assert.deepEqual(resolveCgroupDirs(proc, parseMountinfo(V2_MOUNTS), ID, everything), {
      version: 2,
      unified: `/sys/fs/cgroup/system.slice/docker-${ID}.scope`,
    });
  });

  it('cgroup v2 with the cgroupfs driver', () => {
    const proc = parseProcCgroup(`0::/docker/${ID}\n`);
    assert.deepEqual(resolveCgroupDirs(proc, parseMountinfo(V2_MOUNTS), ID, everything), {
      version: 2,
      unified: `/sys/fs/cgroup/docker/${ID}`,
    });
  });

  it('in a private cgroup namespace (path `/` or `/..`) looks where the engine puts containers', () => {
    const where = `/sys/fs/cgroup/system.slice/docker-${ID}.scope`;
    for (const text of ['0::/\n', `0::/../../system.slice/docker-${ID}.scope\n`]) {
      const proc = parseProcCgroup(text);
      assert.deepEqual(
        resolveCgroupDirs(proc, parseMountinfo(V2_MOUNTS), ID, (dir) => dir === where),
        { version: 2, unified: where },
        text,
      );
      assert.equal(resolveCgroupDirs(proc, parseMountinfo(V2_MOUNTS), ID, nothing), null, text);
    }
    const v1 = parseProcCgroup(V1_HYBRID_PROC.replaceAll(`/docker/${ID}`, '/'));
    assert.deepEqual(
      resolveCgroupDirs(v1, parseMountinfo(V1_HYBRID_MOUNTS), ID, (dir) => dir.endsWith(`/docker/${ID}`)),
      {
        version: 1,
        memory: `/sys/fs/cgroup/memory/docker/${ID}`,
        cpuacct: `/sys/fs/cgroup/cpuacct/docker/${ID}`,
        pids: `/sys/fs/cgroup/pids/docker/${ID}`,
        blkio: `/sys/fs/cgroup/blkio/docker/${ID}`,
      },
    );
  });

  it('a mount whose root is a subtree strips that root, only at a path boundary', () => {
    const mounts = parseMountinfo('29 23 0:26 /docker /sys/fs/cgroup rw - cgroup2 cgroup2 rw');
    assert.deepEqual(resolveCgroupDirs(parseProcCgroup(`0::/docker/${ID}\n`), mounts, ID, everything), {
      version: 2,
      unified: `/sys/fs/cgroup/${ID}`,
    });
    assert.deepEqual(resolveCgroupDirs(parseProcCgroup(`0::/dockerd/${ID}\n`), mounts, ID, everything), {
      version: 2,
      unified: `/sys/fs/cgroup/dockerd/${ID}`,
    });
  });

  it('octal escapes in mount points are decoded', () => {
    const mounts = parseMountinfo('29 23 0:26 / /mnt/with\\040space rw - cgroup2 cgroup2 rw');
    assert.equal(mounts[0]?.mountPoint, '/mnt/with space');
  });

  it('nothing to go on gives null, not a guess', () => {
    assert.equal(
      resolveCgroupDirs(parseProcCgroup('garbage'), parseMountinfo(V1_SYSTEMD_MOUNTS), ID, everything),
      null,
    );
    assert.equal(resolveCgroupDirs([], [], ID, everything), null);
    assert.deepEqual(parseMountinfo('29 23 0:26 / /sys/fs/cgroup rw - cgroup2'), [
      { mountPoint: '/sys/fs/cgroup', root: '/', version: 2, controllers: [] },
    ]);
    assert.deepEqual(parseMountinfo('truncated line - cgroup'), []);
  });
});
