/**
 * Frame decoding with the real ffmpeg: each frame carries its real timestamp, sampling picks
 * the first frame at or after each slot, and stopping early or aborting stops ffmpeg.
 */
import assert from "node:assert/strict";
import { MediaError } from "../../lib/errors.ts";
import { readVideoFrames, type VideoFrame } from "../../lib/media/video_frames.ts";
import { cutSample, makeCounterVideo } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-frames-" });
const counter = `${dir}/counter.mp4`;
await makeCounterVideo(counter, 10, 4);

async function collect(iterable: AsyncIterable<VideoFrame>): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const f of iterable) frames.push(f);
  return frames;
}

/** The source frame number a counter-video frame shows (its grey level / 6). */
const shownIndex = (f: VideoFrame) => Math.round(f.data[(f.height / 2 * f.width + f.width / 2) * 3] / 6);

Deno.test("every frame, with the timestamp of the frame it shows", async () => {
  const frames = await collect(readVideoFrames(counter, { sampleFps: "all" }));
  assert.equal(frames.length, 40);
  for (const [k, f] of frames.entries()) {
    assert.equal(f.index, k);
    assert.equal(f.width, 64);
    assert.equal(f.height, 48);
    assert.equal(f.data.length, 64 * 48 * 3);
    assert.equal(shownIndex(f), k);
    assert.ok(Math.abs(f.time - k / 10) < 1e-6, `frame ${k} at ${f.time}`);
  }
});

Deno.test("sampling keeps the first frame at or after each slot, labelled with its own time", async () => {
  const fps = 3;
  const frames = await collect(readVideoFrames(counter, { sampleFps: fps }));
  assert.equal(frames.length, 12); // slots 0, 1/3, …, 11/3 within 4 s
  for (const [k, f] of frames.entries()) {
    const slot = k / fps;
    assert.ok(f.time >= slot - 1e-6 && f.time < slot + 0.1, `sample ${k} at ${f.time}, slot ${slot}`);
    // The pixels are those of the frame at that time (the fps filter would show another one).
    assert.equal(shownIndex(f), Math.round(f.time * 10), `sample ${k}`);
  }
});

Deno.test("breaking out of the loop stops ffmpeg (no leaked process)", async () => {
  let n = 0;
  for await (const _ of readVideoFrames(counter)) if (++n === 3) break;
  assert.equal(n, 3);
});

Deno.test("an abort signal stops decoding with an AbortError", async () => {
  const controller = new AbortController();
  await assert.rejects(async () => {
    for await (const f of readVideoFrames(counter, { signal: controller.signal })) {
      if (f.index === 1) controller.abort();
    }
  }, (e: unknown) => e instanceof DOMException && e.name === "AbortError");
});

Deno.test("a file that is not a video gives a MediaError quoting ffmpeg", async () => {
  const text = `${dir}/notes.mp4`;
  await Deno.writeTextFile(text, "not a video at all\n".repeat(100));
  await assert.rejects(() => collect(readVideoFrames(text)), (e: unknown) => {
    assert.ok(e instanceof MediaError);
    assert.match(e.message, /notes\.mp4: cannot decode video \(.*invalid data/i);
    return true;
  });
});

Deno.test("a missing file gives a MediaError naming it", async () => {
  await assert.rejects(
    () => collect(readVideoFrames(`${dir}/missing.mp4`)),
    (e: unknown) => e instanceof MediaError && /missing\.mp4.*No such file/i.test(e.message),
  );
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("a truncated file yields what decodes, then a MediaError saying it is damaged", async () => {
  const cut = `${dir}/cut.mp4`;
  await cutSample(cut, 4);
  const whole = await Deno.readFile(cut);
  const truncated = `${dir}/truncated.mp4`;
  await Deno.writeFile(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
  let frames = 0;
  await assert.rejects(
    async () => {
      for await (const _ of readVideoFrames(truncated)) frames++;
    },
    (e: unknown) =>
      e instanceof MediaError && /damaged or truncated video, \d+ frames decoded/.test(e.message),
  );
  assert.ok(frames > 0 && frames < 40, `${frames} frames before the damage`);
});
