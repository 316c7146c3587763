/**
 * MinIO's erasure-set arithmetic, as the server computes it, so that a topology MinIO would refuse
 * (or lay out differently from what we expect) fails in the constructor instead of in the pods.
 *
 * Sources (minio/minio at the last community release, RELEASE.2025-10-15T17-29-55Z, unchanged since 2024):
 * - `cmd/endpoint-ellipses.go`: `setSizes` (2..16), `getSetIndexes`, `possibleSetCountsWithSymmetry`,
 *   `commonSetDriveCount`. Each pool (one ellipsis argument) is laid out on its own.
 * - `minio/pkg` `ellipses.FindEllipsesPatterns`: the greedy regex finds the last `{a...b}` first, so
 *   the pattern list ends with the first ellipsis of the argument, the host range. The symmetry loop
 *   of `possibleSetCountsWithSymmetry` overwrites its result per pattern, so only that last pattern,
 *   the pod count, decides symmetry (with the local form `/data{0...M-1}`: the drive count).
 *   `cmd/endpoint-ellipses_test.go` pins it: `data/controller{1...11}/export{1...8}` gives sets of
 *   11, not 8; `http://host{1...2}/data{1...180}` gives 12, not 15.
 * - `internal/config/storageclass/storage-class.go`: `DefaultParityBlocks`, `validateParity`
 *   (parity at most half the set).
 * - `cmd/erasure.go` `defaultWQuorum`: write quorum = data drives, plus one when data == parity.
 */

/** MinIO's `setSizes`: an erasure set has 2 to 16 drives. */
export const MIN_SET_SIZE = 2;
export const MAX_SET_SIZE = 16;

/**
 * The erasure set size MinIO picks for one pool of `pods` pods with `drivesPerPod` drives each,
 * or undefined when MinIO refuses the pool: the largest divisor `s` of the pool's drives in 2..16
 * that is symmetric with the pod count (`pods % s == 0` when `pods > s`, else `s % pods == 0`).
 * A single pod uses the local form `/data{0...M-1}`, whose only range is the drives.
 */
export function erasureSetSize(pods: number, drivesPerPod: number): number | undefined {
  const drives = pods * drivesPerPod;
  const rangeLength = pods === 1 ? drivesPerPod : pods;
  let best: number | undefined;
  for (let s = MIN_SET_SIZE; s <= MAX_SET_SIZE; s++) {
    const divides = drives % s === 0;
    const symmetric = rangeLength > s ? rangeLength % s === 0 : s % rangeLength === 0;
    if (divides && symmetric) {
      best = s;
    }
  }
  return best;
}

/** MinIO's `DefaultParityBlocks`: the standard storage class parity when none is configured. */
export function defaultParity(setSize: number): number {
  if (setSize <= 1) {
    return 0;
  }
  if (setSize <= 3) {
    return 1;
  }
  if (setSize <= 5) {
    return 2;
  }
  return setSize <= 7 ? 3 : 4;
}

/** Drives of a set that must be online to write (`defaultWQuorum`): data drives, +1 when data equals parity. */
export function writeQuorum(setSize: number, parity: number): number {
  const data = setSize - parity;
  return data === parity ? data + 1 : data;
}

/** Drives of a set that must be online to read: the data drives. */
export function readQuorum(setSize: number, parity: number): number {
  return setSize - parity;
}

/**
 * How many pods of a pool may be down while every erasure set keeps its write quorum. MinIO
 * expands `http://pod-{0...N-1}/data{0...M-1}` with the pod varying fastest and cuts the list into
 * consecutive sets, so a set holds `max(1, s / N)` drives of each pod it spans: k pods down cost a
 * set at most `k * max(1, s / N)` drives.
 */
export function podsDownKeepingWriteQuorum(pods: number, setSize: number, parity: number): number {
  const drivesPerPodPerSet = Math.max(1, setSize / pods);
  return Math.max(0, Math.min(pods, Math.floor((setSize - writeQuorum(setSize, parity)) / drivesPerPodPerSet)));
}
