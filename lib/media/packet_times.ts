/**
 * `PacketTimes`: the presentation time of each packet a recording ffmpeg writes, from its
 * `framecrc` output on stdout (one line per packet: stream, dts, pts, duration, size, checksum,
 * after `#tb` lines giving each stream's time base). A recorder that copies a stream without
 * decoding it learns its timeline this way, at the cost of a checksum per packet.
 *
 * @module
 */

/** One packet as ffmpeg wrote it. */
export interface PacketTime {
  /** output stream index */
  readonly stream: number;
  /** presentation time in seconds on ffmpeg's output timeline */
  readonly time: number;
}

const TIME_BASE = /^#tb (\d+): (\d+)\/(\d+)/;
/** ffmpeg's AV_NOPTS_VALUE, as framecrc prints a missing time */
const NO_TIME = "-9223372036854775808";

/**
 * Parses `framecrc` lines from a stream of bytes.
 *
 * @example
 * ```ts
 * import { PacketTimes } from "./packet_times.ts";
 * const child = new Deno.Command("ffmpeg", {
 *   args: ["-i", "clip.mp4", "-map", "0:v", "-c", "copy", "-f", "framecrc", "pipe:1"],
 *   stdout: "piped",
 * }).spawn();
 * for await (const packet of new PacketTimes(child.stdout)) console.log(packet.time);
 * ```
 */
export class PacketTimes implements AsyncIterable<PacketTime> {
  readonly #stream: ReadableStream<Uint8Array>;

  /** Reads `stream` when iterated (once). */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#stream = stream;
  }

  /** Yields each packet with a time, in the order written; ends with the stream. */
  async *[Symbol.asyncIterator](): AsyncGenerator<PacketTime> {
    const bases = new Map<number, number>();
    let rest = "";
    for await (const chunk of this.#stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const tb = TIME_BASE.exec(line);
        if (tb) {
          bases.set(Number(tb[1]), Number(tb[2]) / Number(tb[3]));
          continue;
        }
        if (line.startsWith("#")) continue;
        const [stream, , pts] = line.split(",").map((f) => f.trim());
        const base = bases.get(Number(stream));
        if (base === undefined || pts === undefined || pts === NO_TIME) continue;
        const time = Number(pts) * base;
        if (Number.isFinite(time)) yield { stream: Number(stream), time };
      }
    }
  }
}
