/**
 * RtspSource against the real camera emulator (GStreamer) with the real ffmpeg: frames,
 * segments, credentials, reconnects and the stall watchdog.
 */
import assert from "node:assert/strict";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { freePort } from "../../tools/free_port.ts";
import {
  type CameraSegment,
  RtspSource,
  RtspSourceError,
  type SourceEvent,
} from "../../lib/capture/rtsp_source.ts";
import { cutSample, probeDuration, repoPath } from "../helpers/media.ts";
import { startTcpProxy } from "../helpers/tcp_proxy.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4");

/** Iterates a source until `until` says stop (or the timeout passes), collecting its events. */
async function collect(
  source: RtspSource,
  until: (e: SourceEvent, all: SourceEvent[]) => boolean,
  timeoutMs = 30_000,
) {
  const events: SourceEvent[] = [];
  const timer = setTimeout(() => source.close(), timeoutMs);
  try {
    for await (const e of source) {
      events.push(e);
      if (until(e, events)) break;
    }
  } finally {
    clearTimeout(timer);
    await source.close();
  }
  return events;
}

Deno.test("frames and segments from a camera with a login; close() finishes the last segment", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, user: "viewer", password: "pa55word" });
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-src-" });
  try {
    const source = new RtspSource({ url: camera.url, cacheDir });
    assert.equal(source.displayUrl, camera.displayUrl);
    const started = Date.now();
    const events = await collect(source, (_, all) => all.filter((e) => e.type === "segment").length >= 3);
    const frames = events.flatMap((e) => e.type === "frame" ? [e.frame] : []);
    const segments = events.flatMap((e) => e.type === "segment" ? [e.segment] : []);
    assert.equal(events[0].type, "connecting");
    assert.ok(events.some((e) => e.type === "connected"));
    // 768x576 scaled to 320 wide, grey; about 5 frames a second, stamped with the wall clock.
    assert.ok(frames.length >= 15, `${frames.length} frames`);
    for (const f of frames) {
      assert.equal(f.width, 320);
      assert.equal(f.height, 240);
      assert.equal(f.data.length, 320 * 240);
      assert.ok(f.ts >= started - 1000 && f.ts <= Date.now(), `frame at ${f.ts - started} ms`);
    }
    for (let i = 1; i < frames.length; i++) {
      assert.ok(frames[i].ts >= frames[i - 1].ts, `frame ${i} goes back`);
    }
    // Past the burst of buffered frames at connect, the rate is the asked 5 per second.
    const settled = frames.filter((f) => f.ts >= frames[0].ts + 1000);
    const rate = (settled.length - 1) / ((settled.at(-1)!.ts - settled[0].ts) / 1000);
    assert.ok(rate > 3.5 && rate < 6.5, `${rate.toFixed(2)} frames per second`);
    // Segments follow each other in time, are about 2 s long and playable.
    assert.ok(segments.length >= 3);
    for (const [i, s] of segments.entries()) {
      if (i > 0) assert.ok(Math.abs(s.start - segments[i - 1].end) < 300, `gap before segment ${i}`);
      const d = await probeDuration(s.path);
      assert.ok(
        Math.abs(d * 1000 - (s.end - s.start)) < 300,
        `segment ${i}: file ${d} s, listed ${s.end - s.start} ms`,
      );
    }
    const last = events.at(-1)!;
    assert.ok(!("reason" in last) || !String(last.reason).includes("pa55word"));
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("wrong credentials: a clear error naming the camera, without the password, no retry storm", async () => {
  await using camera = await CameraEmulator.start({ user: "viewer", password: "right" });
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-src-" });
  try {
    const url = camera.url.replace("right", "wrong-guess");
    const source = new RtspSource({ url, cacheDir });
    const events: SourceEvent[] = [];
    await assert.rejects(async () => {
      for await (const e of source) events.push(e);
    }, (e: unknown) => {
      assert.ok(e instanceof RtspSourceError);
      assert.match(e.message, /refused the login \(401 Unauthorized\): check the user and password/);
      assert.match(e.message, /rtsp:\/\/viewer:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(e.message, /wrong-guess/);
      return true;
    });
    assert.equal(events.filter((e) => e.type === "connecting").length, 1, "one attempt only");
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("the camera goes away and comes back: the last segment is kept, then a reconnect", async () => {
  const first = await CameraEmulator.start({ file: SAMPLE });
  const port = first.port;
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-src-" });
  let second: Promise<CameraEmulator> | undefined;
  // The old server's port can stay busy for a moment after it stops: try again until free.
  const restart = async () => {
    for (let i = 0;; i++) {
      try {
        return await CameraEmulator.start({ file: SAMPLE, port });
      } catch (e) {
        if (i === 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    const source = new RtspSource({ url: first.url, cacheDir, retryInitialMs: 200, retryMaxMs: 1000 });
    const events = await collect(source, (e, all) => {
      if (e.type === "segment" && e.segment.session === 1 && !all.some((x) => x.type === "disconnected")) {
        first.stop(); // after the first full segment
      }
      if (e.type === "retrying" && !second) {
        second = restart();
        second.catch(() => {}); // awaited in finally, where a failure surfaces
      }
      return e.type === "segment" && e.segment.session > 1;
    });
    const disconnected = events.find((e) => e.type === "disconnected");
    assert.ok(disconnected, "a disconnect is reported");
    const s1 = events.flatMap((e) => e.type === "segment" && e.segment.session === 1 ? [e.segment] : []);
    assert.ok(s1.length >= 2, "the segment cut by the drop is reported too");
    const cut: CameraSegment = s1.at(-1)!;
    assert.ok((await probeDuration(cut.path)) > 0, "and playable");
    const reconnected = events.flatMap((e) => e.type === "connected" ? [e.session] : []);
    assert.ok(reconnected.length >= 2 && reconnected.at(-1)! > 1, `connected sessions ${reconnected}`);
  } finally {
    await first.stop();
    if (second) await (await second).stop();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a frozen camera trips the watchdog (stalled), and the source recovers", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  // The camera is reached through a proxy that can hold every byte back, connections open.
  const proxy = startTcpProxy(camera.port);
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-src-" });
  try {
    const url = camera.url.replace(`:${camera.port}/`, `:${proxy.port}/`);
    const source = new RtspSource({ url, cacheDir, stallTimeoutMs: 2500, retryInitialMs: 200 });
    const events = await collect(source, (e, all) => {
      if (e.type === "connected" && !all.some((x) => x.type === "stalled")) proxy.frozen = true;
      if (e.type === "stalled") proxy.frozen = false;
      return e.type === "frame" && all.some((x) => x.type === "stalled") && e.session > 1;
    });
    const stalled = events.find((e) => e.type === "stalled");
    assert.ok(stalled && stalled.type === "stalled" && stalled.silentMs >= 2500);
    const reason = events.find((e) => e.type === "disconnected");
    assert.ok(
      reason && reason.type === "disconnected" && /no frames for 2500 ms/.test(reason.reason),
      JSON.stringify(events.filter((e) => e.type !== "frame")),
    );
    assert.equal(events.at(-1)!.type, "frame", "frames flow again after the reconnect");
  } finally {
    proxy.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("other inputs: RTSP over UDP, an http MJPEG stream, and a plain file", async (t) => {
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-src-" });
  const framesAndSegment = (all: SourceEvent[]) =>
    all.filter((e) => e.type === "frame").length >= 5 && all.some((e) => e.type === "segment");
  try {
    await t.step("RTSP over UDP", async () => {
      await using camera = await CameraEmulator.start({ file: SAMPLE });
      const source = new RtspSource({ url: camera.url, cacheDir: `${cacheDir}/udp`, transport: "udp" });
      const events = await collect(source, (_, all) => framesAndSegment(all));
      assert.ok(framesAndSegment(events), JSON.stringify(events.filter((e) => e.type !== "frame")));
    });

    await t.step("http MJPEG (multipart), served by ffmpeg", async () => {
      const port = freePort();
      const server = new Deno.Command("ffmpeg", {
        args: [
          "-loglevel",
          "error",
          "-re",
          "-i",
          SAMPLE,
          "-t",
          "20",
          "-vf",
          "scale=384:288",
          "-c:v",
          "mjpeg",
          "-q:v",
          "5",
          "-f",
          "mpjpeg",
          "-listen",
          "1",
          `http://127.0.0.1:${port}/stream.mjpg`,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      try {
        // ffmpeg listens once it has opened its input; the source retries until then.
        const source = new RtspSource({
          url: `http://127.0.0.1:${port}/stream.mjpg`,
          cacheDir: `${cacheDir}/mjpeg`,
          retryInitialMs: 200,
          retryMaxMs: 500,
        });
        const events = await collect(source, (_, all) => framesAndSegment(all));
        assert.ok(framesAndSegment(events), JSON.stringify(events.filter((e) => e.type !== "frame")));
        const frame = events.find((e) => e.type === "frame");
        assert.ok(frame?.type === "frame" && frame.frame.width === 320 && frame.frame.height === 240);
      } finally {
        try {
          server.kill("SIGKILL");
        } catch { /* exited */ }
        await server.status;
      }
    });

    await t.step("a plain file plays at its own pace, then the source ends", async () => {
      const dir = await Deno.makeTempDir({ dir: cacheDir });
      await cutSample(`${dir}/three.mp4`, 3);
      const source = new RtspSource({ url: `${dir}/three.mp4`, cacheDir: `${cacheDir}/file` });
      const started = performance.now();
      const events = await collect(source, () => false);
      const elapsed = performance.now() - started;
      const frames = events.filter((e) => e.type === "frame").length;
      assert.ok(frames >= 13 && frames <= 16, `${frames} frames from 3 s at 5 per second`);
      assert.ok(elapsed > 2500, `took ${elapsed.toFixed(0)} ms: read at the file's own pace`);
      assert.equal(events.at(-1)!.type, "disconnected");
      assert.ok(!events.some((e) => e.type === "retrying"), "a file is not reconnected");
      assert.ok(events.filter((e) => e.type === "segment").length >= 1);
    });

    await t.step("a missing file is a clear error", async () => {
      const source = new RtspSource({ url: `${cacheDir}/nope.mp4`, cacheDir: `${cacheDir}/nope` });
      await assert.rejects(
        async () => {
          for await (const _ of source);
        },
        (e: unknown) => e instanceof RtspSourceError && /camera file not found: .*nope\.mp4/.test(e.message),
      );
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
