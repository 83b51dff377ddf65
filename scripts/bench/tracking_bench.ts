/**
 * Tracking benchmark: on videos whose truth is known (tools/ground_truth.ts, and the sample's two
 * parked vehicles and its glimpsed false positives), how many objects of each class the analysis
 * counts against the truth, and what a clip second costs at the analysis' sampling rate with the
 * tracker and before it (the same analysis less the tracker's own time, measured by replaying the
 * same detections through it in the same run).
 *
 * Nothing is reported that was not done: every video must give as many analysed frames as its
 * length and the rate ask for (give or take one), and the replay must give the very tracks the
 * analysis gave; otherwise a {@linkcode BenchFailure} says which video and why.
 *
 * @module
 */

import { makeSceneVideo, SCENES } from "../../tools/ground_truth.ts";
import { ClipTracks } from "../../lib/yolo/clip_tracks.ts";
import { type FrameDetections, YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { BenchFailure, expectWork } from "./bench_failure.ts";

/** What to measure with. */
export interface TrackingBenchOptions {
  /** the bundled sample */
  readonly sample: string;
  /** frames per second analysed */
  readonly sampleFps: number;
  readonly threads: number;
  readonly model?: string;
}

/** One class's count over all the videos. */
export interface ClassAccuracy {
  readonly label: string;
  /** objects the truth holds */
  readonly truth: number;
  /** objects counted */
  readonly counted: number;
  /** the sum over videos of |counted - truth| */
  readonly errors: number;
}

/** The figures of the tracking bench. */
export interface TrackingBenchResult {
  readonly classes: ClassAccuracy[];
  /** per video: name, truth and counts by class */
  readonly videos: { name: string; truth: Record<string, number>; counts: Record<string, number> }[];
  /** seconds of video analysed */
  readonly clipSeconds: number;
  /** frames analysed */
  readonly frames: number;
  /** analysis time, tracker included, in ms */
  readonly analysisMs: number;
  /** the tracker's own time over the same frames, in ms */
  readonly trackingMs: number;
}

/** The sample's truth: its parked van and car (its crowd of people has not been counted by hand). */
const SAMPLE_TRUTH = { car: 1, truck: 1 };

/** Runs the videos at `sampleFps` and returns the counts and costs. */
export async function benchTracking(options: TrackingBenchOptions): Promise<TrackingBenchResult> {
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-truth-" });
  try {
    const videos: {
      name: string;
      path: string;
      seconds: number;
      truth: Record<string, number>;
      peopleUncounted: boolean;
    }[] = [];
    for (const scene of SCENES) {
      const path = `${dir}/${scene.name}.mp4`;
      await makeSceneVideo(scene, path);
      videos.push({
        name: scene.name,
        path,
        seconds: scene.seconds,
        truth: scene.truth.counts,
        peopleUncounted: false,
      });
    }
    videos.push({
      name: "vtest (vehicles)",
      path: options.sample,
      seconds: 79.5,
      truth: SAMPLE_TRUTH,
      peopleUncounted: true,
    });
    await using analyzer = await YoloAnalyzer.create({ model: options.model, threads: options.threads });
    await analyzer.analyzeVideo(videos[0].path, { sampleFps: options.sampleFps }).summary(); // warm up

    let analysisMs = 0;
    let trackingMs = 0;
    let frames = 0;
    let clipSeconds = 0;
    const rows: TrackingBenchResult["videos"] = [];
    for (const video of videos) {
      const subject = `analysis of ${video.name}`;
      const started = performance.now();
      const analysis = analyzer.analyzeVideo(video.path, { sampleFps: options.sampleFps });
      const seen: FrameDetections[] = [];
      for await (const frame of analysis) seen.push(frame);
      const summary = await analysis.summary();
      analysisMs += performance.now() - started;
      const expected = Math.ceil(video.seconds * options.sampleFps);
      expectWork(
        Math.abs(summary.frames - expected) <= 1 && seen.length === summary.frames,
        subject,
        `${summary.frames} frames analysed, ${expected} expected`,
      );
      // The tracker alone, on the same detections (undone first: the analysis yields them tracked).
      const replayStarted = performance.now();
      const replay = new ClipTracks();
      for (const f of seen) {
        replay.add(
          f.time,
          f.width,
          f.height,
          f.detections.map(({ track: _, ...d }) => d),
        );
      }
      const replayed = replay.result();
      trackingMs += performance.now() - replayStarted;
      expectWork(
        JSON.stringify(replayed.tracks) === JSON.stringify(summary.tracks),
        subject,
        "replaying its detections through the tracker gave other tracks",
      );
      frames += summary.frames;
      clipSeconds += summary.duration ?? video.seconds;
      let counts = Object.fromEntries(Object.entries(summary.objects).map(([label, s]) => [label, s.count]));
      if (video.peopleUncounted) {
        counts = Object.fromEntries(Object.entries(counts).filter(([label]) => label !== "person"));
      }
      rows.push({ name: video.name, truth: { ...video.truth }, counts });
    }
    const labels = [...new Set(rows.flatMap((r) => [...Object.keys(r.truth), ...Object.keys(r.counts)]))];
    const classes = labels.map((label) => {
      const truth = rows.reduce((s, r) => s + (r.truth[label] ?? 0), 0);
      const counted = rows.reduce((s, r) => s + (r.counts[label] ?? 0), 0);
      const errors = rows.reduce((s, r) => s + Math.abs((r.counts[label] ?? 0) - (r.truth[label] ?? 0)), 0);
      return { label, truth, counted, errors };
    });
    if (frames === 0) throw new BenchFailure("tracking bench", "no frame was analysed");
    return { classes, videos: rows, clipSeconds, frames, analysisMs, trackingMs };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The report's lines: accuracy per class, the videos, and the cost per clip second with the
 * tracker beside the cost before it, as a ratio.
 */
export function formatTrackingBench(r: TrackingBenchResult, sampleFps: number): string[] {
  const lines = [
    `  count accuracy per class (1 - errors / objects in the truth; a class not in the truth: its count):`,
  ];
  for (const c of r.classes) {
    const accuracy = c.truth ? `${(100 * Math.max(0, 1 - c.errors / c.truth)).toFixed(0)}%` : "—";
    lines.push(
      `    ${c.label.padEnd(10)} truth ${String(c.truth).padStart(3)}  counted ${
        String(c.counted).padStart(3)
      }  ` +
        `errors ${String(c.errors).padStart(2)}  accuracy ${accuracy.padStart(4)}`,
    );
  }
  const show = (o: Record<string, number>) =>
    Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  for (const v of r.videos) {
    lines.push(`    ${v.name.padEnd(17)} truth: ${show(v.truth)}; counted: ${show(v.counts)}`);
  }
  const per = (ms: number) => ms / r.clipSeconds;
  const before = r.analysisMs - r.trackingMs;
  lines.push(
    `  cost per clip second at ${sampleFps} fps (${r.frames} frames over ${r.clipSeconds.toFixed(1)} s): ` +
      `before tracking ${per(before).toFixed(1)} ms, with tracking ${per(r.analysisMs).toFixed(1)} ms ` +
      `(${(r.analysisMs / before).toFixed(3)}x; the tracker ${(per(r.trackingMs)).toFixed(2)} ms)`,
  );
  return lines;
}
