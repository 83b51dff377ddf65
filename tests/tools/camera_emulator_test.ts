/**
 * The RTSP camera emulator with real GStreamer, ffmpeg and ffprobe as clients, as a library and
 * as `deno task camera` (with the task's own permissions).
 */
import assert from "node:assert/strict";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { freePort } from "../../tools/free_port.ts";
import { spawnTask } from "../helpers/deno_task.ts";
import { cutSample, ffmpeg, repoPath } from "../helpers/media.ts";

const decoder = new TextDecoder();

async function ffprobeJson(args: string[]) {
  const out = await new Deno.Command("ffprobe", { args: ["-v", "error", "-of", "json", ...args] }).output();
  return {
    ok: out.success,
    json: out.success ? JSON.parse(decoder.decode(out.stdout)) : undefined,
    stderr: decoder.decode(out.stderr),
  };
}

Deno.test("serves the sample over TCP and UDP, behind basic auth", async () => {
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    user: "admin",
    password: "s3cret:/@",
  });
  assert.match(camera.url, /^rtsp:\/\/admin:s3cret%3A%2F%40@127\.0\.0\.1:\d+\/stream$/);
  assert.equal(camera.displayUrl, camera.url.replace("s3cret%3A%2F%40", "***"));

  for (const transport of ["tcp", "udp"]) {
    const r = await ffprobeJson([
      "-rtsp_transport",
      transport,
      "-show_entries",
      "stream=codec_name,width,height",
      camera.url,
    ]);
    assert.ok(r.ok, `${transport}: ${r.stderr}`);
    assert.deepEqual(r.json.streams[0], { codec_name: "h264", width: 768, height: 576 });
  }
  const wrong = await ffprobeJson(["-rtsp_transport", "tcp", camera.url.replace("s3cret", "guess")]);
  assert.equal(wrong.ok, false);
  assert.match(wrong.stderr, /401 Unauthorized/);
});

Deno.test("loops a short file with timestamps that keep rising", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-emu-" });
  try {
    const cut = `${dir}/two_seconds.mp4`;
    await cutSample(cut, 2);
    await using camera = await CameraEmulator.start({ file: cut });
    // Record 5 s of a 2 s loop, then read every frame's timestamp.
    const recorded = `${dir}/recorded.mkv`;
    const rec = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-rtsp_transport",
        "tcp",
        "-i",
        camera.url,
        "-t",
        "5",
        "-c",
        "copy",
        recorded,
      ],
    }).output();
    assert.ok(rec.success, decoder.decode(rec.stderr));
    const r = await ffprobeJson(["-show_entries", "packet=pts_time", recorded]);
    const times: number[] = r.json.packets.map((p: { pts_time: string }) => Number(p.pts_time));
    assert.ok(times.length >= 45, `${times.length} frames in 5 s at 10 fps`);
    // The first packet of an RTSP session carries no timestamp of its own; after it, time only
    // moves forward, also where the 2 s file starts again.
    for (let i = 2; i < times.length; i++) {
      assert.ok(times[i] > times[i - 1], `pts goes back at ${i}: ${times[i - 1]} -> ${times[i]}`);
    }
    assert.ok(times.at(-1)! - times[0] > 4.5, `spans ${times.at(-1)! - times[0]} s`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a test pattern without a file; stop() ends the process", async () => {
  const camera = await CameraEmulator.start({ fps: 5 });
  const r = await ffprobeJson(["-rtsp_transport", "tcp", "-show_entries", "stream=width,height", camera.url]);
  assert.ok(r.ok, r.stderr);
  assert.deepEqual(r.json.streams[0], { width: 640, height: 480 });
  await camera.stop();
  const status = await camera.exited;
  assert.equal(status.success, true, "exits cleanly on SIGTERM");
});

Deno.test("a live GStreamer source (the webcam path) is encoded and served", async () => {
  // v4l2src for a real webcam; a moving test source stands in for it here.
  await using camera = await CameraEmulator.start({
    gstSource: "videotestsrc pattern=ball is-live=true ! video/x-raw,width=320,height=240,framerate=10/1",
  });
  const r = await ffprobeJson([
    "-rtsp_transport",
    "tcp",
    "-show_entries",
    "stream=codec_name,width,height",
    camera.url,
  ]);
  assert.ok(r.ok, r.stderr);
  assert.deepEqual(r.json.streams[0], { codec_name: "h264", width: 320, height: 240 });
});

Deno.test("deno task camera --port P: the sample over RTSP for ffprobe; SIGTERM stops it with status 0", async () => {
  const port = freePort();
  await using camera = spawnTask("camera", ["--file", "video/samples/vtest.mp4", "--port", String(port)]);
  const [, url] = await camera.waitFor(
    /^camera: streaming video\/samples\/vtest\.mp4 at (rtsp:\S+)$/m,
    60_000,
  );
  assert.equal(url, `rtsp://127.0.0.1:${port}/stream`);
  const r = await ffprobeJson([
    "-rtsp_transport",
    "tcp",
    "-show_entries",
    "stream=codec_name,width,height",
    url,
  ]);
  assert.ok(r.ok, r.stderr);
  assert.deepEqual(r.json.streams[0], { codec_name: "h264", width: 768, height: 576 });
  const out = await camera.stop();
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^camera: stopped$/m);
});

Deno.test("deno task camera --user/--password (or CAMERA_PASSWORD): the right login is let in, a wrong one refused", async () => {
  for (
    const [args, env] of [
      [["--password", "pw-from-argv"], {}],
      [[], { CAMERA_PASSWORD: "pw-from-env" }],
    ] as const
  ) {
    const password = args[1] ?? env.CAMERA_PASSWORD!;
    const port = freePort();
    await using camera = spawnTask("camera", [
      "--port",
      String(port),
      "--fps",
      "5",
      "--user",
      "admin",
      ...args,
    ], {
      env,
    });
    const [, shown] = await camera.waitFor(/^camera: streaming a test pattern at (rtsp:\S+)$/m, 60_000);
    assert.equal(shown, `rtsp://admin:***@127.0.0.1:${port}/stream`, "the password is not printed");
    const base = `127.0.0.1:${port}/stream`;
    const right = await ffprobeJson([
      "-rtsp_transport",
      "tcp",
      "-show_entries",
      "stream=width,height",
      `rtsp://admin:${password}@${base}`,
    ]);
    assert.ok(right.ok, right.stderr);
    assert.deepEqual(right.json.streams[0], { width: 640, height: 480 });
    for (const wrong of [`rtsp://admin:guess@${base}`, `rtsp://${base}`]) {
      const refused = await ffprobeJson(["-rtsp_transport", "tcp", wrong]);
      assert.equal(refused.ok, false, wrong);
      assert.match(refused.stderr, /401 Unauthorized/);
    }
    const out = await camera.stop();
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(out.stdout + out.stderr, new RegExp(password));
  }
});

/** ffprobe of an RTSP URL over TCP, killed after 30 s so that a stuck stream fails the test. */
async function probeRtsp(url: string, args: string[]) {
  const out = await new Deno.Command("ffprobe", {
    args: ["-v", "error", "-of", "json", "-rtsp_transport", "tcp", ...args, url],
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.ok(out.success, `ffprobe ${url}: ${decoder.decode(out.stderr)}`);
  return JSON.parse(decoder.decode(out.stdout));
}

/** The first frame of an RTSP stream, scaled to 32x24 grey: 768 bytes. */
async function firstFrameThumb(url: string): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url],
      ...["-frames:v", "1", "-vf", "scale=32:24,format=gray", "-f", "rawvideo", "-"],
    ],
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  assert.equal(out.stdout.length, 32 * 24);
  return out.stdout;
}

/** Mean absolute difference of two grey pictures, 0 to 255. */
function meanDifference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** The main frequency of 1 s of an RTSP stream's audio, from its zero crossings. */
async function toneFrequency(url: string): Promise<number> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", url],
      ...["-map", "0:a:0", "-t", "1", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
    ],
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  const samples = new Int16Array(out.stdout.buffer, 0, out.stdout.length >> 1);
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1] < 0) !== (samples[i] < 0)) crossings++;
  return crossings / 2 / (samples.length / 8000);
}

Deno.test("B-frames: sent with their own presentation times, decoded in display order with even gaps", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    seconds: 2,
    fps: 15,
    bFrames: 2,
  });
  console.log(`B-frames emulator ready in ${Math.round(performance.now() - start)} ms`);
  const stream = await probeRtsp(camera.url, ["-show_entries", "stream=codec_name,has_b_frames"]);
  assert.equal(stream.streams[0].codec_name, "h264");
  assert.ok(stream.streams[0].has_b_frames > 0, `has_b_frames ${stream.streams[0].has_b_frames}`);

  // 3 s of a 2 s loop: packets in decode order, frames out of the decoder in display order.
  const r = await probeRtsp(camera.url, [
    ...["-read_intervals", "%+3", "-show_packets", "-show_frames"],
    ...["-show_entries", "packet=pts_time:frame=best_effort_timestamp_time"],
  ]);
  const items: { type: string; pts_time?: string; best_effort_timestamp_time?: string }[] =
    r.packets_and_frames;
  const packets = items.filter((i) => i.type === "packet" && i.pts_time !== undefined).map((i) =>
    Number(i.pts_time)
  );
  const frames = items.filter((i) => i.type === "frame" && i.best_effort_timestamp_time !== undefined)
    .map((i) => Number(i.best_effort_timestamp_time));
  assert.ok(
    packets.some((t, i) => i > 0 && t < packets[i - 1]),
    "packets arrive out of display order, as B-frames do",
  );
  assert.ok(frames.length >= 40, `${frames.length} frames in 3 s at 15 fps`);
  for (let i = 1; i < frames.length; i++) {
    const gap = frames[i] - frames[i - 1];
    assert.ok(Math.abs(gap - 1 / 15) < 0.002, `frame ${i}: ${frames[i - 1]} -> ${frames[i]}`);
  }
});

Deno.test("AAC: a 16 kHz mono track next to the video, rising with it across loops", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    seconds: 2,
    audio: "aac",
  });
  console.log(`AAC emulator ready in ${Math.round(performance.now() - start)} ms`);
  const r = await probeRtsp(camera.url, [
    ...["-read_intervals", "%+3", "-show_packets"],
    ...["-show_entries", "stream=codec_type,codec_name,sample_rate,channels:packet=stream_index,pts_time"],
  ]);
  assert.deepEqual(r.streams.map((s: { codec_name: string }) => s.codec_name), ["h264", "aac"]);
  assert.equal(r.streams[1].sample_rate, "16000");
  assert.equal(r.streams[1].channels, 1);
  const times = (index: number) =>
    r.packets.filter((p: { stream_index: number; pts_time?: string }) =>
      p.stream_index === index && p.pts_time
    )
      .map((p: { pts_time: string }) => Number(p.pts_time));
  const video = times(0);
  const audio = times(1);
  // 3 s of a loop of 1.6 s (the longest whole number of AAC frames in 2 s at 10 fps): each AAC
  // frame 64 ms after the one before, also where the loop starts again.
  assert.ok(audio.length >= 40, `${audio.length} AAC frames in 3 s`);
  for (let i = 1; i < audio.length; i++) {
    assert.ok(Math.abs(audio[i] - audio[i - 1] - 0.064) < 0.001, `AAC ${audio[i - 1]} -> ${audio[i]}`);
  }
  assert.ok(
    Math.abs(audio.at(-1)! - video.at(-1)!) < 0.3,
    `audio ends at ${audio.at(-1)}, video at ${video.at(-1)}`,
  );
  assert.ok(Math.abs(await toneFrequency(camera.url) - 1000) < 30, "the 1 kHz tone of a file without sound");
});

Deno.test("G.711 A-law: the file's own sound, 8000 Hz mono", async () => {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-emu-" });
  try {
    const file = `${dir}/with_sound.mp4`;
    await ffmpeg(
      ...["-t", "2", "-i", repoPath("video/samples/vtest.mp4")],
      ...["-f", "lavfi", "-t", "2", "-i", "sine=frequency=440:sample_rate=44100"],
      ...["-c:v", "copy", "-c:a", "aac", "-shortest", file],
    );
    const start = performance.now();
    await using camera = await CameraEmulator.start({ file, audio: "pcm_alaw" });
    console.log(`G.711 A-law emulator ready in ${Math.round(performance.now() - start)} ms`);
    const r = await probeRtsp(camera.url, [
      ...["-read_intervals", "%+2", "-show_packets"],
      ...["-show_entries", "stream=codec_name,sample_rate,channels:packet=stream_index"],
    ]);
    assert.deepEqual(r.streams.map((s: { codec_name: string }) => s.codec_name), ["h264", "pcm_alaw"]);
    assert.deepEqual([r.streams[1].sample_rate, r.streams[1].channels], ["8000", 1]);
    assert.ok(
      r.packets.filter((p: { stream_index: number }) => p.stream_index === 1).length >= 50,
      "A-law packets",
    );
    assert.ok(Math.abs(await toneFrequency(camera.url) - 440) < 20, "the file's 440 Hz, not the tone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("G.711 µ-law: 8000 Hz mono next to the test pattern", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({ seconds: 2, audio: "pcm_mulaw" });
  console.log(`G.711 µ-law emulator ready in ${Math.round(performance.now() - start)} ms`);
  const r = await probeRtsp(camera.url, [
    ...["-read_intervals", "%+2", "-show_packets"],
    ...["-show_entries", "stream=codec_name,sample_rate,channels:packet=stream_index"],
  ]);
  assert.deepEqual(r.streams.map((s: { codec_name: string }) => s.codec_name), ["h264", "pcm_mulaw"]);
  assert.deepEqual([r.streams[1].sample_rate, r.streams[1].channels], ["8000", 1]);
  assert.ok(
    r.packets.filter((p: { stream_index: number }) => p.stream_index === 1).length >= 50,
    "µ-law packets",
  );
});

Deno.test("H.265: served with rtph265pay and decoded", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    seconds: 2,
    codec: "h265",
  });
  console.log(`H.265 emulator ready in ${Math.round(performance.now() - start)} ms`);
  const r = await probeRtsp(camera.url, [
    ...["-read_intervals", "%+2", "-show_frames"],
    ...["-show_entries", "stream=codec_name,width,height:frame=width,height,best_effort_timestamp_time"],
  ]);
  assert.deepEqual(r.streams[0], { codec_name: "hevc", width: 768, height: 576 });
  const decoded = r.frames.filter((f: { best_effort_timestamp_time?: string }) =>
    f.best_effort_timestamp_time
  );
  assert.ok(decoded.length >= 15, `${decoded.length} frames decoded in 2 s at 10 fps`);
});

Deno.test("main + sub: two paths of one server, the sizes asked for, the same scene, the same login", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    seconds: 2,
    subStream: { width: 640, height: 360 },
    user: "admin",
    password: "pw",
  });
  console.log(`main + sub emulator ready in ${Math.round(performance.now() - start)} ms`);
  assert.equal(camera.subUrl, camera.url.replace(/\/stream$/, "/sub"));
  assert.equal(camera.subDisplayUrl, `rtsp://admin:***@127.0.0.1:${camera.port}/sub`);
  for (const [url, size] of [[camera.url, [768, 576]], [camera.subUrl!, [640, 360]]] as const) {
    const r = await probeRtsp(url, ["-show_entries", "stream=width,height"]);
    assert.deepEqual([r.streams[0].width, r.streams[0].height], size, url);
  }
  const refused = await ffprobeJson(["-rtsp_transport", "tcp", camera.subUrl!.replace(":pw@", ":guess@")]);
  assert.match(refused.stderr, /401 Unauthorized/);
  // Each client starts at the loop's first frame: both first frames show the same moment.
  const [main, sub] = await Promise.all([firstFrameThumb(camera.url), firstFrameThumb(camera.subUrl!)]);
  const same = meanDifference(main, sub);
  const flipped = meanDifference(main, sub.slice().reverse());
  assert.ok(same < 2, `main and sub differ by ${same.toFixed(1)} grey levels`);
  assert.ok(
    flipped > 3 * same,
    `a different picture differs by ${flipped.toFixed(1)}, not more than ${same}`,
  );
});

Deno.test("size: a 1920x1080 15 fps main stream from the 768x576 10 fps sample", async () => {
  const start = performance.now();
  await using camera = await CameraEmulator.start({
    file: repoPath("video/samples/vtest.mp4"),
    seconds: 1,
    fps: 15,
    size: { width: 1920, height: 1080 },
  });
  console.log(`1080p emulator ready in ${Math.round(performance.now() - start)} ms`);
  const r = await probeRtsp(camera.url, [
    ...["-read_intervals", "%+2", "-show_packets"],
    ...["-show_entries", "stream=width,height,sample_aspect_ratio:packet=pts_time"],
  ]);
  assert.equal(r.streams[0].width, 1920);
  assert.equal(r.streams[0].height, 1080);
  assert.ok([undefined, "1:1"].includes(r.streams[0].sample_aspect_ratio), r.streams[0].sample_aspect_ratio);
  const times: number[] = r.packets.filter((p: { pts_time?: string }) => p.pts_time).map((
    p: { pts_time: string },
  ) => Number(p.pts_time));
  assert.ok(times.length >= 25, `${times.length} frames in 2 s at 15 fps`);
  for (let i = 1; i < times.length; i++) {
    assert.ok(Math.abs(times[i] - times[i - 1] - 1 / 15) < 0.002, `${times[i - 1]} -> ${times[i]}`);
  }
});

Deno.test("deno task camera --codec h265 --b-frames 2 --audio pcm_alaw --size 1280x720 --sub 640x360: both URLs printed and served", async () => {
  const port = freePort();
  await using camera = spawnTask("camera", [
    ...["--file", "video/samples/vtest.mp4", "--seconds", "2", "--fps", "15", "--port", String(port)],
    ...[
      "--codec",
      "h265",
      "--b-frames",
      "2",
      "--audio",
      "pcm_alaw",
      "--size",
      "1280x720",
      "--sub",
      "640x360",
    ],
  ]);
  const [, main] = await camera.waitFor(
    /^camera: streaming video\/samples\/vtest\.mp4 at (rtsp:\S+)$/m,
    60_000,
  );
  const [, sub] = await camera.waitFor(/^camera: sub-stream at (rtsp:\S+)$/m, 5_000);
  assert.equal(main, `rtsp://127.0.0.1:${port}/stream`);
  assert.equal(sub, `rtsp://127.0.0.1:${port}/sub`);
  for (const [url, width, height] of [[main, 1280, 720], [sub, 640, 360]] as const) {
    const r = await probeRtsp(url, [
      "-show_entries",
      "stream=codec_name,width,height,has_b_frames,sample_rate",
    ]);
    const [video, audio] = r.streams;
    assert.deepEqual([video.codec_name, video.width, video.height], ["hevc", width, height], url);
    assert.ok(video.has_b_frames > 0, `${url}: has_b_frames ${video.has_b_frames}`);
    assert.deepEqual([audio.codec_name, audio.sample_rate], ["pcm_alaw", "8000"], url);
  }
  const out = await camera.stop();
  assert.equal(out.code, 0, out.stderr);
});
