/**
 * The raw rows of a video folder's default detection log (the folder of day files), every line as
 * written, duplicates included: for tests that check a clip was logged exactly once.
 *
 * @module
 */
import { DetectionLog } from "../../lib/queue/detection_log.ts";
import { defaultLogPath } from "../../lib/queue/queue_defaults.ts";

/** Every non-empty line of every file of the log in `videoDir`, files in time order. */
export async function rawLogRows(videoDir: string): Promise<string[]> {
  const rows: string[] = [];
  for (const file of await new DetectionLog(defaultLogPath(videoDir)).files()) {
    rows.push(...(await Deno.readTextFile(file)).split("\n").filter((r) => r.trim()));
  }
  return rows;
}
