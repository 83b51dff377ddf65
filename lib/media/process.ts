/**
 * Child processes: starting ffmpeg with a clear error when it is missing, and stopping a
 * process gracefully, with a hard kill when it does not listen.
 *
 * @module
 */

/**
 * Sends `signal`, then SIGKILL if the process is still running after `graceMs`, and waits for
 * it to exit. Does nothing to a process that has already exited.
 *
 * @param graceMs milliseconds the process has to exit after `signal` before SIGKILL
 * @returns the process's exit status (for a killed process, `success` is false and `signal` is set)
 *
 * @example
 * ```ts
 * import { stopProcess } from "./process.ts";
 * const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
 * await stopProcess(child, "SIGTERM");
 * ```
 */
export async function stopProcess(
  child: Deno.ChildProcess,
  signal: Deno.Signal = "SIGTERM",
  graceMs = 5000,
): Promise<Deno.CommandStatus> {
  try {
    child.kill(signal);
  } catch {
    return await child.status; // already exited
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
  }, graceMs);
  try {
    return await child.status;
  } finally {
    clearTimeout(timer);
  }
}
