/**
 * `deno task analyze [--json] FILE...`: detect objects in images and videos, once.
 *
 * Settings come from the environment (YOLO_MODEL, YOLO_CONF, YOLO_IOU, YOLO_THREADS,
 * SAMPLE_FPS) and can be overridden by flags. Exit status: 0 when every file was analysed,
 * 1 when any failed, 2 for bad usage or settings.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseSampleFps, readAnalyzerSettings } from "../lib/ops/config.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";
import { analyzeFile, formatResult } from "../lib/yolo/file_analysis.ts";
import { YoloAnalyzer } from "../lib/yolo/yolo_analyzer.ts";
import { progressLine } from "./progress.ts";

const USAGE = `usage: deno task analyze [options] FILE...

Detects objects in images (JPEG, PNG, WebP, …) and videos (anything ffmpeg reads).

options:
  --json             one JSON object per file on stdout
  --model PATH       ONNX model (env YOLO_MODEL; default: the bundled YOLOv8n int8)
  --conf N           minimum score 0..1 (env YOLO_CONF; default 0.25)
  --iou N            NMS IoU threshold 0..1 (env YOLO_IOU; default 0.7)
  --sample-fps N     video frames per second to analyse, or "all" (env SAMPLE_FPS; default 2)
  --threads N        ONNX Runtime threads (env YOLO_THREADS; default 1)
  --classes A,B      keep only these classes (names or ids)
  --evidence DIR     write each video's evidence into DIR: NAME.detections.csv (every analysed
                     frame's detections with their track ids) and NAME.LABEL-ID.jpg (each
                     confirmed object's best frame with its box)
  -h, --help         this help`;

function fail(message: string, code: number): never {
  console.error(`analyze: ${message}`);
  Deno.exit(code);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        model: { type: "string" },
        conf: { type: "string" },
        iou: { type: "string" },
        "sample-fps": { type: "string" },
        threads: { type: "string" },
        classes: { type: "string" },
        evidence: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${USAGE}`, 2);
  }
  const { values, positionals: files } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (files.length === 0) fail(`no input files\n\n${USAGE}`, 2);
  if (values.evidence !== undefined) {
    const info = await Deno.stat(values.evidence).catch(() => undefined);
    if (!info?.isDirectory) fail(`--evidence ${values.evidence}: not a folder`, 2);
  }

  const env = Deno.env.toObject();
  const flag = (name: string, value: string | undefined) => value === undefined ? {} : { [name]: value };
  const settings = readAnalyzerSettings({
    ...env,
    ...flag("YOLO_MODEL", values.model),
    ...flag("YOLO_CONF", values.conf),
    ...flag("YOLO_IOU", values.iou),
    ...flag("YOLO_THREADS", values.threads),
    ...flag(
      "SAMPLE_FPS",
      values["sample-fps"] && String(parseSampleFps(values["sample-fps"], "--sample-fps")),
    ),
  });

  await using analyzer = await YoloAnalyzer.create({
    ...settings,
    classes: values.classes?.split(",").map((c) => /^\d+$/.test(c.trim()) ? Number(c) : c.trim()),
  });

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  const showProgress = Deno.stderr.isTerminal();
  let failures = 0;
  try {
    for (const file of files) {
      const result = await analyzeFile(analyzer, file, {
        sampleFps: settings.sampleFps,
        evidenceDir: values.evidence,
        signal: controller.signal,
        onFrame: showProgress ? (frame, duration) => progressLine(file, frame.time, duration) : undefined,
      });
      if (showProgress) progressLine();
      if (!result.ok) failures++;
      if (values.json) console.log(JSON.stringify(result));
      else if (result.ok) console.log(formatResult(result));
      else console.error(formatResult(result));
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  return failures ? 1 : 0;
}

try {
  Deno.exit(await main());
} catch (e) {
  if (e instanceof ConfigError || e instanceof RangeError) fail(e.message, 2);
  if (e instanceof CamwatchError) fail(e.message, 1);
  if (e instanceof DOMException && e.name === "AbortError") fail("interrupted", 130);
  throw e;
}
