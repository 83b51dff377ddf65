/**
 * Analysis benchmark: for the same frames, in one run, bare `session.run`, the full
 * YoloAnalyzer pipeline (decode + letterbox + run in a worker + NMS, overlapped), and a plain
 * serial loop of the same steps, reported as ratios to the bare inference.
 *
 * Nothing is reported that was not done: the frames decoded must be the ones asked for
 * (`seconds` × `sampleFps`, give or take the one frame a slot boundary can add), and every
 * variant must have handled exactly that many (the bare runs must each return an output of the
 * model's shape); otherwise a {@linkcode BenchFailure} says which variant and why.
 *
 * @module
 */

import * as ort from "onnxruntime-node";
import { readVideoFrames } from "../../lib/media/video_frames.ts";
import { YoloAnalyzer } from "../../lib/yolo/yolo_analyzer.ts";
import { decodeOutput } from "../../lib/yolo/decode_output.ts";
import { type PreparedInput, prepareInput } from "../../lib/yolo/input_tensor.ts";
import { nonMaxSuppression } from "../../lib/yolo/nms.ts";
import { probeMedia } from "../../lib/media/ffmpeg.ts";
import { BenchFailure, expectWork } from "./bench_failure.ts";

/** What to measure on. */
export interface AnalyzerBenchOptions {
  /** a video file; its first `seconds` are used */
  readonly video: string;
  readonly seconds: number;
  readonly sampleFps: number;
  readonly threads: number;
  readonly model?: string;
}

/** One line of the report. */
export interface BenchRow {
  readonly name: string;
  readonly msPerFrame: number;
}

async function cut(video: string, seconds: number): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "camwatch-bench-", suffix: ".mp4" });
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-i",
      video,
      "-t",
      String(seconds),
      "-c",
      "copy",
      path,
    ],
  }).output();
  if (!out.success) {
    throw new BenchFailure("ffmpeg (cutting the video)", `${video}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return path;
}

/** Runs the three measurements and returns their rows (bare first) and the frame count. */
export async function benchAnalyzer(
  options: AnalyzerBenchOptions,
): Promise<{ rows: BenchRow[]; frames: number; label: string }> {
  const clip = await cut(options.video, options.seconds);
  await using analyzer = await YoloAnalyzer.create({ model: options.model, threads: options.threads });
  const { info } = analyzer;
  const session = await ort.InferenceSession.create(analyzer.modelPath, {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  try {
    const toTensor = (input: PreparedInput) =>
      new ort.Tensor(
        info.inputType,
        info.inputType === "float32" ? new Float32Array(input.data) : new Uint16Array(input.data),
        input.dims,
      );
    // The same frames, prepared ahead so that only session.run is timed.
    const tensors: ort.Tensor[] = [];
    let width = 0, height = 0;
    for await (const f of readVideoFrames(clip, { sampleFps: options.sampleFps })) {
      width = f.width;
      height = f.height;
      tensors.push(toTensor(prepareInput(f.data, f.width, f.height, info)));
    }
    const frames = tensors.length;
    const asked = options.seconds * options.sampleFps;
    const duration = (await probeMedia(clip)).duration ?? 0;
    expectWork(
      duration >= options.seconds - 0.5,
      "analyzer bench",
      `${options.video} is ${
        duration.toFixed(1)
      } s long, shorter than the ${options.seconds} s asked (BENCH_SECONDS)`,
    );
    expectWork(
      frames > 0 && Math.abs(frames - asked) <= 1,
      "frame decoding",
      `decoded ${frames} frames of ${options.seconds} s at ${options.sampleFps} fps, expected ${asked}`,
    );
    const handled = (variant: string, n: number) =>
      expectWork(n === frames, variant, `handled ${n} frames, expected ${frames}`);
    const bare = async () => {
      const t = performance.now();
      let n = 0;
      for (const tensor of tensors) {
        const out = await session.run({ [info.inputName]: tensor });
        if (out[info.outputName]?.data.length > 0) n++;
      }
      const ms = (performance.now() - t) / frames;
      handled("bare session.run (outputs returned)", n);
      return ms;
    };
    const pipeline = async () => {
      const t = performance.now();
      const s = await analyzer.analyzeVideo(clip, { sampleFps: options.sampleFps }).summary();
      const ms = (performance.now() - t) / frames;
      handled("full pipeline (YoloAnalyzer.analyzeVideo)", s.frames);
      return ms;
    };
    const serial = async () => {
      const t = performance.now();
      let n = 0;
      for await (const f of readVideoFrames(clip, { sampleFps: options.sampleFps })) {
        n++;
        const out = await session.run({
          [info.inputName]: toTensor(prepareInput(f.data, f.width, f.height, info)),
        });
        const o = out[info.outputName];
        nonMaxSuppression(
          decodeOutput(o.data as Float32Array, o.dims, { numClasses: info.names.length, confidence: 0.25 }),
        );
      }
      const ms = (performance.now() - t) / frames;
      handled("serial loop", n);
      return ms;
    };
    const preprocess = async () => {
      const t = performance.now();
      let n = 0;
      for await (const f of readVideoFrames(clip, { sampleFps: options.sampleFps })) {
        prepareInput(f.data, f.width, f.height, info);
        n++;
      }
      const ms = (performance.now() - t) / frames;
      handled("decode + letterbox", n);
      return ms;
    };

    // Warm both sessions, then interleave so that drift on the machine hits every variant.
    for (const tensor of tensors.slice(0, 3)) await session.run({ [info.inputName]: tensor });
    await analyzer.analyzeVideo(clip, { sampleFps: 1 }).summary();
    const bare1 = await bare();
    const pipe1 = await pipeline();
    const serial1 = await serial();
    const bare2 = await bare();
    const pipe2 = await pipeline();
    const prep = await preprocess();
    const label = `${analyzer.modelName} at ${info.imgsz.join("x")}, ${options.threads} thread(s), ` +
      `${frames} frames (${width}x${height}) of the first ${options.seconds} s at ${options.sampleFps} fps`;
    return {
      frames,
      label,
      rows: [
        { name: "bare session.run", msPerFrame: (bare1 + bare2) / 2 },
        { name: "full pipeline (YoloAnalyzer.analyzeVideo)", msPerFrame: (pipe1 + pipe2) / 2 },
        { name: "serial loop (decode, letterbox, run, NMS)", msPerFrame: serial1 },
        { name: "decode + letterbox alone", msPerFrame: prep },
      ],
    };
  } finally {
    await session.release();
    await Deno.remove(clip);
  }
}
