/**
 * What the queue tests share: clip tasks numbered by second, and taking a few deliveries from a
 * consumer with a deadline.
 *
 * @module
 */
import type { ClipTask } from "../../lib/queue/clip_task.ts";
import type { DeadLetter, Delivery, TaskConsumer } from "../../lib/queue/task_consumer.ts";

/** A valid clip task whose id, path and times carry `n`. */
export const task = (n: number): ClipTask => ({
  v: 1,
  id: `front-2026-02-23T14:46:${String(n).padStart(2, "0")}.000+01:00`,
  camera: "front",
  path: `front/20260223-1446${String(n).padStart(2, "0")}.mp4`,
  start: `2026-02-23T14:46:${String(n).padStart(2, "0")}.000+01:00`,
  end: `2026-02-23T14:47:${String(n).padStart(2, "0")}.000+01:00`,
  motion: { peak: 0.1, boxes: [[0.1, 0.1, 0.2, 0.2]] },
});

/** Takes `n` deliveries from a consumer, then stops; gives up (with what it has) after 20 s. */
export async function take<T>(
  consumer: TaskConsumer<T>,
  n: number,
  onDeadLetter?: (d: DeadLetter<T>) => void,
): Promise<Delivery<T>[]> {
  const controller = new AbortController();
  const got: Delivery<T>[] = [];
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    for await (const d of consumer.consume({ signal: controller.signal, onDeadLetter })) {
      got.push(d);
      if (got.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}
