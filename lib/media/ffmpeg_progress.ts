/**
 * `FfmpegProgress`: how far a running ffmpeg has got, from its `-progress pipe:1` reports (a
 * block of `key=value` lines every `-stats_period` seconds, ending with `progress=continue`).
 * A recorder that copies a stream without decoding it learns its timeline this way: each report
 * gives the output time reached as it is written, a few times a second. (A `framecrc` line per
 * packet said the same with each packet's time, but reading 15 lines a second cost the capture
 * 0.7% of a core, against 0.2% for two reports a second.)
 *
 * @module
 */

import { streamLines } from "./stream_chunks.ts";

/** One report. */
export interface ProgressReport {
  /**
   * Output time reached, in seconds on ffmpeg's output timeline: the decoding time of the last
   * video packet written (or the end of the last audio packet, when later)
   */
  readonly time: number;
}

/** How often ffmpeg reports, in seconds (its `-stats_period`). */
export const PROGRESS_SECONDS = 0.5;

/**
 * Parses ffmpeg's `-progress` output from a stream of bytes, one report per block with a time.
 *
 * @example
 * ```ts
 * import { FfmpegProgress, PROGRESS_SECONDS } from "./ffmpeg_progress.ts";
 * const child = new Deno.Command("ffmpeg", {
 *   args: ["-i", "clip.mp4", "-c", "copy", "-f", "null", "-", "-progress", "pipe:1",
 *     "-stats_period", String(PROGRESS_SECONDS)],
 *   stdout: "piped",
 * }).spawn();
 * for await (const report of new FfmpegProgress(child.stdout)) console.log(report.time);
 * ```
 */
export class FfmpegProgress implements AsyncIterable<ProgressReport> {
  readonly #stream: ReadableStream<Uint8Array>;

  /** Reads `stream` when iterated (once). */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#stream = stream;
  }

  /** Yields each report that has a time, in order; ends with the stream. */
  async *[Symbol.asyncIterator](): AsyncGenerator<ProgressReport> {
    let time: number | undefined;
    for await (const lines of streamLines(this.#stream)) {
      for (const line of lines) {
        // "out_time_us=N/A" until the first packet is written.
        if (line.startsWith("out_time_us=")) {
          const us = Number(line.slice("out_time_us=".length));
          time = Number.isFinite(us) ? us / 1e6 : undefined;
        } else if (line.startsWith("progress=")) {
          if (time !== undefined) yield { time };
          time = undefined;
        }
      }
    }
  }
}
