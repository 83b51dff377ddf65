import assert from "node:assert/strict";
import { assignMinCost } from "../../lib/yolo/assignment.ts";
import { pseudoRandomBytes } from "../helpers/pseudo_random.ts";

/** Every way of pairing, by brute force: the least total cost, unpaired rows and columns included. */
function bruteForce(costs: number[][], unpaired: number): number {
  const rows = costs.length;
  const cols = costs[0].length;
  let best = Infinity;
  const used = new Array(cols).fill(false);
  const walk = (i: number, total: number, paired: number) => {
    if (i === rows) {
      best = Math.min(best, total + unpaired * (rows - paired) + unpaired * (cols - paired));
      return;
    }
    walk(i + 1, total, paired);
    for (let j = 0; j < cols; j++) {
      if (used[j] || !Number.isFinite(costs[i][j])) continue;
      used[j] = true;
      walk(i + 1, total + costs[i][j], paired + 1);
      used[j] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

function totalCost(costs: number[][], pairs: [number, number][], unpaired: number): number {
  const rows = new Set(pairs.map(([i]) => i));
  const cols = new Set(pairs.map(([, j]) => j));
  assert.equal(rows.size, pairs.length, "a row paired twice");
  assert.equal(cols.size, pairs.length, "a column paired twice");
  return pairs.reduce((s, [i, j]) => s + costs[i][j], 0) +
    unpaired * (costs.length - pairs.length + costs[0].length - pairs.length);
}

Deno.test("assignMinCost: the least total, where greedy would leave a row alone", () => {
  assert.deepEqual(assignMinCost([[0.2, 0.3], [0.25, Infinity]], 0.5), [[0, 1], [1, 0]]);
});

Deno.test("assignMinCost: a pair costing more than leaving both alone is not made; Infinity never", () => {
  assert.deepEqual(assignMinCost([[1.2]], 0.5), []);
  assert.deepEqual(assignMinCost([[0.9]], 0.5), [[0, 0]]);
  assert.deepEqual(assignMinCost([[Infinity, Infinity]], 0.5), []);
  assert.deepEqual(assignMinCost([], 0.5), []);
  assert.deepEqual(assignMinCost([[]], 0.5), []);
});

Deno.test("assignMinCost: equals brute force on 300 random matrices up to 5x5", () => {
  const bytes = pseudoRandomBytes(13, 300 * 27);
  let at = 0;
  const random = () => bytes[at++] / 256;
  for (let k = 0; k < 300; k++) {
    const rows = 1 + Math.floor(random() * 5);
    const cols = 1 + Math.floor(random() * 5);
    const costs = Array.from(
      { length: rows },
      () => Array.from({ length: cols }, () => (random() < 0.25 ? Infinity : random())),
    );
    const pairs = assignMinCost(costs, 0.5);
    assert.ok(Math.abs(totalCost(costs, pairs, 0.5) - bruteForce(costs, 0.5)) < 1e-9, JSON.stringify(costs));
  }
});
