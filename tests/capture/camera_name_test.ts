/** camera_name: one rule for camera names, applied by the settings, the recorder and the task. */
import assert from "node:assert/strict";
import { isCameraName } from "../../lib/capture/camera_name.ts";
import { ClipRecorder } from "../../lib/capture/clip_recorder.ts";
import { readCaptureSettings } from "../../lib/ops/config.ts";
import { parseTask } from "../../lib/queue/clip_task.ts";

const GOOD = ["front", "Front_Door-2", "a", "x".repeat(64)];
const BAD = ["", "x".repeat(65), "../etc", "front door", "caméra", "a/b", "a.b", 42, undefined];

Deno.test("isCameraName: letters, digits, '_' and '-', 1 to 64 of them", () => {
  for (const name of GOOD) assert.ok(isCameraName(name), name);
  for (const name of BAD) assert.equal(isCameraName(name), false, String(name));
});

Deno.test("the settings, the recorder and the task message all refuse the same names", () => {
  const task = (camera: unknown) => ({
    v: 1,
    id: "x",
    camera,
    path: "x/a.mp4",
    start: "2026-02-23T14:46:57+01:00",
    end: "2026-02-23T14:47:27+01:00",
    motion: { peak: 0.1, boxes: [] },
  });
  for (const name of BAD.filter((n): n is string => typeof n === "string" && n !== "")) {
    assert.throws(
      () => readCaptureSettings({ RTSP_URL: "rtsp://cam/x", CAMERA_NAME: name }),
      /CAMERA_NAME must be/,
    );
    assert.throws(() => new ClipRecorder({ camera: name, videoDir: "video" }), /camera name must be/);
    assert.throws(() => parseTask(task(name)), /task\.camera must be/);
  }
  for (const name of GOOD) {
    assert.equal(readCaptureSettings({ RTSP_URL: "rtsp://cam/x", CAMERA_NAME: name }).cameras[0].name, name);
    assert.equal(parseTask(task(name)).camera, name);
  }
});
