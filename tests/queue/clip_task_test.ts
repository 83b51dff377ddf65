/** The task message: its schema (parseTask) and the rule that keeps its path inside VIDEO_DIR. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTask, resolveClipPath, TaskError } from "../../lib/queue/clip_task.ts";

const dir = await Deno.makeTempDir({ prefix: "camwatch-task-" });

Deno.test("parseTask accepts the documented message and names the first bad field", () => {
  const good = {
    v: 1,
    id: "front-2026-02-23T14:46:57.000+01:00",
    camera: "front",
    path: "front/20260223-144657.mp4",
    start: "2026-02-23T14:46:57.000+01:00",
    end: "2026-02-23T14:47:32.000+01:00",
    motion: { peak: 0.12, boxes: [[0.1, 0.2, 0.3, 0.4]] },
  };
  assert.deepEqual(parseTask(JSON.stringify(good)), good);
  const bad = (patch: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(
      () => parseTask({ ...good, ...patch }),
      (e: unknown) => e instanceof TaskError && pattern.test(e.message),
    );
  bad({ v: 2 }, /task\.v must be 1/);
  bad({ camera: "../x" }, /task\.camera must be/);
  bad({ start: "yesterday" }, /task\.start must be an ISO 8601 time with zone/);
  bad({ motion: { peak: "high", boxes: [] } }, /task\.motion must be/);
  bad({ motion: { peak: 0.1, boxes: [[1, 2, 3]] } }, /task\.motion must be/);
  bad({ motion: undefined }, /task\.motion must be \{ peak: number/);
  assert.throws(
    () => parseTask('{"v": 1, "id": "x"}'),
    /^TaskError: task\.camera must be 1-64 letters, digits, '_' or '-', got null$/,
    "a missing field is named with what it must be",
  );
  assert.throws(() => parseTask("{ not json"), /task is not JSON/);
  assert.throws(() => parseTask("[1, 2]"), /task must be a JSON object/);
  assert.throws(() => parseTask("__import__('os').system('rm -rf /')"), TaskError);
});

Deno.test("resolveClipPath keeps tasks inside the video folder", async () => {
  const video = join(dir, "video");
  await Deno.mkdir(join(video, "front"), { recursive: true });
  await Deno.writeTextFile(join(video, "front", "a.mp4"), "x");
  await Deno.writeTextFile(join(dir, "secret.txt"), "x");
  await Deno.symlink(join(dir, "secret.txt"), join(video, "front", "link.mp4"));
  assert.equal(
    await resolveClipPath(video, "front/a.mp4"),
    await Deno.realPath(join(video, "front", "a.mp4")),
  );
  assert.equal(await resolveClipPath(video, "front/missing.mp4"), join(video, "front", "missing.mp4"));
  for (
    const [path, why] of [
      ["../secret.txt", /leaves the video folder/],
      ["front/../../secret.txt", /leaves/],
      ["/etc/passwd", /leaves/],
      ["front/link.mp4", /leads outside the video folder/],
    ] as const
  ) {
    await assert.rejects(
      () => resolveClipPath(video, path),
      (e: unknown) => e instanceof TaskError && why.test(e.message),
      path,
    );
  }
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
