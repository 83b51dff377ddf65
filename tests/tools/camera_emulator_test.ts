/**
 * The RTSP camera emulator with real GStreamer, ffmpeg and ffprobe as clients, as a library and
 * as `deno task camera` (with the task's own permissions).
 */
import assert from "node:assert/strict";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { freePort } from "../../tools/free_port.ts";
import { spawnTask } from "../helpers/deno_task.ts";
import { cutSample, repoPath } from "../helpers/media.ts";

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
