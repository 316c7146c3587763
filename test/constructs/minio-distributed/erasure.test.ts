import { defaultParity, erasureSetSize, podsDownKeepingWriteQuorum, readQuorum, writeQuorum } from '../../../constructs/minio-distributed';

describe('MinIO erasure-set arithmetic (cmd/endpoint-ellipses.go, storage-class.go, erasure.go)', () => {
  test.each([
    // [pods, drivesPerPod, set size]
    [4, 1, 4],
    [1, 4, 4],
    [4, 2, 8],
    [4, 4, 16],
    [3, 4, 12], // 12 drives: one set of 12
    [1, 12, 12],
    [2, 16, 16], // 32 drives: two sets of 16
    [32, 1, 16],
    [9, 2, 9], // 18 drives over 9 pods: sets of 9
    [1, 18, 9], // 18 local drives: sets of 9
    [6, 3, 6], // 18 drives over 6 pods: 9 is not symmetric with 6 pods, so sets of 6
    [5, 1, 5],
    [16, 1, 16],
  ])('%i pods x %i drives: sets of %i', (pods, drives, set) => {
    expect(erasureSetSize(pods, drives)).toBe(set);
  });

  test("agrees with MinIO's own getSetIndexes cases, where symmetry follows the host range", () => {
    // data/controller{1...11}/export{1...8}: 88 drives in sets of 11, not 8 (the first range decides).
    expect(erasureSetSize(11, 8)).toBe(11);
    // http://host{1...2}/data{1...180}: 360 drives in sets of 12 (15 is not symmetric with 2 hosts).
    expect(erasureSetSize(2, 180)).toBe(12);
    // http://host{1...3}/data{1...180}: sets of 15.
    expect(erasureSetSize(3, 180)).toBe(15);
  });

  test('no set size of 2-16 divides 17 drives: MinIO refuses the pool', () => {
    expect(erasureSetSize(17, 1)).toBeUndefined();
    expect(erasureSetSize(1, 17)).toBeUndefined();
  });

  test.each([
    [4, 2],
    [5, 2],
    [6, 3],
    [7, 3],
    [8, 4],
    [12, 4],
    [16, 4],
  ])('default parity of a set of %i is EC:%i', (set, parity) => {
    expect(defaultParity(set)).toBe(parity);
  });

  test('write quorum is the data drives, one more when data equals parity; read quorum the data drives', () => {
    expect(writeQuorum(16, 4)).toBe(12);
    expect(writeQuorum(4, 2)).toBe(3);
    expect(writeQuorum(8, 4)).toBe(5);
    expect(writeQuorum(6, 3)).toBe(4);
    expect(readQuorum(4, 2)).toBe(2);
  });

  test.each([
    // [pods, set size, parity, pods that may be down]
    [4, 4, 2, 1], // 4 x 1: one pod
    [4, 16, 4, 1], // 4 x 4: a pod holds 4 drives of the one set; 16 - 4 = 12 = quorum
    [4, 8, 4, 1], // 4 x 2: 8 - 2 = 6 >= 5
    [16, 16, 4, 4], // 16 x 1: four pods
    [8, 8, 4, 3], // 8 x 1, EC:4: write quorum 5
    [2, 4, 2, 0], // 2 x 2: one pod is half of every set
    [1, 4, 2, 0],
  ])('%i pods, sets of %i, EC:%i: %i pods may be down', (pods, set, parity, down) => {
    expect(podsDownKeepingWriteQuorum(pods, set, parity)).toBe(down);
  });
});
