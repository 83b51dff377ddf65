/**
 * A camera password stays out of other users' sight: with the real emulator behind a login and
 * the real ffmpeg, the running ffmpeg's command line (/proc/PID/cmdline, what `ps` shows any
 * local user) never holds it, while frames, segments, clips, the watchdog, reconnects and
 * stopping work as they do without a password; a password that breaks its URL is explained.
 */
import assert from "node:assert/strict";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { RtspSource, RtspSourceError, type SourceEvent } from "../../lib/capture/rtsp_source.ts";
import { CameraCapture, type CaptureLogEntry } from "../../lib/capture/camera_capture.ts";
import type { FinishedClip } from "../../lib/capture/clip_recorder.ts";
import { passwordEncodingProblem } from "../../lib/capture/camera_url.ts";
import { captureInputList } from "../../lib/media/ffmpeg.ts";
import { probeDuration, repoPath } from "../helpers/media.ts";
import { startTcpProxy } from "../helpers/tcp_proxy.ts";
import { until } from "../helpers/until.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4");
// Every character a URL reserves, so that it has to be percent-encoded, and a quote, which
// encodeURIComponent leaves as it is and the ffconcat list has to escape.
const PASSWORD = "Se@c/r#t x%9?'";
const USER = "admin";

/** The command lines of this process's ffmpeg children, as any local user reads them. */
async function ffmpegCommandLines(): Promise<{ pid: number; args: string[] }[]> {
  const out = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // pid (comm) state ppid …; comm may hold spaces, so split after its closing parenthesis
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm !== "ffmpeg" || ppid !== Deno.pid) continue;
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      out.push({ pid: Number(entry.name), args: cmdline.split("\0").filter(Boolean) });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Asserts that no form of the password is in a command line. */
function assertNoPassword(args: string[]) {
  const text = args.join(" ");
  for (const form of [PASSWORD, encodeURIComponent(PASSWORD), "Se@c", "r#t", `${USER}:`]) {
    assert.ok(!text.includes(form), `ffmpeg's command line holds ${JSON.stringify(form)}: ${text}`);
  }
}

Deno.test("the camera password is not on ffmpeg's command line, and clips are still recorded", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, user: USER, password: PASSWORD });
  assert.ok(camera.url.includes(encodeURIComponent(PASSWORD)), "the URL holds the password, percent-encoded");
  const videoDir = await Deno.makeTempDir({ prefix: "camwatch-password-" });
  const log: CaptureLogEntry[] = [];
  const clips: FinishedClip[] = [];
  const capture = new CameraCapture({
    camera: "door",
    url: camera.url,
    videoDir,
    clips: { clipSeconds: 2, prerollSeconds: 1, maxClipSeconds: 2, cooldownSeconds: 1 },
    onClip: (c) => void clips.push(c),
    onLog: (entry) => log.push(entry),
  });
  const running = capture.run();
  const seen: { pid: number; args: string[] }[] = [];
  try {
    // Every ffmpeg the capture runs meanwhile (the camera's, and the clip cuts) is looked at.
    await until(
      async () => {
        for (const p of await ffmpegCommandLines()) if (!seen.some((s) => s.pid === p.pid)) seen.push(p);
        return clips.length >= 1 && capture.status.connected;
      },
      40_000,
      `a clip (log: ${JSON.stringify(log)})`,
    );
    const cameraFfmpeg = seen.filter((p) => p.args.includes("pipe:0"));
    assert.equal(cameraFfmpeg.length, 1, JSON.stringify(seen));
    // The URL reached ffmpeg through its stdin: the command line names the list, not the camera.
    const args = cameraFfmpeg[0].args;
    assert.deepEqual(
      args.slice(args.indexOf("-f", args.indexOf("-protocol_whitelist")), args.indexOf("pipe:0") + 1),
      [
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        "pipe:0",
      ],
    );
    assert.ok(!args.some((a) => a.includes(`127.0.0.1:${camera.port}`)), args.join(" "));
    for (const p of seen) assertNoPassword(p.args);
    const stdin = await Deno.readLink(`/proc/${cameraFfmpeg[0].pid}/fd/0`).catch(() => "exited");
    assert.ok(!stdin.startsWith("/"), `ffmpeg's stdin is a pipe, never a file: ${stdin}`);
  } finally {
    await capture.stop();
    await running;
  }
  try {
    assert.ok(clips.length >= 1);
    const path = `${videoDir}/${clips[0].relativePath}`;
    const seconds = await probeDuration(path);
    assert.ok(seconds >= 2 && seconds <= 5, `clip of ${seconds} s`);
    assert.ok(!JSON.stringify(log).includes("Se@c") && !JSON.stringify(log).includes("r#t"));
    console.log(
      `ffmpeg command lines checked: ${seen.length} (1 camera, ${seen.length - 1} clip cuts); ` +
        `${clips.length} clip(s), the first ${seconds.toFixed(1)} s`,
    );
  } finally {
    await Deno.remove(videoDir, { recursive: true });
  }
});

Deno.test("with the password on stdin: wall-clock frames, the watchdog, a reconnect, and SIGINT finishing the last segment", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, user: USER, password: PASSWORD });
  // Through a proxy that can hold every byte back, connections open: a frozen camera.
  const proxy = startTcpProxy(camera.port);
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-password-" });
  try {
    const url = camera.url.replace(`:${camera.port}/`, `:${proxy.port}/`);
    const source = new RtspSource({ url, cacheDir, stallTimeoutMs: 2500, retryInitialMs: 200 });
    const started = Date.now();
    const events: SourceEvent[] = [];
    let closing: Promise<void> | undefined;
    let closedAt = 0;
    const timer = setTimeout(() => source.close(), 40_000);
    for await (const e of source) {
      events.push(e);
      const segments = events.filter((x) => x.type === "segment").length;
      if (
        e.type === "segment" && e.segment.session === 1 && !proxy.frozen &&
        !events.some((x) => x.type === "stalled")
      ) {
        proxy.frozen = true; // after the first full segment
      }
      if (e.type === "stalled") proxy.frozen = false;
      if (!closing && e.type === "segment" && e.segment.session > 1 && segments >= 3) {
        closedAt = Date.now();
        closing = source.close(); // SIGINT to ffmpeg: its last segment is finished and reported
      }
    }
    clearTimeout(timer);
    await closing;
    const stalled = events.find((e) => e.type === "stalled");
    assert.ok(stalled?.type === "stalled" && stalled.silentMs >= 1500, "the watchdog tripped");
    const reasons = events.flatMap((e) => e.type === "disconnected" ? [e.reason] : []);
    assert.deepEqual(reasons, ["no frames for 2500 ms", "closed"]);
    const frames = events.flatMap((e) => e.type === "frame" ? [e] : []);
    assert.ok(frames.some((f) => f.session === 2), "frames again after the reconnect");
    for (const f of frames) {
      assert.ok(f.frame.ts >= started - 1000 && f.frame.ts <= Date.now(), "wall-clock time");
    }
    const last = events.flatMap((e) => e.type === "segment" ? [e.segment] : []).at(-1)!;
    assert.equal(last.session, 2);
    assert.ok(
      Math.abs(last.end - closedAt) < 1500,
      `last segment ends ${last.end - closedAt} ms from close()`,
    );
    const seconds = await probeDuration(last.path);
    assert.ok(
      Math.abs(seconds * 1000 - (last.end - last.start)) < 300,
      `${seconds} s, listed ${last.end - last.start} ms`,
    );
  } finally {
    proxy.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a password with an unencoded '/', '#' or space: a clear error explaining percent-encoding", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-password-" });
  try {
    const source = new RtspSource({ url: "rtsp://admin:my/Secret#9 x@127.0.0.1:1/stream", cacheDir });
    const events: SourceEvent[] = [];
    await assert.rejects(async () => {
      for await (const e of source) events.push(e);
    }, (e: unknown) => {
      assert.ok(e instanceof RtspSourceError);
      assert.equal(
        e.message,
        'camera rtsp://admin:***@127.0.0.1:1/stream: the password holds an unencoded "/", "#" and space: in a URL, ' +
          "a password's @ / ? # % and spaces are percent-encoded: %40 for @, %2F for /, %3F for ?, %23 for #, " +
          "%25 for %, %20 for a space",
      );
      return true;
    });
    assert.deepEqual(events, [], "no connection attempted");
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("which passwords break their URL, and the list that hands a URL to ffmpeg", () => {
  const problem = (url: string) => passwordEncodingProblem(url)?.split(":")[0];
  assert.equal(problem("rtsp://admin:pa%2Fss%231%20x@cam/stream"), undefined);
  // ffmpeg and the URL class both end the credentials at the last `@` before the path.
  assert.equal(problem("rtsp://admin:Secr3t@x@cam/stream"), undefined);
  assert.equal(problem("rtsp://admin:50%off@cam/stream"), 'the password holds an unencoded "%"');
  assert.equal(problem("rtsp://admin:a?b@cam/stream"), 'the password holds an unencoded "?"');
  // An `@` in the path is not a password: neither after credentials nor after a port.
  assert.equal(problem("rtsp://admin:pw@cam/a@b"), undefined);
  assert.equal(problem("http://cam:8080/snap@2x.jpg"), undefined);
  assert.equal(problem("rtsp://cam/stream"), undefined);

  const list = captureInputList("rtsp://admin:it's@cam/stream", { transport: "udp", timeoutSeconds: 5 });
  assert.equal(
    list,
    "ffconcat version 1.0\nfile 'rtsp://admin:it'\\''s@cam/stream'\noption rtsp_transport udp\n" +
      "option timeout 5000000\n",
  );
  assert.throws(() => captureInputList("rtsp://admin:a\nb@cam/stream"), RangeError);
  assert.throws(() => captureInputList("video/samples/vtest.mp4"), RangeError);
});
