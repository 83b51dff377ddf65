/**
 * streamChunks: a child's whole output, in chunks no bigger than the one buffer it reads into;
 * leaving early stops the writer instead of leaving it blocked on a full pipe.
 */

import assert from "node:assert/strict";
import { streamChunks, streamLines } from "../../lib/media/stream_chunks.ts";
import { until } from "../helpers/until.ts";

Deno.test("streamChunks: every byte a child writes, in order, each chunk within the buffer", async () => {
  const child = new Deno.Command("seq", { args: ["1", "50000"], stdout: "piped" }).spawn();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for await (const chunk of streamChunks(child.stdout, 4096)) {
    assert.ok(chunk.byteLength > 0 && chunk.byteLength <= 4096, `a chunk of ${chunk.byteLength} bytes`);
    text += decoder.decode(chunk, { stream: true });
    chunks++;
  }
  assert.ok((await child.status).success);
  const expected = Array.from({ length: 50000 }, (_, i) => `${i + 1}\n`).join("");
  assert.equal(text.length, expected.length);
  assert.equal(text, expected);
  // 288,894 bytes through a 4 KiB buffer.
  assert.ok(chunks >= Math.ceil(expected.length / 4096), `${chunks} chunks`);
});

Deno.test("streamChunks: leaving the loop early cancels the stream, so the writer ends", async () => {
  const child = new Deno.Command("yes", { stdout: "piped" }).spawn();
  for await (const chunk of streamChunks(child.stdout)) {
    assert.equal(chunk[0], "y".charCodeAt(0));
    break;
  }
  // `yes` writes forever: only a closed pipe (SIGPIPE) ends it.
  let status: Deno.CommandStatus | undefined;
  child.status.then((s) => status = s);
  try {
    await until(() => status !== undefined, 10_000, "yes to end once its reader left");
  } finally {
    if (!status) child.kill("SIGKILL");
  }
  assert.ok(status);
  assert.equal(status.success, false);
});

Deno.test("streamChunks: a stream that is not a byte stream is refused with a TypeError", async () => {
  const notBytes = ReadableStream.from([new Uint8Array([1, 2, 3])]);
  await assert.rejects(async () => {
    for await (const _ of streamChunks(notBytes)) { /* never reached */ }
  }, TypeError);
});

Deno.test("streamLines: the lines of a child's output, split across reads, and an unfinished last line", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "seq 1 30000; printf 'a\\rb\\r\\nlast'"],
    stdout: "piped",
  }).spawn();
  const lines: string[] = [];
  for await (const batch of streamLines(child.stdout, /\r?\n|\r/)) lines.push(...batch);
  assert.ok((await child.status).success);
  assert.deepEqual(lines, [...Array.from({ length: 30000 }, (_, i) => `${i + 1}`), "a", "b", "last"]);
});
