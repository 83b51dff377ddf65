/**
 * ClipRecorder's window arithmetic and housekeeping, driven by hand-made motion updates and
 * real 2-second segment files (made with ffmpeg), without a camera.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ClipRecorder, type ClipRecorderOptions } from "../../lib/capture/clip_recorder.ts";
import { ClipStorage } from "../../lib/capture/clip_storage.ts";
import type { MotionUpdate } from "../../lib/capture/motion_detector.ts";
import type { CameraSegment } from "../../lib/capture/rtsp_source.ts";
import { readBoxes } from "../../lib/media/mp4_boxes.ts";
import { makeSegment, probeDuration } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-clips-" });
const TEMPLATE = `${dir}/template.mp4`; // 2 s, 10 fps, one keyframe
await makeSegment(TEMPLATE);

const T0 = Date.UTC(2026, 1, 23, 14, 46, 50); // motion starts here (ms)
const S = 1000;

/** Segment files covering [from, to) in 2 s steps, copies of the template, of connection `session(t)`. */
async function segments(
  cache: string,
  from: number,
  to: number,
  { template = TEMPLATE, session = (_t: number): number => 1 } = {},
): Promise<CameraSegment[]> {
  await Deno.mkdir(cache, { recursive: true });
  const out: CameraSegment[] = [];
  for (let t = from; t < to; t += 2 * S) {
    const path = join(cache, `${t}.mp4`);
    await Deno.copyFile(template, path);
    out.push({ path, start: t, end: t + 2 * S, session: session(t) });
  }
  return out;
}

const still = (ts: number): MotionUpdate => ({ ts, motion: false, score: 0, boxes: [], recalibrated: false });
const moving = (ts: number, score = 0.05): MotionUpdate => ({
  ts,
  motion: true,
  score,
  boxes: [[0.1, 0.1, 0.3, 0.4]],
  recalibrated: false,
});
const started = (ts: number): MotionUpdate => ({
  ...moving(ts),
  event: { type: "start", ts, score: 0.05, boxes: [[0.1, 0.1, 0.3, 0.4]] },
});

/** Feeds updates every 200 ms over [from, to), moving while `isMoving(t)`. */
function feed(rec: ClipRecorder, from: number, to: number, isMoving: (t: number) => boolean) {
  for (let t = from; t < to; t += 200) rec.motion(t === T0 ? started(t) : isMoving(t) ? moving(t) : still(t));
}

function recorder(name: string, options: Partial<ClipRecorderOptions> = {}) {
  const videoDir = join(dir, name);
  return {
    videoDir,
    rec: new ClipRecorder({ camera: "front", videoDir, clipSeconds: 2, prerollSeconds: 1, ...options }),
  };
}

Deno.test("motion that goes on extends the clip up to maxClipSeconds", async () => {
  const { rec, videoDir } = recorder("extend", { cooldownSeconds: 1, maxClipSeconds: 5 });
  feed(rec, T0 - 4 * S, T0 + 8 * S, (t) => t >= T0 && t < T0 + 6 * S);
  const segs = await segments(join(videoDir, ".cache"), T0 - 4 * S, T0 + 10 * S);
  const clips = [];
  for (const s of segs) {
    const c = await rec.segment(s);
    if (c) clips.push(c);
  }
  assert.equal(clips.length, 1);
  const clip = clips[0];
  // Window: T0 - 1 s (pre-roll) to T0 + 5 s (capped); it starts on the segment holding T0 - 1 s.
  assert.equal(clip.start, T0 - 2 * S);
  assert.equal(clip.end, T0 + 5 * S);
  assert.equal(clip.motionStart, T0);
  assert.ok(
    Math.abs((await probeDuration(clip.path)) - 7) < 0.15,
    "2 s before T0 to 5 s after, cut mid-segment",
  );
  const sidecar = JSON.parse(await Deno.readTextFile(clip.sidecarPath));
  assert.equal(sidecar.duration, 7);
  assert.equal(sidecar.preroll, 2);
  assert.equal(sidecar.truncated, false);
  assert.deepEqual(sidecar.motion.timeline[0], [2, 0.05]); // first change 2 s into the clip
  assert.equal(sidecar.motion.timeline.at(-1)[0], 7); // and the last at its end
  // Only clip and sidecar are left in the camera folder (no temporary files).
  const names = [...Deno.readDirSync(join(videoDir, "front"))].map((e) => e.name).sort();
  assert.deepEqual(names, [clip.path.split("/").at(-1), clip.sidecarPath.split("/").at(-1)].sort());
});

Deno.test("a short motion: the clip ends cooldownSeconds after it, the next one does not overlap", async () => {
  const { rec, videoDir } = recorder("cooldown", {
    cooldownSeconds: 3,
    maxClipSeconds: 60,
    prerollSeconds: 4,
  });
  // Motion T0 .. T0+1.4 s, then again from T0 + 8 s.
  const segs = await segments(join(videoDir, ".cache"), T0 - 6 * S, T0 + 20 * S);
  const clips = [];
  let next = 0;
  for (let t = T0 - 6 * S; t < T0 + 18 * S; t += 200) {
    const update = t === T0 || t === T0 + 8 * S
      ? started(t)
      : (t > T0 && t < T0 + 1.5 * S) || (t > T0 + 8 * S && t < T0 + 9 * S)
      ? moving(t)
      : still(t);
    rec.motion(update);
    while (next < segs.length && segs[next].end <= t) {
      const c = await rec.segment(segs[next++]);
      if (c) clips.push(c);
    }
  }
  assert.equal(clips.length, 2);
  assert.equal(clips[0].start, T0 - 4 * S);
  assert.equal(clips[0].end, T0 + 1.4 * S + 3 * S); // last motion + cool-down (> T0 + 2 s)
  // The second clip's pre-roll (from T0 + 4 s) would reach into the first (to T0 + 4.4 s): it
  // starts where that one ended instead, on the segment holding that moment.
  assert.equal(clips[1].motionStart, T0 + 8 * S);
  assert.equal(clips[1].start, T0 + 4 * S);
  assert.notEqual(clips[1].relativePath, clips[0].relativePath);
});

Deno.test("one connection's segments are joined without ffmpeg; two connections' or plain MP4 ones by ffmpeg, alike", async () => {
  const plain = `${dir}/plain.mp4`;
  await makeSegment(plain, "160x120", false);
  const cases = {
    "one connection": {},
    "two connections": { session: (t: number) => (t < T0 ? 1 : 2) },
    "plain MP4 segments": { template: plain },
  };
  const clips: Record<string, { fragmented: boolean; seconds: number; frames: number }> = {};
  for (const [name, options] of Object.entries(cases)) {
    const { rec, videoDir } = recorder(name.replaceAll(" ", "-"), { clipSeconds: 3, cooldownSeconds: 1 });
    feed(rec, T0 - 4 * S, T0 + 6 * S, (t) => t >= T0 && t < T0 + S);
    let clip;
    for (const s of await segments(join(videoDir, ".cache"), T0 - 4 * S, T0 + 6 * S, options)) {
      clip ??= await rec.segment(s);
    }
    assert.ok(clip, name);
    assert.equal(clip.end - clip.start, 5 * S, name); // from T0 - 2 s (pre-roll) to T0 + 3 s
    const frames = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"]
        .concat([clip.path]),
    }).output();
    clips[name] = {
      fragmented: readBoxes(await Deno.readFile(clip.path)).some((b) => b.type === "moof"),
      seconds: await probeDuration(clip.path),
      frames: Number(new TextDecoder().decode(frames.stdout)),
    };
  }
  assert.deepEqual(
    Object.values(clips).map((c) => c.fragmented),
    [true, false, false],
    JSON.stringify(clips),
  );
  for (const c of Object.values(clips)) {
    assert.equal(c.frames, 50, JSON.stringify(clips)); // 5 s at 10 fps
    assert.ok(Math.abs(c.seconds - 5) < 0.15, JSON.stringify(clips));
  }
});

Deno.test("a camera drop finishes the clip with what was recorded (truncated)", async () => {
  const { rec, videoDir } = recorder("drop", { clipSeconds: 30 });
  feed(rec, T0 - 2 * S, T0 + 3 * S, (t) => t >= T0);
  for (const s of await segments(join(videoDir, ".cache"), T0 - 2 * S, T0 + 4 * S)) await rec.segment(s);
  assert.equal(rec.recording, true);
  const clip = await rec.cameraLost();
  assert.ok(clip);
  assert.equal(clip.truncated, true);
  assert.equal(clip.end, T0 + 4 * S); // up to the end of the last segment
  assert.equal(rec.recording, false);
  assert.ok(Math.abs((await probeDuration(clip.path)) - 6) < 0.15);
});

Deno.test("segments no clip can need are deleted; retention keeps the folder, cache included, in budget", async () => {
  const size = (await Deno.stat(TEMPLATE)).size;
  const maxBytes = 7 * size;
  const videoDir = join(dir, "retention");
  const storage = new ClipStorage({ videoDir, minFreeBytes: 0, maxBytes });
  const rec = new ClipRecorder({
    camera: "front",
    videoDir,
    clipSeconds: 2,
    prerollSeconds: 1,
    cooldownSeconds: 0,
    storage,
  });
  const cache = join(videoDir, ".cache");
  const segs = await segments(cache, T0 - 10 * S, T0 + 40 * S);
  const clips = [];
  let next = 0;
  for (let t = T0 - 10 * S; t < T0 + 38 * S; t += 200) {
    // A motion start every 8 s: clips of 1 s pre-roll + 2 s.
    const phase = (t - T0) % (8 * S);
    rec.motion(t >= T0 && phase === 0 ? started(t) : still(t));
    while (next < segs.length && segs[next].end <= t) {
      const c = await rec.segment(segs[next++]);
      if (c) clips.push(c);
    }
  }
  assert.ok(clips.length >= 4, `${clips.length} clips`);
  // Retention runs after each clip: the folder is in budget then, counting the cache and the
  // segments not handed over yet, and what is kept is the newest clips.
  for (const s of segs.slice(next)) await Deno.remove(s.path);
  await storage.applyRetention();
  const total = [...walk(videoDir)].reduce((sum, f) => sum + Deno.statSync(f).size, 0);
  assert.ok(total <= maxBytes, `${total} bytes in the folder, budget ${maxBytes}`);
  const left = [...Deno.readDirSync(join(videoDir, "front"))].filter((e) => e.name.endsWith(".mp4")).map((
    e,
  ) => e.name).sort();
  assert.ok(left.length >= 1 && left.length < clips.length, `${left.length} of ${clips.length} clips kept`);
  assert.deepEqual(left, clips.slice(-left.length).map((c) => c.path.split("/").at(-1)).sort());
  for (const name of left) {
    assert.ok(Deno.statSync(join(videoDir, "front", name.replace(".mp4", ".json"))).isFile);
  }
  // Of the segments handed over, the cache keeps only what a pre-roll could still need.
  const kept = segs.slice(0, next).filter((s) => {
    try {
      return Deno.statSync(s.path).isFile;
    } catch {
      return false;
    }
  });
  assert.ok(kept.length <= 2, `${kept.length} of ${next} segments left in the cache`);
});

function* walk(folder: string): Generator<string> {
  for (const e of Deno.readDirSync(folder)) {
    const path = join(folder, e.name);
    if (e.isDirectory) yield* walk(path);
    else if (e.isFile) yield path;
  }
}

Deno.test("bad options give RangeError naming them", () => {
  assert.throws(() => new ClipRecorder({ camera: "../x", videoDir: dir }), /camera name/);
  assert.throws(
    () => new ClipRecorder({ camera: "a", videoDir: dir, clipSeconds: 0 }),
    /clipSeconds must be a number between 1 and 3600, got 0/,
  );
  assert.throws(
    () => new ClipRecorder({ camera: "a", videoDir: dir, clipSeconds: 30, maxClipSeconds: 10 }),
    /maxClipSeconds \(10\) must be at least clipSeconds \(30\)/,
  );
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("motion that outlasts the longest clip goes on in a new clip, without a gap", async () => {
  const { rec, videoDir } = recorder("continuous", { clipSeconds: 2, maxClipSeconds: 3, cooldownSeconds: 1 });
  const segs = await segments(join(videoDir, ".cache"), T0 - 4 * S, T0 + 14 * S);
  const clips = [];
  let next = 0;
  for (let t = T0 - 4 * S; t < T0 + 12 * S; t += 200) {
    rec.motion(t === T0 ? started(t) : t > T0 ? moving(t) : still(t)); // moving from T0 on
    while (next < segs.length && segs[next].end <= t) {
      const c = await rec.segment(segs[next++]);
      if (c) clips.push(c);
    }
  }
  assert.ok(clips.length >= 2, `${clips.length} clips`);
  assert.equal(clips[0].end, T0 + 3 * S); // the cap
  // The next clip picks up where the first ended: its first segment holds that moment.
  assert.equal(clips[1].start, T0 + 2 * S);
  assert.ok(clips[1].start <= clips[0].end && clips[1].end > clips[0].end);
});
