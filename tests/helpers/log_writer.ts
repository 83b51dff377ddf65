/**
 * A separate process for the log tests: appends lines with ids `clip-<from>` to `clip-<to - 1>`
 * to a detection log, as a worker would, starting at the same moment as the others.
 * Usage: log_writer.ts LOG FROM TO WORKER START_AT_MS [SPLIT]
 * With SPLIT (`midnight`), even ids are clips of 2026-02-23T23:59:59.500Z and odd ids of
 * 2026-02-24T00:00:00.500Z: in a folder log, two day files written at once.
 * Prints the number of lines it wrote; when an append fails it prints that number, then the
 * error's name, message and cause on stderr, and exits with code 3.
 *
 * @module
 */
import { DetectionLog } from "../../lib/queue/detection_log.ts";

const [path, from, to, worker, startAt, split] = Deno.args;
const startOf = (i: number) =>
  split === "midnight"
    ? (i % 2 === 0 ? "2026-02-23T23:59:59.500Z" : "2026-02-24T00:00:00.500Z")
    : "2026-02-23T14:46:57.000+01:00";
const log = new DetectionLog(path);
// All writers begin together, so that their appends really overlap.
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
let written = 0;
for (let i = Number(from); i < Number(to); i++) {
  let ok: boolean;
  try {
    ok = await log.append(
      {
        ok: true,
        filename: `front/clip-${i}.mp4`,
        detected: ["person"],
        count: 1,
        timestamp: new Date().toISOString(),
        id: `clip-${i}`,
        camera: "front",
        clip_start: startOf(i),
        clip_end: "2026-02-23T14:47:32.000+01:00",
        frames: 60,
        objects: { person: { frames: 60, max: 3, best: 0.9, first: 0, last: 29.5 } },
        model: "yolov8n_int8.onnx",
        elapsed_ms: 5000,
        worker,
        // A long field makes every write big enough to tear if two processes interleaved.
        error: undefined,
        ...{ padding: ["x".repeat(8000)] },
      } as Parameters<DetectionLog["append"]>[0],
    );
  } catch (e) {
    console.log(written);
    const cause = (e as Error).cause as Error | undefined;
    console.error(`${(e as Error).name}: ${(e as Error).message} (cause: ${cause?.name}: ${cause?.message})`);
    Deno.exit(3);
  }
  if (ok) written++;
}
console.log(written);
