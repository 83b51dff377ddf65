/**
 * `deno task demo`: the main job on the bundled sample. For now it analyses the bundled
 * pedestrian footage with the bundled model and prints what it found; the full pipeline
 * (camera emulator, capture, queue, worker) takes its place as it is built.
 *
 * @module
 */

import { relative } from "node:path";
import { readAnalyzerSettings } from "../lib/config.ts";
import { analyzeFile, formatResult } from "../lib/file_analysis.ts";
import { YoloAnalyzer } from "../lib/yolo_analyzer.ts";
import { progressLine } from "./progress.ts";

const SAMPLE = relative(Deno.cwd(), new URL("../video/samples/vtest.mp4", import.meta.url).pathname);

const settings = readAnalyzerSettings();
console.log(`demo: analysing the bundled sample (${SAMPLE}) at ${settings.sampleFps} frames per second`);
await using analyzer = await YoloAnalyzer.create(settings);
console.log(
  `demo: model ${analyzer.modelName}, ${analyzer.info.names.length} classes, input ${
    analyzer.info.imgsz.join("x")
  }`,
);
const showProgress = Deno.stderr.isTerminal();
const result = await analyzeFile(analyzer, SAMPLE, {
  sampleFps: settings.sampleFps,
  onFrame: showProgress ? (frame, duration) => progressLine("sample", frame.time, duration) : undefined,
});
if (showProgress) progressLine();
console.log(formatResult(result));
console.log(`as a log line: ${JSON.stringify(result)}`);
Deno.exitCode = result.ok ? 0 : 1;
