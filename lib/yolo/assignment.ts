/**
 * The assignment problem: pair rows with columns (tracks with detections) so that the total cost
 * is least, where leaving a row or a column unpaired has a cost too. Solved exactly with the
 * Hungarian method (Kuhn-Munkres with potentials, O(n³)); the matrices of one frame are a few
 * dozen wide at most.
 *
 * @module
 */

/**
 * Pairs rows with columns at the least total cost; a pair whose cost is `Infinity` is never made,
 * and leaving a row or a column alone costs `unpairedCost` each, so a pair is made only when it
 * costs less than leaving both alone (`2 * unpairedCost`).
 *
 * @param costs `costs[row][column]`, every row the same length
 * @param unpairedCost what leaving one row or one column unpaired costs
 * @returns the pairs `[row, column]`, by row
 *
 * @example
 * ```ts
 * import { assignMinCost } from "./assignment.ts";
 * // Greedy would pair row 0 with column 0 (0.2) and leave row 1 alone; the least total pairs both.
 * console.log(assignMinCost([[0.2, 0.3], [0.25, Infinity]], 0.5)); // [[0, 1], [1, 0]]
 * ```
 */
export function assignMinCost(
  costs: readonly (readonly number[])[],
  unpairedCost: number,
): [number, number][] {
  const rows = costs.length;
  const cols = rows ? costs[0].length : 0;
  if (rows === 0 || cols === 0) return [];
  // Square matrix: real rows and columns, then one dummy column per row and one dummy row per column.
  const n = rows + cols;
  const big = 1e9;
  const cost = (i: number, j: number): number => {
    if (i < rows && j < cols) return Number.isFinite(costs[i][j]) ? costs[i][j] : big;
    if (i < rows) return j - cols === i ? unpairedCost : big; // row i left alone
    if (j < cols) return i - rows === j ? unpairedCost : big; // column j left alone
    return 0; // dummy with dummy
  };
  // Potentials u (rows) and v (columns), 1-based with column 0 as the start, as in the classic method.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const match = new Int32Array(n + 1); // match[column] = row, 0 for none
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= cols; j++) {
    const i = match[j] - 1;
    if (i < rows && Number.isFinite(costs[i][j - 1]) && costs[i][j - 1] < big) pairs.push([i, j - 1]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
