/**
 * The box primitives on real files: a segment ffmpeg wrote whole, one cut short as a full disk
 * leaves it, one never written, and bytes that are not boxes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isWholeMp4, makeBox, Mp4BoxError, readBoxes } from "../../lib/media/mp4_boxes.ts";
import { makeSegment } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-boxes-" });
const segment = join(dir, "segment.mp4");
await makeSegment(segment);
const plain = join(dir, "plain.mp4");
await makeSegment(plain, "160x120", false);

Deno.test("isWholeMp4: whole files are, cut or empty ones are not", async () => {
  assert.equal(await isWholeMp4(segment), true);
  assert.equal(await isWholeMp4(plain), true);
  const bytes = await Deno.readFile(segment);
  for (const [name, length] of [["cut", bytes.length - 100], ["header", 4], ["empty", 0]] as const) {
    const path = join(dir, `${name}.mp4`);
    await Deno.writeFile(path, bytes.subarray(0, length));
    assert.equal(await isWholeMp4(path), false, name);
  }
  // Boxes that fill the file but hold no media.
  const noMedia = join(dir, "no-media.mp4");
  await Deno.writeFile(noMedia, makeBox("free", new Uint8Array(8)));
  assert.equal(await isWholeMp4(noMedia), false);
});

Deno.test("readBoxes: a fragmented segment's top level; a box that claims too much is refused", async () => {
  const bytes = await Deno.readFile(segment);
  const types = readBoxes(bytes).map((b) => b.type);
  assert.deepEqual(types.slice(0, 4), ["ftyp", "moov", "moof", "mdat"]);
  assert.throws(() => readBoxes(bytes.subarray(0, bytes.length - 1)), Mp4BoxError);
});
