/**
 * Waits until `check` holds, polling every 100 ms (a condition on files, Redis or a process,
 * never a fixed sleep); fails with `timed out waiting for <what>` after `timeoutMs`.
 */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
