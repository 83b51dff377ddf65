/**
 * ClipStorage on real files: retention by age and by the whole folder's size across cameras,
 * the free-space floor on a real small file system (tmpfs), and a clip recorder on a full disk
 * that keeps the clip and writes it once there is room.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ClipStorage, type DeletedClip, type StorageState } from "../../lib/capture/clip_storage.ts";
import { ClipError, ClipRecorder, type FinishedClip } from "../../lib/capture/clip_recorder.ts";
import type { CameraSegment } from "../../lib/capture/rtsp_source.ts";
import { makeSegment } from "../helpers/media.ts";
import { mountTmpfs } from "../helpers/tmpfs.ts";
import { MetricsRegistry } from "../../lib/ops/metrics.ts";

const MB = 2 ** 20;
const dir = await Deno.makeTempDir({ prefix: "camwatch-storage-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

/** A clip of `bytes` with its sidecar and an evidence file, modified `ageMs` ago. */
async function clip(videoDir: string, path: string, bytes: number, ageMs: number): Promise<void> {
  const file = join(videoDir, path);
  await Deno.mkdir(join(file, ".."), { recursive: true });
  await Deno.writeFile(file, new Uint8Array(bytes).fill(1));
  await Deno.writeTextFile(file.replace(/\.mp4$/, ".json"), "{}");
  await Deno.writeTextFile(file.replace(/\.mp4$/, ".person-1.jpg"), "jpg");
  const when = new Date(Date.now() - ageMs);
  await Deno.utime(file, when, when);
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("retention: age and the whole folder's size, oldest first across cameras, each clip with its files", async () => {
  const videoDir = await Deno.makeTempDir({ dir });
  const H = 3_600_000;
  await clip(videoDir, "front/20260101-000000.mp4", 1000, 50 * H); // two days old
  await clip(videoDir, "yard/20260102-000000.mp4", 1000, 5 * H);
  await clip(videoDir, "front/20260102-010000.mp4", 1000, 4 * H);
  await clip(videoDir, "front/20260102-010000-1.mp4", 1000, 3 * H); // same stem plus -1: another clip
  await clip(videoDir, "yard/20260102-020000.mp4", 1000, 2 * H);
  // What is not a clip counts against the size and is never deleted.
  await Deno.mkdir(join(videoDir, ".cache/front"), { recursive: true });
  await Deno.writeFile(join(videoDir, ".cache/front/seg.mp4"), new Uint8Array(1500));
  await Deno.writeFile(join(videoDir, "detections_log.jsonl"), new Uint8Array(500));
  const deleted: DeletedClip[] = [];
  const storage = new ClipStorage({
    videoDir,
    minFreeBytes: 0,
    maxAgeDays: 1,
    maxBytes: 4100,
    onDelete: (d) => deleted.push(d),
  });
  const returned = await storage.applyRetention();
  assert.deepEqual(returned, deleted);
  // 5 clips of 1000 + 2 + 3 bytes (5025), 2000 bytes of cache and log: 7025. The two-day-old clip goes for its
  // age (→ 6020); then the oldest while over 4100: yard's first (→ 5015) and front's 01:00 (→ 4010).
  assert.deepEqual(deleted.map((d) => [d.path, d.reason, d.bytes]), [
    ["front/20260101-000000.mp4", "age", 1005],
    ["yard/20260102-000000.mp4", "size", 1005],
    ["front/20260102-010000.mp4", "size", 1005],
  ]);
  for (
    const gone of [
      "front/20260102-010000.mp4",
      "front/20260102-010000.json",
      "front/20260102-010000.person-1.jpg",
    ]
  ) {
    assert.equal(await exists(join(videoDir, gone)), false, gone);
  }
  for (
    const kept of ["front/20260102-010000-1.mp4", "front/20260102-010000-1.json", "yard/20260102-020000.mp4"]
  ) {
    assert.equal(await exists(join(videoDir, kept)), true, kept);
  }
  assert.equal(await exists(join(videoDir, ".cache/front/seg.mp4")), true);
  assert.equal(await exists(join(videoDir, "detections_log.jsonl")), true);
  assert.deepEqual(await storage.applyRetention(), []); // in budget now
  // A video folder not made yet is made by the first check.
  const fresh = join(videoDir, "not-yet");
  await new ClipStorage({ videoDir: fresh, minFreeBytes: 0 }).makeRoom();
  assert.ok((await Deno.stat(fresh)).isDirectory);
});

Deno.test("the free-space floor on a real 8 MB disk: oldest clips of any camera go, then it says when it is short", async () => {
  await using disk = await mountTmpfs(8);
  const deleted: DeletedClip[] = [];
  const shorts: StorageState[] = [];
  const said: string[] = [];
  const metrics = new MetricsRegistry();
  const storage = new ClipStorage({
    videoDir: disk.path,
    minFreeBytes: 3 * MB,
    onDelete: (d) => deleted.push(d),
    onShort: (s) => shorts.push(s),
    onLog: (e) => said.push(`${e.level}: ${e.message}`),
    metrics,
  });
  for (let i = 0; i < 5; i++) {
    await clip(disk.path, `${i % 2 ? "yard" : "front"}/2026010${i}-000000.mp4`, MB, (9 - i) * 1000);
  }
  assert.ok((await disk.free()) < 4 * MB);
  const state = await storage.makeRoom(MB / 2); // room for a 0.5 MB write above the 3 MB floor
  assert.equal(state.short, false);
  assert.ok(state.freeBytes >= 3.5 * MB, `${state.freeBytes} bytes free`);
  assert.deepEqual(deleted.map((d) => [d.path, d.reason]), [["front/20260100-000000.mp4", "free space"]]);
  assert.equal(await exists(join(disk.path, "yard/20260101-000000.mp4")), true);

  // A disk full of other things: every clip goes, the floor still cannot be kept, and it says so once.
  const filler = await disk.fill(0);
  assert.equal((await storage.makeRoom(2 * MB)).short, true); // the 4 MB of clips left are not enough
  assert.equal((await storage.makeRoom(2 * MB)).short, true);
  assert.equal(deleted.length, 5);
  assert.deepEqual(shorts.map((s) => s.short), [true]);
  await Deno.remove(filler);
  assert.equal((await storage.makeRoom()).short, false);
  assert.deepEqual(shorts.map((s) => s.short), [true, false]);
  // In words and in metrics, as capture logs and serves them.
  assert.equal(said[0], "info: deleted front/20260100-000000.mp4 (1.0 MB, free space)");
  assert.match(
    said.at(-2)!,
    /^warn: only \d MB free on the disk of \S+: the floor of 3 MB \(MIN_FREE_MB\) and the next write do not fit/,
  );
  assert.equal(said.at(-1), "info: disk space is back above the floor of 3 MB (MIN_FREE_MB)");
  assert.deepEqual(await storage.health(), {
    free_mb: Math.floor((await disk.free()) / MB),
    min_free_mb: 3,
    short: false,
  });
  const text = metrics.render();
  assert.match(text, /^camwatch_clips_deleted_total\{reason="free space"\} 5$/m);
  assert.match(text, /^camwatch_disk_free_bytes \d+$/m);
});

/**
 * A recorder of 2 s clips without pre-roll on `videoDir` (floor off), fed with copies of one
 * real segment kept outside it, so that only clips fill the disk.
 */
async function recorderOn(videoDir: string, onClip?: (clip: FinishedClip) => void) {
  const cache = await Deno.makeTempDir({ dir });
  const template = join(cache, "template.mp4");
  await makeSegment(template, "320x240");
  let n = 0;
  const rec = new ClipRecorder({
    camera: "front",
    videoDir,
    clipSeconds: 2,
    prerollSeconds: 0,
    cooldownSeconds: 0,
    storage: new ClipStorage({ videoDir, minFreeBytes: 0 }),
    onClip,
  });
  return {
    rec,
    cache,
    /** A motion event starting at `ts`. */
    motion: (ts: number) =>
      rec.motion({
        ts,
        motion: true,
        score: 0.1,
        boxes: [],
        recalibrated: false,
        event: { type: "start", ts, score: 0.1, boxes: [] },
      }),
    /** The next segment file (`0.mp4`, `1.mp4`, …), 2 s from `start`. */
    segment: async (start: number): Promise<CameraSegment> => {
      const path = join(cache, `${n++}.mp4`);
      await Deno.copyFile(template, path);
      return { path, start, end: start + 2000, session: 1 };
    },
  };
}

const T0 = Date.UTC(2026, 1, 23, 14, 46, 50);

Deno.test("a full disk: the clip is kept with its segments and written once there is room, in order", async () => {
  await using disk = await mountTmpfs(6);
  const written: FinishedClip[] = [];
  const { rec, motion, segment } = await recorderOn(disk.path, (c) => void written.push(c));
  const filler = await disk.fill(1000); // not even the ffconcat list fits whole

  motion(T0);
  await rec.segment(await segment(T0 - 2000));
  const failure = await rec.segment(await segment(T0)).then(() => undefined, (e) => e);
  assert.ok(failure instanceof ClipError, String(failure));
  assert.equal(failure.retrying, true);
  assert.match(
    failure.message,
    /No space left on device.*its segments are kept and it is written once there is room/,
  );
  assert.deepEqual([...Deno.readDirSync(disk.path)].map((e) => e.name).sort(), ["filler.bin", "front"]);
  assert.deepEqual([...Deno.readDirSync(join(disk.path, "front"))], [], "no half-written clip or list");

  // A second clip while the first waits: it queues behind it.
  await rec.segment(await segment(T0 + 2000)); // still no room: tried again, quietly
  motion(T0 + 4000);
  const second = await rec.segment(await segment(T0 + 4000)).then(() => undefined, (e) => e);
  assert.match(second?.message ?? "", /waits for disk space behind 1 other/);
  assert.equal(written.length, 0);

  await Deno.remove(filler);
  await rec.segment(await segment(T0 + 6000)); // room now: both are written, oldest first
  assert.deepEqual(written.map((c) => c.start), [T0, T0 + 4000]);
  for (const c of written) {
    assert.ok((await Deno.stat(c.path)).size > 1000);
    assert.ok(await exists(c.sidecarPath));
  }
  await rec.close();
});

Deno.test("a clip that waits for space longer than the retry window is given up with an error", async () => {
  await using disk = await mountTmpfs(4);
  const { rec, cache, motion, segment } = await recorderOn(disk.path);
  await disk.fill(0);
  motion(T0);
  const first = await rec.segment(await segment(T0)).then(() => undefined, (e) => e);
  assert.equal(first?.retrying, true);
  // Ten minutes of stream later (two segments far apart), the clip is lost, and says so.
  const late = await rec.segment(await segment(T0 + 11 * 60_000)).then(() => undefined, (e) => e);
  assert.ok(late instanceof ClipError);
  assert.equal(late.retrying, false);
  assert.match(late.message, /No space left on device.*; lost after trying for 660 s/);
  // Its segments are no longer kept.
  assert.equal(await exists(join(cache, "0.mp4")), false);
});
