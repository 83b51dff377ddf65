/**
 * The media limits with real files made by ffmpeg and a real FIFO: a FIFO, a folder or a device
 * is refused before any program opens it; ffprobe, ffmpeg runs and decoding are killed at their
 * time limits; the decoder refuses a frame over the pixel limit; decoding stops at the duration
 * limit.
 */
import assert from "node:assert/strict";
import { MediaError } from "../../lib/errors.ts";
import { probeMedia, runFfmpeg } from "../../lib/media/ffmpeg.ts";
import { decodeImage, isImageFile } from "../../lib/media/image.ts";
import { assertRegularFile, MEDIA_LIMITS } from "../../lib/media/media_limits.ts";
import { readVideoFrames, type VideoFrame } from "../../lib/media/video_frames.ts";
import { makeDayLongVideo, makeHugeFrameVideo } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-limits-" });
const long = `${dir}/long.mp4`;
await makeDayLongVideo(long);
const big = `${dir}/big.mp4`; // one 16000x16000 frame
await makeHugeFrameVideo(big);
const fifo = `${dir}/clip.mp4`; // a FIFO with a video's name
await new Deno.Command("mkfifo", { args: [fifo] }).output();

async function collect(iterable: AsyncIterable<VideoFrame>): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const f of iterable) frames.push(f);
  return frames;
}

/** Runs `fn` and returns how long it took, in ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

Deno.test("a FIFO, a folder and a device are refused before anything opens them", async () => {
  assert.ok((await Deno.stat(fifo)).isFifo);
  const ms = await timed(async () => {
    for (
      const attempt of [() => probeMedia(fifo), () => collect(readVideoFrames(fifo)), () => decodeImage(fifo)]
    ) {
      await assert.rejects(
        attempt,
        (e: unknown) =>
          e instanceof MediaError &&
          e.message === `${fifo}: not a regular file (a FIFO), refused before opening it`,
      );
    }
    assert.equal(await isImageFile(fifo), false);
  });
  assert.ok(ms < 5000, `refused in ${Math.round(ms)} ms`);
  await assert.rejects(() => probeMedia(dir), /not a regular file \(a folder\)/);
  await assert.rejects(() => collect(readVideoFrames("/dev/zero")), /not a regular file \(a device\)/);
  await assert.rejects(
    () => assertRegularFile(`${dir}/missing.mp4`),
    (e: unknown) =>
      e instanceof MediaError && /missing\.mp4: no such file/.test(e.message) &&
      e.cause instanceof Deno.errors.NotFound,
  );
  await assertRegularFile(long);
});

Deno.test("ffprobe and one-shot ffmpeg runs are killed at their time limit", async () => {
  assert.equal(MEDIA_LIMITS.probeTimeoutMs, 30_000);
  assert.equal((await probeMedia(long)).duration, 90000, "a normal probe is fast");
  await assert.rejects(
    () => probeMedia(long, { timeoutMs: 1 }),
    (e: unknown) =>
      e instanceof MediaError &&
      /ffprobe of .*long\.mp4 took longer than 0\.001 s \(probeTimeoutMs\): killed/.test(e.message),
  );
  // An endless ffmpeg (a generated input with no end): killed at 500 ms.
  const ms = await timed(() =>
    assert.rejects(
      () =>
        runFfmpeg(["-nostdin", "-f", "lavfi", "-i", "color=s=2x2", "-f", "null", "-"], { timeoutMs: 500 }),
      /an ffmpeg run took longer than 0\.5 s \(runTimeoutMs\): killed/,
    )
  );
  assert.ok(ms >= 450 && ms < 5000, `killed after ${Math.round(ms)} ms`);
});

Deno.test("decoding stops at the duration limit and is killed at its time limit", async () => {
  const frames = await collect(readVideoFrames(long, { sampleFps: "all", maxDurationSeconds: 5 }));
  assert.deepEqual(frames.map((f) => f.time), [0, 1, 2, 3, 4], "decoding stops at 5 s of a 24-hour video");
  let read = 0;
  const ms = await timed(() =>
    assert.rejects(
      async () => {
        for await (
          const _ of readVideoFrames(long, { sampleFps: "all", maxDurationSeconds: 90000, timeoutMs: 1000 })
        ) read++;
      },
      /decoding .*long\.mp4 \(\d+ frames read\) took longer than 1 s \(decodeTimeoutMs\): killed/,
    )
  );
  assert.ok(read > 0, "frames were read until the limit");
  assert.ok(ms >= 900 && ms < 6000, `killed after ${Math.round(ms)} ms`);
});

Deno.test("ffprobe and the decoder refuse a frame over the pixel limit without allocating it", async () => {
  const before = Deno.memoryUsage().rss;
  const ms = await timed(() =>
    assert.rejects(
      () => collect(readVideoFrames(big)),
      (e: unknown) =>
        e instanceof MediaError &&
        /big\.mp4: frames over the limit of 40000000 pixels \(maxFramePixels\)/.test(
          e.message,
        ),
    )
  );
  // ffprobe decodes a frame to describe a stream: its decoder refuses it too, and the size is told.
  await assert.rejects(
    () => probeMedia(big),
    (e: unknown) =>
      e instanceof MediaError &&
      e.message === `${big}: frames of 16000x16000 are over the limit of 40000000 pixels (maxFramePixels)`,
  );
  assert.equal((await probeMedia(big, { maxFramePixels: 16000 * 16000 })).video?.width, 16000);
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(ms < 10_000, `refused in ${Math.round(ms)} ms`);
  // One 16000x16000 RGB frame is 768 MB. RSS is the whole test process's, shared with the files
  // that run beside this one (--parallel), so the bound sits well above their noise and well
  // below one such frame.
  assert.ok(grown < 400 * 2 ** 20, `the test's memory grew by ${(grown / 2 ** 20).toFixed(0)} MB`);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
