/**
 * joinFragmentedMp4 on segments cut by the real ffmpeg segment muxer with the capture's own
 * settings (SEGMENT_MOVFLAGS), checked with ffprobe and by decoding: every frame kept, in display
 * order with even gaps across the joins, the sound continuous and in its place, the cut where
 * asked, and segments it cannot join refused without writing anything.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SEGMENT_MOVFLAGS } from "../../lib/media/ffmpeg.ts";
import { FragmentJoinError, joinFragmentedMp4 } from "../../lib/media/fragmented_mp4_join.ts";
import { readBoxes } from "../../lib/media/mp4_boxes.ts";
import { ffmpeg, makeSegment } from "../helpers/media.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-join-" });

/**
 * Records a made-up 8 s camera stream (15 fps, a keyframe a second, optional B-frames, H.264 or
 * H.265, AAC sound) into 2 s segments as capture does; returns their paths in order.
 */
async function record(name: string, options: { bFrames?: number; hevc?: boolean; audio?: boolean }) {
  const folder = join(dir, name);
  await Deno.mkdir(folder);
  const source = join(folder, "source.mkv");
  await ffmpeg(
    ...["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15:duration=8"],
    ...(options.audio ? ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=8"] : []),
    ...["-c:v", options.hevc ? "libx265" : "libx264", "-g", "15", "-bf", String(options.bFrames ?? 0)],
    ...(options.hevc ? ["-x265-params", "log-level=error"] : []),
    ...(options.audio ? ["-c:a", "aac"] : []),
    source,
  );
  await ffmpeg(
    ...["-i", source, "-map", "0", "-c", "copy", "-f", "segment", "-segment_time", "2"],
    ...["-reset_timestamps", "1", "-segment_format_options", `movflags=${SEGMENT_MOVFLAGS}`],
    join(folder, "%03d.mp4"),
  );
  const parts = [];
  for await (const e of Deno.readDir(folder)) if (e.name.endsWith(".mp4")) parts.push(join(folder, e.name));
  return parts.sort();
}

/** Each packet's time and length in seconds, per stream kind, sorted by presentation time. */
async function packets(path: string, stream: "v" | "a"): Promise<[number, number][]> {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-select_streams", stream, "-show_entries", "packet=pts_time,duration_time"]
      .concat(["-of", "csv=p=0", path]),
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean)
    .map((l) => l.split(",").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** The largest gap or overlap between one packet's end and the next one's start, in seconds. */
function worstJoin(rows: [number, number][]): number {
  let worst = 0;
  for (let i = 1; i < rows.length; i++) {
    worst = Math.max(worst, Math.abs(rows[i][0] - rows[i - 1][0] - rows[i - 1][1]));
  }
  return worst;
}

/** What ffmpeg says decoding the whole file (nothing when it is sound). */
async function decodeErrors(path: string): Promise<string> {
  const out = await new Deno.Command("ffmpeg", { args: ["-v", "error", "-i", path, "-f", "null", "-"] })
    .output();
  return new TextDecoder().decode(out.stderr).trim() || (out.success ? "" : `exit ${out.code}`);
}

/** A decoded frame checksum per video frame, in display order. */
async function frameHashes(path: string): Promise<string[]> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-map", "0:v", "-f", "framemd5", "-"],
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(",").at(-1)!.trim());
}

Deno.test("join: B-frames and AAC across four segments, every frame in order, the sound continuous", async () => {
  const parts = await record("bframes", { bFrames: 2, audio: true });
  assert.equal(parts.length, 4);
  const clip = join(dir, "bframes.mp4");
  const seconds = await joinFragmentedMp4(parts, clip);

  const video = await packets(clip, "v");
  assert.equal(video.length, 8 * 15, "every frame of the 8 s is in the clip");
  assert.ok(worstJoin(video) < 0.001, `video gaps at the joins: ${worstJoin(video)} s`);
  const sound = await packets(clip, "a");
  assert.ok(worstJoin(sound) < 0.001, `sound gaps or overlaps at the joins: ${worstJoin(sound)} s`);
  // The sound keeps its place against the video, as in the recorded stream, and the clip starts
  // with the earlier of the two.
  const source = join(dir, "bframes", "source.mkv");
  const [sourceVideo, sourceSound] = [(await packets(source, "v"))[0][0], (await packets(source, "a"))[0][0]];
  const offset = video[0][0] - sound[0][0];
  assert.ok(Math.abs(offset - (sourceVideo - sourceSound)) < 0.002, `video − sound ${offset} s`);
  assert.equal(Math.min(video[0][0], sound[0][0]), 0);
  assert.ok(Math.abs(seconds - 8) < 0.07, `length ${seconds} s`);
  assert.equal(await decodeErrors(clip), "");
  // The frames decode to exactly those of the recorded stream.
  assert.deepEqual(await frameHashes(clip), await frameHashes(join(dir, "bframes", "source.mkv")));
  const top = readBoxes(await Deno.readFile(clip)).map((b) => b.type);
  assert.deepEqual(top.slice(0, 3), ["ftyp", "moov", "moof"]);
});

Deno.test("join: cut at endSeconds, inside the last segment", async () => {
  const parts = await record("cut", { audio: true });
  const clip = join(dir, "cut.mp4");
  const seconds = await joinFragmentedMp4(parts.slice(1, 3), clip, { endSeconds: 3.3 });
  const video = await packets(clip, "v");
  const last = video.at(-1)![0];
  assert.ok(last < 3.3 && last >= 3.3 - 1 / 15, `the last frame is at ${last} s`);
  assert.equal(video.length, Math.ceil(3.3 * 15));
  const sound = await packets(clip, "a");
  assert.ok(sound.at(-1)![0] < 3.3, "no sound after the cut");
  assert.ok(Math.abs(seconds - 3.3) < 0.07, `length ${seconds} s`);
  assert.equal(await decodeErrors(clip), "");
  // The cut clip holds the first 3.3 s of the two segments, frame for frame.
  const whole = join(dir, "uncut.mp4");
  await joinFragmentedMp4(parts.slice(1, 3), whole);
  assert.deepEqual(await frameHashes(clip), (await frameHashes(whole)).slice(0, video.length));
});

Deno.test("join: H.265 is tagged hvc1 when asked", async () => {
  const parts = await record("hevc", { hevc: true });
  const clip = join(dir, "hevc.mp4");
  await joinFragmentedMp4(parts, clip, { hvc1: true });
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", "stream=codec_tag_string,nb_read_frames", "-count_frames"]
      .concat(["-of", "csv=p=0", clip]),
  }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "hvc1,120");
  assert.equal(await decodeErrors(clip), "");
});

Deno.test("join: segments it cannot join are refused by name, and nothing is written", async () => {
  const plain = join(dir, "plain.mp4");
  const small = join(dir, "small.mp4");
  const large = join(dir, "large.mp4");
  await makeSegment(plain, "160x120", false);
  await makeSegment(small, "160x120");
  await makeSegment(large, "320x240");
  const clip = join(dir, "refused.mp4");
  await assert.rejects(joinFragmentedMp4([plain], clip), (e) => {
    assert.ok(e instanceof FragmentJoinError);
    assert.match(e.message, /plain\.mp4 is not a fragmented MP4/);
    return true;
  });
  await assert.rejects(joinFragmentedMp4([small, large], clip), (e) => {
    assert.ok(e instanceof FragmentJoinError);
    assert.match(e.message, /large\.mp4 is not of the same recording as .*small\.mp4/);
    return true;
  });
  await assert.rejects(Deno.stat(clip), Deno.errors.NotFound);
  await Deno.writeFile(join(dir, "torn.mp4"), (await Deno.readFile(small)).subarray(0, 2000));
  await assert.rejects(joinFragmentedMp4([join(dir, "torn.mp4")], clip), FragmentJoinError);
  // A run that claims more samples than its box holds.
  const bytes = await Deno.readFile(small);
  const trun = new TextDecoder("latin1").decode(bytes).indexOf("trun");
  new DataView(bytes.buffer).setUint32(trun + 8, 0xffffff);
  await Deno.writeFile(join(dir, "overrun.mp4"), bytes);
  await assert.rejects(joinFragmentedMp4([join(dir, "overrun.mp4")], clip), FragmentJoinError);
  await assert.rejects(Deno.stat(clip), Deno.errors.NotFound);
});
