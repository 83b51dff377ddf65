/**
 * Our preprocessing against OpenCV's and Ultralytics' own output, value for value. The
 * reference digests come from tests/fixtures/opencv_reference.py (run with OpenCV 4.6), so a
 * change of resize rounding, of padding, of image decoding or of frame decoding shows here.
 */
import assert from "node:assert/strict";
import { decodeImage } from "../../lib/media/image.ts";
import { readVideoFrames } from "../../lib/media/video_frames.ts";
import { fillInputTensor } from "../../lib/yolo/input_tensor.ts";
import { letterbox, planLetterbox } from "../../lib/yolo/letterbox.ts";
import { resizeLinear } from "../../lib/yolo/resize_linear.ts";
import { pseudoRandomBytes, sha256Hex } from "../helpers/pseudo_random.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const reference = JSON.parse(await Deno.readTextFile(new URL("opencv_reference.json", fixtures)));

Deno.test("resizeLinear matches cv2.resize(INTER_LINEAR) byte for byte", async (t) => {
  for (const c of reference.resize) {
    const [sw, sh] = c.src;
    const [dw, dh] = c.dst;
    await t.step(`${sw}x${sh} -> ${dw}x${dh}`, async () => {
      const src = pseudoRandomBytes(c.seed, sw * sh * 3);
      assert.equal(await sha256Hex(resizeLinear(src, sw, sh, 3, dw, dh)), c.sha256);
    });
  }
});

Deno.test("letterbox and input tensor match Ultralytics' preprocessing on real photos", async (t) => {
  for (const c of reference.letterbox) {
    await t.step(`${c.image} at ${c.imgsz}${c.auto ? " (auto)" : ""}`, async () => {
      const img = await decodeImage(new URL(c.image, fixtures));
      const plan = planLetterbox(img.width, img.height, [c.imgsz, c.imgsz], { auto: c.auto });
      for (const key of Object.keys(c.plan)) {
        assert.equal(plan[key as keyof typeof plan], c.plan[key], `plan.${key}`);
      }
      const padded = letterbox(img.data, plan);
      assert.equal(await sha256Hex(padded), c.rgb_sha256, "letterboxed pixels");
      const tensor = fillInputTensor(padded, plan.outWidth, plan.outHeight, "float32");
      assert.equal(await sha256Hex(tensor), c.tensor_sha256, "float32 NCHW tensor");
    });
  }
});

Deno.test("video frames decode to the pixels cv2.VideoCapture gives", async () => {
  const path = new URL(`../../${reference.video}`, import.meta.url).pathname;
  const wanted = new Map<number, string>(
    reference.video_frames.map((f: { frame: number; rgb_sha256: string }) => [f.frame, f.rgb_sha256]),
  );
  const last = Math.max(...wanted.keys());
  let checked = 0;
  for await (const frame of readVideoFrames(path, { sampleFps: "all" })) {
    const sha = wanted.get(frame.index);
    if (sha) {
      assert.equal(await sha256Hex(frame.data), sha, `frame ${frame.index}`);
      checked++;
    }
    if (frame.index >= last) break;
  }
  assert.equal(checked, wanted.size);
});
