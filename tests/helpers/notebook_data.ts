/**
 * Data for the notebook runs, made by the real pipeline: given clips that capture recorded (the
 * demo's), it files copies under two cameras and queues tasks for them whose start times are
 * spread over the last day and a half, plus a broken and a missing clip, so that the real worker
 * writes a log with hours, classes, cameras and failures to analyse.
 *
 * @module
 */
import { join } from "node:path";
import { isoLocal } from "../../lib/capture/clip_recorder.ts";
import type { ClipTask } from "../../lib/queue/clip_task.ts";
import type { TaskProducer } from "../../lib/queue/task_producer.ts";

/** Queues `count` tasks (and two bad ones) for copies of `clips` (paths under `videoDir`). */
export async function queueHistory(
  queue: TaskProducer<ClipTask>,
  videoDir: string,
  clips: readonly string[],
  count = 16,
): Promise<ClipTask[]> {
  const now = Date.now();
  const tasks: ClipTask[] = [];
  const add = async (camera: string, start: number, source: string | undefined, name: string) => {
    await Deno.mkdir(join(videoDir, camera), { recursive: true });
    const path = `${camera}/${name}.mp4`;
    if (source) await Deno.copyFile(join(videoDir, source), join(videoDir, path));
    const task: ClipTask = {
      v: 1,
      id: `${camera}-${isoLocal(start)}`,
      camera,
      path,
      start: isoLocal(start),
      end: isoLocal(start + 6000),
      motion: { peak: 0.05, boxes: [[0.2, 0.3, 0.6, 0.9]] },
    };
    await queue.publish(task);
    tasks.push(task);
  };
  for (let i = 0; i < count; i++) {
    // Uneven gaps (a busy afternoon, a quiet night), over about 36 hours.
    const start = now - Math.round(36 * 3_600_000 * (i / count) ** 1.4) - 60_000;
    const camera = i % 3 === 2 ? "yard" : "front";
    const stamp = isoLocal(start).slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    await add(camera, start, clips[i % clips.length], stamp);
  }
  await Deno.writeTextFile(join(videoDir, "yard", "broken.mp4"), "not a video");
  await add("yard", now - 5 * 3_600_000, undefined, "broken");
  await add("front", now - 7 * 3_600_000, undefined, "gone");
  return tasks;
}
