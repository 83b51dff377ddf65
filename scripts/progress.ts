/**
 * A one-line progress display on stderr, for terminals only.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Rewrites the current stderr line with the progress of a video; called with no arguments, it
 * clears the line.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * progressLine("clip.mp4", 12.5, 30); // clip.mp4: 12.5 of 30.0 s (42%)
 * progressLine();
 * ```
 */
export function progressLine(file?: string, seconds = 0, duration?: number): void {
  const percent = duration ? ` (${Math.min(100, (100 * seconds) / duration).toFixed(0)}%)` : "";
  const of = duration ? ` of ${duration.toFixed(1)} s` : " s";
  const text = file === undefined ? "" : `${file}: ${seconds.toFixed(1)}${of}${percent}`;
  Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
}
