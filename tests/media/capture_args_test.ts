/**
 * The camera's ffmpeg command lines: the camera's own timestamps over RTSP (arrival time only for
 * MJPEG over HTTP), the sound copied, transcoded or left out, `-hwaccel` on the decoded input only,
 * the recording half that reports packet times, and `hvc1` for H.265 clips. The argument lists are
 * checked, then run for real on a file.
 */
import assert from "node:assert/strict";
import {
  captureArgs,
  concatArgs,
  detectArgs,
  recordArgs,
  runFfmpeg,
  spawnFfmpeg,
} from "../../lib/media/ffmpeg.ts";
import { FrameStream } from "../../lib/media/ffmpeg_frames.ts";
import { FfmpegProgress, PROGRESS_SECONDS } from "../../lib/media/ffmpeg_progress.ts";
import { repoPath } from "../helpers/media.ts";

const RTSP = "rtsp://127.0.0.1:8554/main";
const seg = { segmentDir: "/tmp/cache/front/session-0001" };
/** The words between `from` (inclusive) and the next output (`pipe:1` or the segment pattern). */
const after = (args: string[], word: string) => args.slice(args.indexOf(word));

Deno.test("RTSP keeps the camera's timestamps; MJPEG over HTTP is stamped on arrival", () => {
  assert.ok(!captureArgs(RTSP, seg).includes("-use_wallclock_as_timestamps"));
  assert.deepEqual(after(captureArgs(RTSP, seg), "-rtsp_transport").slice(0, 4), [
    "-rtsp_transport",
    "tcp",
    "-timeout",
    "10000000",
  ]);
  const http = captureArgs("http://cam/video.mjpg", seg);
  assert.equal(http[http.indexOf("-use_wallclock_as_timestamps") + 1], "1");
});

Deno.test("the sound: copied by default, transcoded to AAC, or left out; never on the motion output", () => {
  const copy = captureArgs(RTSP, seg);
  const segments = copy.slice(0, copy.indexOf(`${seg.segmentDir}/%06d.mp4`));
  assert.deepEqual(after(segments, "-map"), [
    "-map",
    "0:v:0",
    "-c:v",
    "copy",
    "-map",
    "0:a:0?",
    "-c:a",
    "copy",
    ...after(segments, "-f"),
  ]);
  const aac = captureArgs(RTSP, { ...seg, audio: "aac" });
  assert.equal(aac[aac.indexOf("-c:a") + 1], "aac");
  const off = captureArgs(RTSP, { ...seg, audio: "off" });
  assert.ok(!off.includes("0:a:0?") && !off.includes("-c:a"));
  // The grey frames are the video alone.
  assert.deepEqual(copy.slice(copy.lastIndexOf("-map"), copy.lastIndexOf("-map") + 2), ["-map", "0:v:0"]);
});

Deno.test("FFMPEG_HWACCEL goes before the input that is decoded, never on the recording half", () => {
  const single = captureArgs(RTSP, { ...seg, hwaccel: "vaapi" });
  assert.deepEqual(single.slice(single.indexOf("-hwaccel"), single.indexOf("-hwaccel") + 2), [
    "-hwaccel",
    "vaapi",
  ]);
  assert.ok(single.indexOf("-hwaccel") < single.indexOf("-i"));
  const detect = detectArgs("rtsp://127.0.0.1:8554/sub", { ...seg, hwaccel: "cuda" });
  assert.ok(detect.indexOf("-hwaccel") >= 0 && detect.indexOf("-hwaccel") < detect.indexOf("-i"));
  assert.ok(!detect.includes("segment"), "the detect half records nothing");
  const record = recordArgs(RTSP, { ...seg, hwaccel: "cuda" });
  assert.ok(!record.includes("-hwaccel"), "the main stream is never decoded");
  assert.ok(!record.includes("rawvideo"));
  assert.deepEqual(after(record, "-progress").slice(0, 4), ["-progress", "pipe:1", "-stats_period", "0.5"]);
  // With the URL on stdin, -hwaccel still comes before the list's -i.
  const listed = detectArgs("rtsp://u:p@cam/sub", { ...seg, hwaccel: "qsv", inputOnStdin: true });
  assert.ok(!listed.join(" ").includes("u:p@"));
  assert.ok(listed.indexOf("-hwaccel") < listed.indexOf("pipe:0"));
});

Deno.test("for real on a file: the recording half reports its progress along the video; -hwaccel auto falls back to the CPU", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-args-" });
  try {
    const sample = repoPath("video/samples/vtest.mp4");
    // -t before -i: the whole run is limited (the file is read at its own pace, like a camera).
    const limit = (args: string[]) => ["-t", "3", ...args];
    const record = spawnFfmpeg(limit(recordArgs(sample, { segmentDir: dir, segmentSeconds: 1 })));
    const times: number[] = [];
    for await (const p of new FfmpegProgress(record.stdout)) times.push(p.time);
    await record.stderr.cancel();
    assert.ok((await record.status).success);
    // A report every 0.5 s of the 3 s read at the video's pace, each further along the video.
    assert.ok(times.length >= 3 / PROGRESS_SECONDS - 2, `${times.length} reports in 3 s: ${times}`);
    for (let i = 1; i < times.length - 1; i++) {
      assert.ok(Math.abs(times[i] - times[i - 1] - PROGRESS_SECONDS) < 0.15, `report times ${times}`);
    }
    assert.ok(Math.abs(times.at(-1)! - 3) < 0.2, `the last report at ${times.at(-1)} s of 3`);
    const list = await Deno.readTextFile(`${dir}/segments.csv`);
    assert.ok(list.trim().split("\n").length >= 2, list);

    const detect = spawnFfmpeg(limit(detectArgs(sample, { segmentDir: dir, hwaccel: "auto", motionFps: 5 })));
    let frames = 0;
    for await (const f of new FrameStream(detect, { bytesPerPixel: 1 })) {
      assert.equal(f.width, 320);
      frames++;
    }
    assert.ok((await detect.status).success);
    assert.ok(frames >= 13 && frames <= 17, `${frames} frames in 3 s at 5 fps`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clips: the sound is kept when there is some; H.265 is tagged hvc1 when asked", async () => {
  const args = concatArgs("/tmp/list.ffconcat", "/tmp/out.mp4");
  assert.deepEqual(after(args, "-map").slice(0, 6), ["-map", "0:v", "-map", "0:a?", "-c", "copy"]);
  assert.ok(!args.includes("-tag:v"));
  const hevc = concatArgs("/tmp/list.ffconcat", "/tmp/out.mp4", { hvc1: true });
  assert.equal(hevc[hevc.indexOf("-tag:v") + 1], "hvc1");
  // For real: an H.265 segment with hev1 becomes an hvc1 clip.
  const dir = await Deno.makeTempDir({ prefix: "camwatch-hvc1-" });
  try {
    const made = await runFfmpeg([
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=160x120:rate=10:duration=1",
      "-c:v",
      "libx265",
      "-preset",
      "ultrafast",
      "-x265-params",
      "log-level=none",
      "-tag:v",
      "hev1",
      `${dir}/seg.mp4`,
    ]);
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    await Deno.writeTextFile(`${dir}/list.ffconcat`, `ffconcat version 1.0\nfile '${dir}/seg.mp4'\n`);
    const out = await runFfmpeg(concatArgs(`${dir}/list.ffconcat`, `${dir}/clip.mp4`, { hvc1: true }));
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const probe = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-show_entries",
        "stream=codec_name,codec_tag_string",
        "-of",
        "csv=p=0",
        `${dir}/clip.mp4`,
      ],
    }).output();
    assert.equal(new TextDecoder().decode(probe.stdout).trim(), "hevc,hvc1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
