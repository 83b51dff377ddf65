/**
 * How RtspSource takes a camera's refusals, with real servers and the real ffmpeg: GStreamer's
 * RTSP server refusing TCP (461) makes the source fall back to UDP and record; a tiny RTSP
 * responder answering 400, 403, 404 or 461 checks each message and which of them stop the
 * source and which are retried.
 */
import assert from "node:assert/strict";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { RtspSource, RtspSourceError, type SourceEvent } from "../../lib/capture/rtsp_source.ts";
import { CameraCapture, type CaptureLogEntry } from "../../lib/capture/camera_capture.ts";
import type { FinishedClip } from "../../lib/capture/clip_recorder.ts";
import { repoPath } from "../helpers/media.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4");

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  461: "Unsupported transport",
};

const SDP = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=responder",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=video 0 RTP/AVP 96",
  "a=rtpmap:96 H264/90000",
  "a=control:track1",
  "",
].join("\r\n");

/**
 * An RTSP server on 127.0.0.1 that answers each method with the status `answer` gives (200 with
 * an SDP for DESCRIBE), or, while `answer` is "proxy", passes the connection to `proxyPort`.
 */
interface Responder {
  readonly port: number;
  readonly url: string;
  /** requests answered, as "METHOD status" */
  readonly requests: string[];
  answer: ((method: string) => number) | "proxy";
  /** closes the connections in progress (a camera restarting) */
  dropConnections(): void;
  close(): void;
}

function startResponder(answer: Responder["answer"], proxyPort = 0): Responder {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns = new Set<Deno.Conn>();
  const close = (c: Deno.Conn) => {
    try {
      c.close();
    } catch { /* closed already */ }
  };
  const responder: Responder = {
    port,
    url: `rtsp://127.0.0.1:${port}/stream`,
    requests: [],
    answer,
    dropConnections: () => conns.forEach(close),
    close() {
      listener.close();
      this.dropConnections();
    },
  };
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch { /* either side closed */ }
    close(from);
    close(to);
  };
  const serve = async (conn: Deno.Conn) => {
    conns.add(conn);
    if (responder.answer === "proxy") {
      const camera = await Deno.connect({ hostname: "127.0.0.1", port: proxyPort });
      conns.add(camera);
      await Promise.all([pipe(conn, camera), pipe(camera, conn)]);
      return;
    }
    const decoder = new TextDecoder();
    const buf = new Uint8Array(4096);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += decoder.decode(buf.subarray(0, n));
        let end;
        while ((end = text.indexOf("\r\n\r\n")) >= 0) {
          const request = text.slice(0, end);
          text = text.slice(end + 4);
          const method = request.split(" ")[0];
          const cseq = /^CSeq:\s*(\d+)/im.exec(request)?.[1] ?? "0";
          const answerOf = responder.answer;
          const status = typeof answerOf === "function" ? answerOf(method) : 503;
          responder.requests.push(`${method} ${status}`);
          const headers = [`RTSP/1.0 ${status} ${REASONS[status] ?? "Error"}`, `CSeq: ${cseq}`];
          let body = "";
          if (status === 200 && method === "OPTIONS") {
            headers.push("Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN");
          }
          if (status === 200 && method === "DESCRIBE") {
            body = SDP;
            headers.push("Content-Type: application/sdp", `Content-Base: ${responder.url}/`);
          }
          if (status === 200 && method === "SETUP") headers.push("Session: 1234");
          headers.push(`Content-Length: ${body.length}`);
          await conn.write(new TextEncoder().encode(headers.join("\r\n") + "\r\n\r\n" + body));
        }
      }
    } catch { /* the client went away */ }
    close(conn);
    conns.delete(conn);
  };
  (async () => {
    try {
      for await (const conn of listener) serve(conn);
    } catch { /* closed */ }
  })();
  return responder;
}

/** Iterates a source until `until` says stop, the source ends or throws, or the timeout passes. */
async function run(source: RtspSource, until: (all: SourceEvent[]) => boolean, timeoutMs = 30_000) {
  const events: SourceEvent[] = [];
  const timer = setTimeout(() => source.close(), timeoutMs);
  let error: unknown;
  try {
    for await (const e of source) {
      events.push(e);
      if (until(events)) break;
    }
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
    await source.close();
  }
  return { events, error };
}

const reasons = (events: SourceEvent[]) => events.flatMap((e) => e.type === "disconnected" ? [e.reason] : []);
const count = (events: SourceEvent[], type: SourceEvent["type"]) =>
  events.filter((e) => e.type === type).length;

Deno.test("a camera refusing TCP (461) is asked again at once over UDP, says so, and records", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, transports: ["udp"] });
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-answers-" });
  try {
    const source = new RtspSource({ url: camera.url, cacheDir });
    const started = performance.now();
    let fellBack = 0;
    let firstFrame = 0;
    const { events, error } = await run(source, (all) => {
      const e = all.at(-1)!;
      if (e.type === "disconnected" && !fellBack) fellBack = performance.now() - started;
      if (e.type === "frame" && !firstFrame) firstFrame = performance.now() - started;
      return count(all, "segment") >= 2;
    });
    assert.equal(error, undefined);
    assert.deepEqual(reasons(events), [
      'the camera refuses RTSP over TCP (461 Unsupported transport): using UDP; set RTSP_TRANSPORT=udp (or "transport": "udp" in the cameras file) to skip this',
    ]);
    assert.equal(count(events, "retrying"), 0, "no backoff: the camera answered");
    const connecting = events.flatMap((e) => e.type === "connecting" ? [e.attempt] : []);
    assert.deepEqual(connecting, [0, 0]);
    const frames = events.flatMap((e) => e.type === "frame" ? [e] : []);
    assert.ok(frames.length >= 10 && frames.every((f) => f.session === 2), `${frames.length} frames`);
    assert.ok(fellBack < 5000, `fell back after ${fellBack.toFixed(0)} ms`);
    console.log(
      `461 → UDP: fallback after ${fellBack.toFixed(0)} ms, first frame at ${firstFrame.toFixed(0)} ms, ` +
        `${frames.length} frames and ${count(events, "segment")} segments over UDP`,
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a camera refusing UDP (461) when UDP is configured is asked over TCP", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, transports: ["tcp"] });
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-answers-" });
  try {
    const source = new RtspSource({ url: camera.url, cacheDir, transport: "udp" });
    const { events, error } = await run(source, (all) => count(all, "segment") >= 1);
    assert.equal(error, undefined);
    assert.deepEqual(reasons(events), [
      'the camera refuses RTSP over UDP (461 Unsupported transport): using TCP; set RTSP_TRANSPORT=tcp (or "transport": "tcp" in the cameras file) to skip this',
    ]);
    assert.ok(count(events, "frame") >= 5);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("capture over a camera refusing TCP: one warning, then clips recorded over UDP", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE, transports: ["udp"] });
  const videoDir = await Deno.makeTempDir({ prefix: "camwatch-answers-" });
  const log: CaptureLogEntry[] = [];
  const clips: FinishedClip[] = [];
  let clipped: () => void;
  const clip = new Promise<void>((r) => (clipped = r));
  const capture = new CameraCapture({
    camera: "vlc",
    url: camera.url,
    videoDir,
    clips: { clipSeconds: 2, prerollSeconds: 1, maxClipSeconds: 2, cooldownSeconds: 1 },
    onClip: (c) => {
      clips.push(c);
      clipped();
    },
    onLog: (entry) => log.push(entry),
  });
  const running = capture.run();
  const timer = setTimeout(() => clipped(), 40_000);
  try {
    await Promise.race([clip, running]);
  } finally {
    clearTimeout(timer);
    await capture.stop();
    await running;
  }
  try {
    const warnings = log.filter((e) => e.level === "warn").map((e) => e.message);
    assert.deepEqual(warnings, [
      'disconnected: the camera refuses RTSP over TCP (461 Unsupported transport): using UDP; set RTSP_TRANSPORT=udp (or "transport": "udp" in the cameras file) to skip this',
    ]);
    assert.ok(clips.length >= 1, JSON.stringify(log));
    assert.ok((await Deno.stat(`${videoDir}/${clips[0].relativePath}`)).size > 10_000);
  } finally {
    await Deno.remove(videoDir, { recursive: true });
  }
});

Deno.test("a camera refusing both transports (461 to TCP and UDP) stops the source", async () => {
  const responder = startResponder((method) => method === "SETUP" ? 461 : 200);
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-answers-" });
  try {
    const { events, error } = await run(
      new RtspSource({ url: responder.url, cacheDir }),
      () => false,
      20_000,
    );
    assert.ok(error instanceof RtspSourceError, String(error));
    assert.equal(
      error.message,
      `camera ${responder.url} refuses RTSP over both TCP and UDP (461 Unsupported transport)`,
    );
    assert.equal(count(events, "connecting"), 2);
    assert.deepEqual(responder.requests.filter((r) => r.startsWith("SETUP")), ["SETUP 461", "SETUP 461"]);
  } finally {
    responder.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("400, 403 and 404: each a clear message; 400 and 403 stop a camera that never worked, 404 is retried", async (t) => {
  const cacheDir = await Deno.makeTempDir({ prefix: "camwatch-answers-" });
  const url = (r: Responder) => r.url;
  try {
    for (
      const [status, message] of [
        [
          400,
          (r: Responder) =>
            `camera ${
              url(r)
            } answered 400 Bad Request: it does not understand the request for this URL; check ` +
            "the URL's path and query (the stream's name and parameters as the camera's manual writes them, " +
            "reserved characters percent-encoded)",
        ],
        [
          403,
          (r: Responder) =>
            `camera ${
              url(r)
            } refused access (403 Forbidden): the camera refuses this user or this address; ` +
            "check the user's rights on the camera (live view, RTSP) and any list of addresses it accepts",
        ],
      ] as const
    ) {
      await t.step(`${status}: stops at the first connection`, async () => {
        const responder = startResponder((method) => method === "DESCRIBE" ? status : 200);
        try {
          const source = new RtspSource({
            url: responder.url,
            cacheDir: `${cacheDir}/${status}`,
            retryInitialMs: 100,
          });
          const { events, error } = await run(source, () => false, 20_000);
          assert.ok(error instanceof RtspSourceError, String(error));
          assert.equal(error.message, message(responder));
          assert.deepEqual(reasons(events), [message(responder)]);
          assert.equal(count(events, "connecting"), 1, "one attempt only");
          assert.equal(count(events, "retrying"), 0);
        } finally {
          responder.close();
        }
      });
    }

    await t.step("404: retried with backoff, the reason naming the path to check", async () => {
      const responder = startResponder((method) => method === "DESCRIBE" ? 404 : 200);
      try {
        const source = new RtspSource({
          url: responder.url,
          cacheDir: `${cacheDir}/404`,
          retryInitialMs: 100,
          retryMaxMs: 200,
        });
        const { events, error } = await run(source, (all) => count(all, "retrying") >= 3, 20_000);
        assert.equal(error, undefined);
        const expected =
          `camera ${responder.url} has no stream at this path (404 Not Found): check the path, ` +
          "e.g. the main/sub stream names in the camera's manual (/stream1 and /stream2, /Streaming/Channels/101 " +
          "and /102, /cam/realmonitor?channel=1&subtype=0 and subtype=1); retrying, in case the stream is not " +
          "published yet";
        assert.deepEqual(reasons(events), [expected, expected, expected]);
        assert.equal(responder.requests.filter((r) => r === "DESCRIBE 404").length, 3);
      } finally {
        responder.close();
      }
    });

    await t.step("403 from a camera that worked before is retried (it may be restarting)", async () => {
      await using camera = await CameraEmulator.start({ file: SAMPLE });
      const responder = startResponder("proxy", camera.port);
      try {
        const source = new RtspSource({
          url: responder.url,
          cacheDir: `${cacheDir}/403-later`,
          retryInitialMs: 100,
          retryMaxMs: 200,
        });
        const { events, error } = await run(source, (all) => {
          const e = all.at(-1)!;
          if (e.type === "frame" && responder.answer === "proxy" && count(all, "frame") >= 5) {
            responder.answer = (method) => method === "DESCRIBE" ? 403 : 200;
            responder.dropConnections();
          }
          return count(all, "retrying") >= 3;
        }, 30_000);
        assert.equal(error, undefined);
        const refused = reasons(events).filter((r) => r.includes("403"));
        assert.ok(refused.length >= 2, JSON.stringify(reasons(events)));
        for (const r of refused) {
          assert.match(
            r,
            /refused access \(403 Forbidden\): .* \(retrying: it worked before, the camera may be restarting\)$/,
          );
        }
      } finally {
        responder.close();
      }
    });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
