/**
 * camwatch's notebook surface: the helpers the Deno Jupyter notebooks in `notebooks/` use to
 * look at cameras, the queue and the detection log (tables, charts, annotated frames, log
 * analysis as nodejs-polars DataFrames, clip timelines, dataset export). The pipeline itself
 * (`DetectionLog`, `YoloAnalyzer`, settings) comes from the main module.
 *
 * @example A notebook cell: today's clips per hour
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { readNotebookSettings } from "@camwatch/camwatch";
 * import { clipsPerHour, renderChart } from "@camwatch/camwatch/notebook";
 *
 * const { logPath } = readNotebookSettings();
 * const perHour = await clipsPerHour(logPath, { day: new Date() });
 * await Deno.jupyter.display(renderChart({
 *   title: "Clips per hour, today",
 *   marks: [Plot.barY(perHour.toRecords(), { x: "hour_label", y: "clips" })],
 * }));
 * ```
 *
 * @module
 */

export * from "./lib/notebook/mod.ts";
