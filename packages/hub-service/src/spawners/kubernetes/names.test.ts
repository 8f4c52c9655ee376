import { dnsLabel, isDnsLabel, labelValue, podName, pvcName } from './names';

/** Names the hub accepts (shared/names.ts) that are far from DNS labels. */
const AWKWARD = [
  'alice',
  'Alice',
  'ALICE',
  'ann+lab@uni.example',
  'ann lab',
  'José Müller',
  '渡辺',
  '-lead',
  'trail-',
  'a--b',
  'a---b',
  'a.b',
  'a_b',
  '%2e',
  ':',
  '1',
  'x'.repeat(255),
  'é'.repeat(100),
  'jupyter-alice',
];

describe('DNS-safe names for any hub name', () => {
  test('simple names stay readable, as KubeSpawner names them', () => {
    expect(podName('alice', '')).toBe('jupyter-alice');
    expect(podName('alice', 'gpu-run')).toBe('jupyter-alice--gpu-run');
    expect(pvcName('claim-{username}', 'alice', '')).toBe('claim-alice');
    expect(pvcName('claim-{username}', 'alice', 'gpu')).toBe('claim-alice');
    expect(pvcName('claim-{username}--{servername}', 'alice', 'gpu')).toBe('claim-alice--gpu');
    expect(pvcName('claim-{username}--{servername}', 'alice', '')).toBe('claim-alice');
    expect(labelValue('alice')).toBe('alice');
    expect(labelValue('')).toBe('');
  });

  test('every name the hub accepts gives a valid DNS label and a valid label value', () => {
    for (const user of AWKWARD) {
      for (const server of ['', 'gpu', 'a'.repeat(30)]) {
        expect(isDnsLabel(podName(user, server))).toBe(true);
        expect(isDnsLabel(pvcName('claim-{username}', user, server))).toBe(true);
        expect(isDnsLabel(pvcName('claim-{username}--{servername}', user, server))).toBe(true);
      }
      const value = labelValue(user);
      expect(value.length).toBeLessThanOrEqual(63);
      expect(value).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
  });

  test('distinct users and servers never share a pod name, and names that differ only in case or punctuation stay apart', () => {
    const seen = new Map<string, string>();
    for (const user of AWKWARD) {
      for (const server of ['', 'gpu', 'b', 'a--b']) {
        const name = podName(user, server);
        const key = JSON.stringify([user, server]);
        expect(seen.get(name) ?? key).toBe(key);
        seen.set(name, key);
      }
    }
    // The readable part of these is the same; the hash tells them apart.
    expect(podName('Alice', '')).not.toBe(podName('alice', ''));
    expect(podName('a.b', '')).not.toBe(podName('a_b', ''));
    expect(podName('a', 'b--c')).not.toBe(podName('a--b', 'c'));
    expect(pvcName('claim-{username}', 'Alice', '')).not.toBe(pvcName('claim-{username}', 'alice', ''));
    expect(labelValue('Alice')).not.toBe(labelValue('alice'));
  });

  test('an unsafe name keeps a readable part before its hash', () => {
    expect(podName('ann+lab@uni.example', '')).toMatch(/^jupyter-ann-lab-uni-example---[0-9a-f]{8}$/);
    expect(podName('x'.repeat(255), '')).toHaveLength(63);
    expect(dnsLabel('jupyter', ['渡辺'])).toMatch(/^jupyter---[0-9a-f]{8}$/);
  });

  test('a PVC template that cannot make a DNS label is refused', () => {
    expect(() => pvcName('Claim-{username}', 'alice', '')).toThrow(/template/);
    expect(() => pvcName('claim_{username}', 'alice', '')).toThrow(/template/);
    expect(() => pvcName('home', 'alice', '')).toThrow(/\{username\}/);
  });
});
