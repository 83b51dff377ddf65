/**
 * What real cameras send, over RTSP from the camera emulator, recorded by `deno task capture` as a
 * user runs it, each clip checked with ffprobe: B-frames kept in display order with even frame gaps
 * and exact durations (the camera's timestamps), AAC sound copied, G.711 A-law and µ-law sound made
 * AAC, `AUDIO=off`, H.265 tagged hvc1, and a main stream recorded while motion is watched on its
 * sub-stream (`DETECT_URL`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CameraEmulator, type CameraEmulatorOptions } from "../../tools/camera_emulator.ts";
import { spawnTask } from "../helpers/deno_task.ts";
import { cutSample } from "../helpers/media.ts";
import { until } from "../helpers/until.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-streams-" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
// People walking the whole time: a clip every few seconds.
const SAMPLE = join(dir, "sample.mp4");
await cutSample(SAMPLE, 12);

const decoder = new TextDecoder();

async function ffprobe(path: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("ffprobe", { args: ["-v", "error", ...args, path] }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  return decoder.decode(out.stdout).trim();
}

/** A clip as ffprobe and its sidecar see it. */
interface ClipFacts {
  readonly path: string;
  readonly video: { codec: string; tag: string; width: number; height: number; hasBFrames: number };
  readonly audio: { codec: string; rate: number } | undefined;
  /** the decoded video frames' times, in the order the decoder gives them (display order) */
  readonly frameTimes: number[];
  /** the video packets' presentation times, in file (decoding) order */
  readonly packetTimes: number[];
  readonly duration: number;
  readonly sidecar: Record<string, unknown>;
}

async function clipFacts(path: string): Promise<ClipFacts> {
  const streams = JSON.parse(
    await ffprobe(
      path,
      "-show_entries",
      "stream=codec_type,codec_name,codec_tag_string,width,height,has_b_frames,sample_rate",
      "-of",
      "json",
    ),
  ).streams as Record<string, string | number>[];
  const v = streams.find((s) => s.codec_type === "video")!;
  const a = streams.find((s) => s.codec_type === "audio");
  const frameTimes = (await ffprobe(
    path,
    "-select_streams",
    "v",
    "-show_entries",
    "frame=best_effort_timestamp_time",
    "-of",
    "csv=p=0",
  )).split("\n").filter((l) => l.trim()).map((l) => parseFloat(l));
  const packetTimes = (await ffprobe(
    path,
    "-select_streams",
    "v",
    "-show_entries",
    "packet=pts_time",
    "-of",
    "csv=p=0",
  )).split("\n").filter((l) => l.trim()).map((l) => parseFloat(l));
  const duration = Number(await ffprobe(path, "-show_entries", "format=duration", "-of", "csv=p=0"));
  return {
    path,
    video: {
      codec: String(v.codec_name),
      tag: String(v.codec_tag_string),
      width: Number(v.width),
      height: Number(v.height),
      hasBFrames: Number(v.has_b_frames ?? 0),
    },
    audio: a ? { codec: String(a.codec_name), rate: Number(a.sample_rate) } : undefined,
    frameTimes,
    packetTimes,
    duration,
    sidecar: JSON.parse(await Deno.readTextFile(path.replace(/\.mp4$/, ".json"))),
  };
}

/**
 * Starts the emulator with `camera`, records it with `deno task capture` (3 s clips) until two clips
 * are written, stops it with SIGTERM, and returns the clips' facts and capture's output.
 */
async function record(
  name: string,
  camera: CameraEmulatorOptions,
  env: (emulator: CameraEmulator) => Record<string, string> = () => ({}),
): Promise<{ clips: ClipFacts[]; output: string }> {
  await using emulator = await CameraEmulator.start({ file: SAMPLE, ...camera });
  const videoDir = join(dir, name);
  await using capture = spawnTask("capture", [], {
    env: {
      RTSP_URL: emulator.url,
      CAMERA_NAME: "cam",
      VIDEO_DIR: videoDir,
      CLIP_SECONDS: "3",
      PREROLL_SECONDS: "1",
      MAX_CLIP_SECONDS: "3",
      COOLDOWN_SECONDS: "0",
      MIN_FREE_MB: "0",
      LOG_FORMAT: "text",
      ...env(emulator),
    },
  });
  const clips = () => {
    try {
      return [...Deno.readDirSync(join(videoDir, "cam"))].filter((e) =>
        /^\d{8}-\d{6}(-\d+)?\.json$/.test(e.name)
      );
    } catch {
      return [];
    }
  };
  // Two whole clips (the one in progress at SIGTERM is cut short).
  await until(() => clips().length >= 2, 60_000, `two clips of ${name}`).catch((e) => {
    throw new Error(`${e.message}: ${capture.stdout()}\n${capture.stderr()}`);
  });
  const out = await capture.stop("SIGTERM");
  assert.equal(out.code, 0, out.stderr);
  const facts = [];
  for (const e of clips().sort((a, b) => a.name.localeCompare(b.name))) {
    facts.push(await clipFacts(join(videoDir, "cam", e.name.replace(/\.json$/, ".mp4"))));
  }
  return { clips: facts, output: out.stdout + out.stderr };
}

/**
 * Decoded frames that never step back, with even gaps, and a duration that matches them, at `fps`.
 * A clip cut short by SIGTERM is exempt: with B-frames, ffmpeg stops before the last B-frames
 * arrive (they are sent after the frame they refer to), so its end may miss a frame or two.
 */
function assertTimeline(clip: ClipFacts, fps: number): void {
  if (clip.sidecar.truncated) return;
  const shown = clip.frameTimes;
  const gaps = shown.slice(1).map((t, i) => t - shown[i]);
  const frame = 1 / fps;
  for (const [i, gap] of gaps.entries()) {
    assert.ok(Math.abs(gap - frame) < 0.002, `${clip.path}: gap ${gap.toFixed(4)} s before frame ${i + 1}`);
  }
  assert.ok(
    Math.abs(clip.duration - shown.length * frame) <= frame + 0.001,
    `${clip.path}: ${clip.duration} s for ${shown.length} frames at ${fps} fps`,
  );
}

Deno.test("B-frames: kept in display order, even gaps, exact durations", async () => {
  const { clips } = await record("bframes", { bFrames: 2 });
  for (const clip of clips) {
    assert.equal(clip.video.codec, "h264");
    assert.ok(clip.video.hasBFrames > 0, `${clip.path}: no B-frames`);
    // The file stores frames out of display order (B-frames after the frame they refer to)...
    assert.notDeepEqual(clip.packetTimes, [...clip.packetTimes].sort((a, b) => a - b));
    // ...and the decoder shows them in order, 100 ms apart.
    assertTimeline(clip, 10);
    assert.equal(clip.sidecar.video, "h264");
  }
});

Deno.test("AAC sound is copied into the clip; AUDIO=off leaves it out", async () => {
  const kept = await record("aac", { audio: "aac" });
  for (const clip of kept.clips) {
    assert.equal(clip.audio?.codec, "aac", clip.path);
    assert.equal(clip.sidecar.audio, "aac");
    assertTimeline(clip, 10);
  }
  assert.doesNotMatch(kept.output, /recording it as AAC/, "AAC is copied, not transcoded");
  const off = await record("aac-off", { audio: "aac" }, () => ({ AUDIO: "off" }));
  for (const clip of off.clips) {
    assert.equal(clip.audio, undefined, clip.path);
    assert.equal(clip.sidecar.audio, null);
  }
});

for (const codec of ["pcm_alaw", "pcm_mulaw"] as const) {
  Deno.test(`G.711 sound (${codec}) is transcoded to AAC, said once`, async () => {
    const { clips, output } = await record(codec, { audio: codec });
    for (const clip of clips) {
      assert.equal(clip.audio?.codec, "aac", clip.path);
      assert.equal(clip.sidecar.audio, "aac");
    }
    const said = output.match(
      new RegExp(`the camera's sound is ${codec}, which MP4 cannot hold: recording it as AAC`, "g"),
    );
    assert.equal(said?.length, 1, output);
  });
}

Deno.test("H.265 is recorded as hvc1", async () => {
  const { clips } = await record("hevc", { codec: "h265" });
  for (const clip of clips) {
    assert.equal(clip.video.codec, "hevc");
    assert.equal(clip.video.tag, "hvc1", clip.path);
    assert.equal(clip.sidecar.video, "hevc");
    assertTimeline(clip, 10);
  }
});

Deno.test("DETECT_URL: motion watched on the sub-stream, the main stream recorded as it is", async () => {
  const { clips, output } = await record(
    "main-sub",
    { size: { width: 1280, height: 720 }, subStream: { width: 320, height: 180 } },
    (emulator) => ({ DETECT_URL: emulator.subUrl! }),
  );
  assert.match(output, /connecting to \S+ \(motion watched on rtsp:\/\/\S+\/sub\)/);
  for (const clip of clips) {
    assert.deepEqual([clip.video.width, clip.video.height], [1280, 720], clip.path);
    assertTimeline(clip, 10);
    // The motion was seen (on the sub-stream) inside the recorded span.
    const preroll = Number(clip.sidecar.preroll);
    // PREROLL_SECONDS back from the motion, then back to the keyframe that starts its segment (2 s).
    assert.ok(preroll >= 0 && preroll <= 3.5, `pre-roll ${preroll} s`);
  }
});
