/**
 * Capture benchmark: CPU of the whole capture of one camera, run exactly as deployed
 * (`deno task capture`, so with the task's own permission flags, never a copy of them), next to
 * a bare `ffmpeg -c copy` recording of the same stream, both at once over the same window.
 *
 * CPU is read from /proc for each process tree (the `deno task` process, the capture under it,
 * its ffmpeg children, and children that exited during the window through `cutime`/`cstime`),
 * at the start and the end of the window. The window starts once each process is doing its work
 * (the capture's `/healthz` says ok and frames have reached its motion detector; the bare copy
 * has written a segment), so start-up is not counted.
 *
 * A figure is reported only for a process that did the work all through its window: the capture
 * must not exit, its `/healthz` must say ok at every check, frames must keep reaching the motion
 * detector (`camwatch_frames_total`), a clip must be written (`camwatch_clips_total`, the sample
 * has motion all the time) and it must exit 0 on SIGTERM; the bare copy must not exit and must
 * keep writing segments of the expected size. Otherwise a {@linkcode BenchFailure} says which
 * process and why.
 *
 * @module
 */

import { join } from "node:path";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { freePort } from "../../tools/free_port.ts";
import { probeMedia } from "../../lib/media/ffmpeg.ts";
import { CAPTURE_STREAM_SETTINGS } from "../../lib/media/ffmpeg.ts";
import { streamLines } from "../../lib/media/stream_chunks.ts";
import { BenchFailure } from "./bench_failure.ts";
import { descendants, processTable, type TreeCpu, treeCpu } from "./process_cpu.ts";

/** A stream to measure at: a video file the emulated camera loops. */
export interface CaptureSource {
  /** what the row is called (`768x576 at 10 fps (the sample)`) */
  readonly label: string;
  /** the file the camera emulator loops (H.264 without B-frames is streamed as is) */
  readonly file: string;
  /** the frame size the stream must have, checked on the bare copy's segments */
  readonly width: number;
  /** the frame height the stream must have */
  readonly height: number;
  /**
   * The same scene as a sub-stream (a second emulated camera): the capture is then measured a
   * second time, with it as `DETECT_URL`, beside the main-only capture and the bare copy.
   * @default none
   */
  readonly sub?: { readonly file: string; readonly width: number; readonly height: number };
}

/** What to measure on. */
export interface CaptureBenchOptions {
  /** the project's root, where deno.json and its `capture` task are */
  readonly root: string;
  /** the streams, one pair of rows each */
  readonly sources: readonly CaptureSource[];
  /** wall seconds of each measured window */
  readonly seconds: number;
  /**
   * Longest wait for a process to be doing its work before its window, in ms.
   * @default 60000
   */
  readonly readyTimeoutMs?: number;
}

/** CPU of one process tree over its window, and the work it did then. */
export interface CaptureBenchRow {
  /** what ran */
  readonly name: string;
  /** CPU seconds of the whole tree over the window */
  readonly cpuSeconds: number;
  /** the window's wall seconds */
  readonly wallSeconds: number;
  /**
   * CPU seconds over the window by part of the tree: by executable for the processes alive
   * (`deno`, `ffmpeg`), and `exited children` for those that ran and exited (the clips' ffmpeg)
   */
  readonly parts: Readonly<Record<string, number>>;
  /** the work done over the window, counted (`frames`, `clips`; `segments`, `bytes`) */
  readonly counts: Readonly<Record<string, number>>;
  /** the same in words (`250 frames to motion detection, 3 clips`) */
  readonly work: string;
}

/** The two rows of one stream. */
export interface CaptureComparison {
  /** the stream */
  readonly source: CaptureSource;
  /** bare `ffmpeg -c copy` into segments: the baseline */
  readonly bare: CaptureBenchRow;
  /** `deno task capture` */
  readonly full: CaptureBenchRow;
  /** `deno task capture` watching the sub-stream for motion (`DETECT_URL`), when the source has one */
  readonly withSub?: CaptureBenchRow;
}

/** Options of {@linkcode measureCapture}. */
export interface MeasureCaptureOptions {
  /** the project's root, where deno.json and its `capture` task are */
  readonly root: string;
  /** the camera (RTSP_URL) */
  readonly url: string;
  /** wall seconds of the window */
  readonly seconds: number;
  /** more settings for the capture, or ones to override (`{ CLIP_SECONDS: "0" }`) */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * What the row is called.
   * @default "capture (deno task capture)"
   */
  readonly name?: string;
  /**
   * Longest wait for the capture to be doing its work before its window, in ms.
   * @default 60000
   */
  readonly readyTimeoutMs?: number;
}

/** A process being measured: how to tell it is working, and how much work it has done. */
interface Subject {
  readonly name: string;
  readonly child: Deno.ChildProcess;
  /** set once the process has exited */
  exit: Deno.CommandStatus | undefined;
  /** Resolves when the process is doing its work; false until then. */
  ready(): Promise<boolean>;
  /** The work counters now; throws a BenchFailure when the process is not healthy. */
  probe(): Promise<Record<string, number>>;
  /** Checks the work done over the window and says what it was; throws a BenchFailure otherwise. */
  judge(start: Record<string, number>, end: Record<string, number>, seconds: number): Promise<string>;
  /** The end of its output, for the reason of a failure. */
  tail(): string;
  /** Why it is not ready yet, for the reason of a failure. */
  notReady(): string;
  /** Checks the exit after SIGTERM. */
  judgeExit(status: Deno.CommandStatus): void;
  /** Settles once its output has been read to the end. */
  readonly drained: Promise<unknown>;
}

const DEFAULT_CAPTURE_NAME = "capture (deno task capture)";
const BARE_NAME = "bare copy (ffmpeg -c copy)";
/** Seconds between health checks during a window: often enough to see a stall, rarely enough to cost nothing. */
const CHECK_SECONDS = 5;
/**
 * Clip timings short enough that a clip is written every 10 to 15 s of the sample (which has
 * motion all the time): several in a window, as on a busy camera. Clips are joined inside the
 * capture's Deno process; an ffmpeg run to join one (across a reconnection) would show in the
 * `exited children` part.
 */
export const BENCH_CLIP_SETTINGS: Readonly<Record<string, string>> = {
  CLIP_SECONDS: "10",
  PREROLL_SECONDS: "2",
  MAX_CLIP_SECONDS: "10",
  COOLDOWN_SECONDS: "1",
};
/** Variables handed on to the capture (where Deno and its cache are); anything else, such as
 * REDIS_URL, would change the work measured. */
const PASSED_ENV = /^(PATH|HOME|USER|TMPDIR|TZ|LANG|LC_\w+|DENO_\w+|XDG_\w+|NPM_CONFIG_\w+)$/;

/** Resolves after `ms`, or earlier when one of `events` settles; leaves no timer behind. */
async function waitFor(ms: number, events: readonly Promise<unknown>[] = []): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      new Promise((r) => timer = setTimeout(r, ms)),
      ...events.map((e) => e.catch(() => {})),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A JSON log line of the capture as its message alone; any other line as it is. */
function readable(line: string): string {
  try {
    const entry = JSON.parse(line);
    if (typeof entry?.msg === "string") return `${entry.level ?? "log"}: ${entry.msg}`;
  } catch { /* not JSON */ }
  return line;
}

/** Keeps the last lines a process wrote on stdout and stderr. */
function collectOutput(child: Deno.ChildProcess): { tail: () => string; done: Promise<unknown> } {
  const lines: string[] = [];
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const parts of streamLines(stream)) {
      lines.push(...parts.filter((l) => l.trim()).map(readable));
      lines.splice(0, Math.max(0, lines.length - 8));
    }
  };
  const done = Promise.all([drain(child.stdout), drain(child.stderr)]).catch(() => {});
  return {
    done,
    tail: () => {
      const text = lines.slice(-3).join(" | ");
      return text ? (text.length > 900 ? `…${text.slice(-900)}` : text) : "no output";
    },
  };
}

/** Sums a counter's samples (all label sets) in Prometheus text; undefined when absent. */
export function counterValue(metricsText: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of metricsText.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

async function fetchText(url: string): Promise<{ status: number; text: string }> {
  // A capture whose event loop is stuck does not answer: that is a stall, not a long wait.
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: response.status, text: await response.text() };
}

function startCapture(options: MeasureCaptureOptions, videoDir: string): Subject {
  const CAPTURE_NAME = options.name ?? DEFAULT_CAPTURE_NAME;
  const port = freePort();
  const motionFps = Number(options.env?.MOTION_FPS ?? CAPTURE_STREAM_SETTINGS.motionFps.default);
  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([k]) => PASSED_ENV.test(k))),
    NO_COLOR: "1",
    RTSP_URL: options.url,
    CAMERA_NAME: "bench",
    VIDEO_DIR: videoDir,
    METRICS_PORT: String(port),
    ...BENCH_CLIP_SETTINGS,
    ...options.env,
  };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "capture"],
    cwd: options.root,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = collectOutput(child);
  const base = `http://127.0.0.1:${port}`;
  const clipTimings = Object.keys(BENCH_CLIP_SETTINGS).map((k) => `${k}=${env[k]}`).join(" ");
  let lastHealth = "no answer yet";

  const health = async (): Promise<{ ok: boolean; text: string }> => {
    try {
      const { status, text } = await fetchText(`${base}/healthz`);
      lastHealth = `/healthz ${status} ${text.trim().slice(0, 300)}`;
      return { ok: status === 200 && JSON.parse(text).ok === true, text: lastHealth };
    } catch (e) {
      lastHealth = `/healthz did not answer (${e instanceof Error ? e.message : e})`;
      return { ok: false, text: lastHealth };
    }
  };
  const counters = async () => {
    const { status, text } = await fetchText(`${base}/metrics`);
    if (status !== 200) throw new BenchFailure(CAPTURE_NAME, `/metrics answered ${status}`);
    return {
      frames: counterValue(text, "camwatch_frames_total") ?? 0,
      clips: counterValue(text, "camwatch_clips_total") ?? 0,
    };
  };

  const subject: Subject = {
    name: CAPTURE_NAME,
    child,
    exit: undefined,
    async ready() {
      if (!(await health()).ok) return false;
      return (await counters()).frames > 0;
    },
    async probe() {
      const h = await health();
      if (!h.ok) {
        throw new BenchFailure(CAPTURE_NAME, `not healthy: ${h.text}; last output: ${output.tail()}`);
      }
      return await counters();
    },
    async judge(start, end, seconds) {
      const frames = end.frames - start.frames;
      const clips = end.clips - start.clips;
      const expected = motionFps * seconds;
      // Half the frames the motion rate asks for is already a capture falling behind; none is a
      // capture doing nothing.
      if (frames < expected / 2) {
        throw new BenchFailure(
          CAPTURE_NAME,
          `only ${frames} frames reached the motion detector in ${seconds.toFixed(0)} s ` +
            `(expected about ${
              expected.toFixed(0)
            } at MOTION_FPS ${motionFps}); last output: ${output.tail()}`,
        );
      }
      if (clips < 1) {
        throw new BenchFailure(
          CAPTURE_NAME,
          `wrote no clip in ${seconds.toFixed(0)} s although the sample has motion all the time ` +
            `(clip timings ${clipTimings}); last output: ${output.tail()}`,
        );
      }
      let files = 0;
      for await (const e of Deno.readDir(join(videoDir, "bench"))) if (/^\d.*\.mp4$/.test(e.name)) files++;
      if (files < end.clips) {
        throw new BenchFailure(CAPTURE_NAME, `counted ${end.clips} clips but ${files} are on disk`);
      }
      return `${frames} frames to motion detection, ${clips} clip${clips === 1 ? "" : "s"}`;
    },
    tail: () => output.tail(),
    notReady: () => `${lastHealth}; last output: ${output.tail()}`,
    drained: output.done,
    judgeExit(status) {
      if (status.code !== 0) {
        throw new BenchFailure(
          CAPTURE_NAME,
          `exited with code ${status.code}${status.signal ? ` (${status.signal})` : ""} on SIGTERM, ` +
            `not 0 as it should after finishing its clips; last output: ${output.tail()}`,
        );
      }
    },
  };
  child.status.then((status) => subject.exit = status);
  return subject;
}

function startBareCopy(url: string, dir: string, source?: CaptureSource): Subject {
  const child = new Deno.Command("ffmpeg", {
    args: [
      "-nostdin",
      "-loglevel",
      "error",
      "-rtsp_transport",
      "tcp",
      "-i",
      url,
      "-map",
      "0:v",
      "-c",
      "copy",
      "-f",
      "segment",
      "-segment_time",
      "2",
      "-reset_timestamps",
      "1",
      join(dir, "bare-%06d.mp4"),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = collectOutput(child);
  const segments = async () => {
    const files: { name: string; size: number }[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith("bare-")) {
        files.push({ name: e.name, size: (await Deno.stat(join(dir, e.name))).size });
      }
    }
    return files.sort((a, b) => a.name.localeCompare(b.name));
  };
  const subject: Subject = {
    name: BARE_NAME,
    child,
    exit: undefined,
    async ready() {
      // The first segment is complete once the second one has started.
      return (await segments()).length >= 2;
    },
    async probe() {
      const files = await segments();
      return { segments: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
    },
    async judge(start, end, seconds) {
      const written = end.segments - start.segments;
      // Segments are cut at keyframes, every 2 s in both streams; a quarter of that is a stall.
      if (written < seconds / 8 || end.bytes <= start.bytes) {
        throw new BenchFailure(
          BARE_NAME,
          `wrote ${written} segments (${end.bytes - start.bytes} bytes) in ${seconds.toFixed(0)} s; ` +
            `last output: ${output.tail()}`,
        );
      }
      const files = await segments();
      const info = await probeMedia(join(dir, files[0].name));
      if (source && (info.video?.width !== source.width || info.video?.height !== source.height)) {
        throw new BenchFailure(
          BARE_NAME,
          `the stream is ${info.video?.width}x${info.video?.height}, not ${source.width}x${source.height}`,
        );
      }
      return `${written} segments, ${((end.bytes - start.bytes) / 2 ** 20).toFixed(1)} MiB`;
    },
    tail: () => output.tail(),
    judgeExit() {}, // ffmpeg answers SIGTERM with 255; only its window matters
    notReady: () => `no complete segment yet; last output: ${output.tail()}`,
    drained: output.done,
  };
  child.status.then((status) => subject.exit = status);
  return subject;
}

/** Stops a process: SIGTERM (the capture finishes its clips), then SIGKILL of its whole tree. */
async function stop(subject: Subject): Promise<Deno.CommandStatus> {
  if (!subject.exit) {
    try {
      subject.child.kill("SIGTERM");
    } catch { /* exited meanwhile */ }
    await waitFor(20_000, [subject.child.status]);
    if (!subject.exit) await killTree(subject.child.pid);
  }
  const status = await subject.child.status;
  await subject.drained;
  return status;
}

/** SIGKILL to a process and everything below it (by pid), children first. */
async function killTree(pid: number): Promise<void> {
  const pids = descendants(await processTable(), pid);
  for (const p of pids.reverse()) {
    try {
      Deno.kill(p, "SIGKILL");
    } catch { /* gone */ }
  }
}

/**
 * Starts nothing: waits for the subjects to be working, measures them together over one window,
 * and returns a row for each, or throws the first {@linkcode BenchFailure}.
 */
async function measureWindow(
  subjects: readonly Subject[],
  seconds: number,
  readyTimeoutMs: number,
): Promise<CaptureBenchRow[]> {
  const exited = subjects.map((s) => s.child.status);
  const deadline = performance.now() + readyTimeoutMs;
  const died = (s: Subject, when: string) =>
    new BenchFailure(
      s.name,
      `exited with code ${s.exit!.code}${s.exit!.signal ? ` (${s.exit!.signal})` : ""} ${when}: ${s.tail()}`,
    );

  for (const s of subjects) {
    for (;;) {
      if (s.exit) throw died(s, "before its window (it died at start)");
      if (await s.ready().catch(() => false)) break;
      if (performance.now() > deadline) {
        throw new BenchFailure(
          s.name,
          `not doing its work after ${(readyTimeoutMs / 1000).toFixed(0)} s: ${s.notReady()}`,
        );
      }
      await waitFor(250, exited);
    }
  }

  type Reading = { work: Record<string, number>; cpu: TreeCpu | undefined };
  const start: Reading[] = [];
  for (const s of subjects) start.push({ work: await s.probe(), cpu: await treeCpu(s.child.pid) });
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    await waitFor(Math.min(CHECK_SECONDS * 1000, end - now), exited);
    for (const s of subjects) {
      const at = `${((performance.now() - t0) / 1000).toFixed(0)} s into its ${seconds} s window`;
      if (s.exit) throw died(s, at);
      await s.probe().catch((e) => {
        throw e instanceof BenchFailure ? new BenchFailure(s.name, `${e.reason} (${at})`) : e;
      });
    }
  }
  const rows: CaptureBenchRow[] = [];
  const works: Reading[] = [];
  for (const s of subjects) works.push({ work: await s.probe(), cpu: await treeCpu(s.child.pid) });
  const wallSeconds = (performance.now() - t0) / 1000;
  for (const [i, s] of subjects.entries()) {
    const cpu0 = start[i].cpu, cpu1 = works[i].cpu;
    if (s.exit || cpu0 === undefined || cpu1 === undefined) throw died(s, "at the end of its window");
    const work = await s.judge(start[i].work, works[i].work, wallSeconds);
    const cpuSeconds = cpu1.total - cpu0.total;
    if (!(cpuSeconds > 0)) {
      throw new BenchFailure(s.name, `used no CPU over ${wallSeconds.toFixed(0)} s (${work}): not measured`);
    }
    const parts = Object.fromEntries(
      Object.keys({ ...cpu0.parts, ...cpu1.parts }).map((
        k,
      ) => [k, (cpu1.parts[k] ?? 0) - (cpu0.parts[k] ?? 0)]),
    );
    const counts = Object.fromEntries(
      Object.keys(works[i].work).map((k) => [k, works[i].work[k] - start[i].work[k]]),
    );
    rows.push({ name: s.name, cpuSeconds, wallSeconds, parts, counts, work });
  }
  return rows;
}

/**
 * Runs `deno task capture` against a camera for one window and returns its CPU, or throws a
 * {@linkcode BenchFailure} when it died, stalled, or did not do its work.
 *
 * @example
 * ```ts
 * import { measureCapture } from "./capture_bench.ts";
 * const row = await measureCapture({ root: ".", url: "rtsp://127.0.0.1:8554/stream", seconds: 20 });
 * console.log(`${((100 * row.cpuSeconds) / row.wallSeconds).toFixed(1)}% of one core (${row.work})`);
 * ```
 */
export async function measureCapture(options: MeasureCaptureOptions): Promise<CaptureBenchRow> {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-capture-" });
  const capture = startCapture(options, join(dir, "video"));
  let stopped = false;
  try {
    const [row] = await measureWindow([capture], options.seconds, options.readyTimeoutMs ?? 60_000);
    capture.judgeExit(await stop(capture));
    stopped = true;
    return row;
  } finally {
    if (!stopped) await stop(capture);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Full capture and bare copy of one camera, side by side over the same window. */
async function compare(
  root: string,
  source: CaptureSource,
  seconds: number,
  readyTimeoutMs: number,
): Promise<CaptureComparison> {
  await using camera = await CameraEmulator.start({ file: source.file });
  await using sub = source.sub ? await CameraEmulator.start({ file: source.sub.file }) : undefined;
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-capture-" });
  await Deno.mkdir(join(dir, "bare"));
  const subjects: Subject[] = [];
  const stopped = new Set<Subject>();
  try {
    subjects.push(startBareCopy(camera.url, join(dir, "bare"), source));
    subjects.push(startCapture({ root, url: camera.url, seconds }, join(dir, "video")));
    if (sub) {
      subjects.push(startCapture({
        root,
        url: camera.url,
        seconds,
        env: { DETECT_URL: sub.url },
        name: `capture, motion on the ${source.sub!.width}x${source.sub!.height} sub-stream (DETECT_URL)`,
      }, join(dir, "video-sub")));
    }
    const [bare, full, withSub] = await measureWindow(subjects, seconds, readyTimeoutMs);
    for (const s of subjects) {
      const status = await stop(s);
      stopped.add(s);
      s.judgeExit(status);
    }
    return { source, bare, full, ...(withSub ? { withSub } : {}) };
  } finally {
    for (const s of subjects) if (!stopped.has(s)) await stop(s);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The bit rates the 1080p streams are encoded at: what cameras send by default for a 1080p main
 * stream and its 640x360 sub-stream (a set bit rate, whatever the scene). At the quality the
 * sample would get on its own, its upscaled frames would take 1.8 Mbit/s, and decoding them would
 * cost less than a camera's stream does.
 */
export const CAMERA_BITRATES = { main: 4_000_000, sub: 512_000 } as const;

/**
 * Encodes `input` as a camera would send it: H.264 without B-frames, a keyframe every 2 s (at
 * 15 fps), at `bitrate` bits a second, checked after encoding (a stream far below its bit rate
 * would be a cheaper stream than the row says).
 */
async function encodeCameraStream(
  input: string,
  output: string,
  scale: { width: number; height: number; fps: number },
  bitrate: number,
  seconds: number,
): Promise<void> {
  const what = `ffmpeg (${scale.width}x${scale.height} source)`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ...["-nostdin", "-loglevel", "error", "-y", "-i", input, "-t", String(seconds)],
      ...["-vf", `scale=${scale.width}:${scale.height},fps=${scale.fps}`, "-an", "-c:v", "libx264"],
      ...["-preset", "veryfast", "-b:v", String(bitrate), "-maxrate", String(bitrate)],
      ...["-bufsize", String(bitrate), "-bf", "0", "-g", "30", "-keyint_min", "30", "-pix_fmt", "yuv420p"],
      output,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new BenchFailure(what, new TextDecoder().decode(out.stderr).trim().slice(-500));
  const info = await probeMedia(output);
  const v = info.video;
  const rate = (8 * (await Deno.stat(output)).size) / (info.duration ?? Infinity);
  if (v?.width !== scale.width || v?.height !== scale.height || Math.round(v?.fps ?? 0) !== scale.fps) {
    throw new BenchFailure(what, `made ${v?.width}x${v?.height} at ${v?.fps} fps`);
  }
  // x264 keeps within a few percent of its target; far below it, the row would measure a lighter stream.
  if (rate < 0.8 * bitrate) {
    throw new BenchFailure(
      what,
      `made ${(rate / 1000).toFixed(0)} kbit/s, not ${(bitrate / 1000).toFixed(0)}`,
    );
  }
}

/**
 * Makes the 1920x1080, 15 fps stream at a camera's bit rate ({@linkcode CAMERA_BITRATES}): the
 * sample scaled up, `seconds` long (the emulator loops it), and its 640x360 sub-stream.
 */
export async function makeFullHdSource(video: string, dir: string, seconds = 30): Promise<CaptureSource> {
  const file = join(dir, "sample-1080p15.mp4");
  const subFile = join(dir, "sample-360p15.mp4");
  await encodeCameraStream(
    video,
    file,
    { width: 1920, height: 1080, fps: 15 },
    CAMERA_BITRATES.main,
    seconds,
  );
  await encodeCameraStream(file, subFile, { width: 640, height: 360, fps: 15 }, CAMERA_BITRATES.sub, seconds);
  const mbit = (bits: number) => `${bits >= 1e6 ? `${bits / 1e6} Mbit/s` : `${bits / 1e3} kbit/s`}`;
  return {
    label: `1920x1080 at 15 fps, ${mbit(CAMERA_BITRATES.main)} (the sample scaled up, keyframe every 2 s), ` +
      `with a 640x360 sub-stream at ${mbit(CAMERA_BITRATES.sub)}`,
    file,
    width: 1920,
    height: 1080,
    sub: { file: subFile, width: 640, height: 360 },
  };
}

/**
 * Measures the full capture against the bare copy for each source, one source after the other.
 *
 * @example
 * ```ts
 * import { benchCapture } from "./capture_bench.ts";
 * const [sample] = await benchCapture({
 *   root: ".",
 *   seconds: 30,
 *   sources: [{ label: "the sample", file: "video/samples/vtest.mp4", width: 768, height: 576 }],
 * });
 * console.log(sample.full.cpuSeconds / sample.bare.cpuSeconds);
 * ```
 */
export async function benchCapture(options: CaptureBenchOptions): Promise<CaptureComparison[]> {
  const results: CaptureComparison[] = [];
  for (const source of options.sources) {
    results.push(await compare(options.root, source, options.seconds, options.readyTimeoutMs ?? 60_000));
  }
  return results;
}
