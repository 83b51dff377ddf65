import assert from "node:assert/strict";
import sharp from "sharp";
import { grabFrame, previewMotion } from "../../lib/notebook/camera_preview.ts";
import { CameraEmulator } from "../../tools/camera_emulator.ts";
import { JUPYTER_DISPLAY } from "../../lib/notebook/displayable.ts";
import { MediaError } from "../../lib/errors.ts";
import { freePort } from "../../tools/free_port.ts";
import { repoPath } from "../helpers/media.ts";

const SAMPLE = repoPath("video/samples/vtest.mp4");

Deno.test("a frame from a file and from a camera with a login, full size, as PNG", async () => {
  const fromFile = await grabFrame(SAMPLE);
  assert.deepEqual([fromFile.width, fromFile.height, fromFile.data.length], [768, 576, 768 * 576 * 3]);
  assert.equal((await sharp(fromFile.png).metadata()).format, "png");
  assert.match(fromFile[JUPYTER_DISPLAY]()["text/plain"], /768x576/);

  await using camera = await CameraEmulator.start({ file: SAMPLE, user: "admin", password: "pa55word" });
  const live = await grabFrame(camera.url);
  assert.deepEqual([live.width, live.height], [768, 576]);
  // Not a blank frame: the footage has texture.
  const { channels } = await sharp(live.png).stats();
  assert.ok(channels[0].stdev > 10, `stdev ${channels[0].stdev}`);
});

Deno.test("no camera: a MediaError with ffmpeg's reason and the password masked", async () => {
  const port = await freePort();
  await assert.rejects(
    () => grabFrame(`rtsp://admin:pa55word@127.0.0.1:${port}/stream`, { timeoutSeconds: 2 }),
    (e: Error) => {
      assert.ok(e instanceof MediaError);
      assert.match(e.message, /no frame from rtsp:\/\/admin:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(e.message, /pa55word/);
      return true;
    },
  );
});

Deno.test("motion preview of the pedestrian footage: masks and boxes on the frames that moved", async () => {
  await using camera = await CameraEmulator.start({ file: SAMPLE });
  const preview = await previewMotion(camera.url, { seconds: 4, show: 3 });
  assert.ok(preview.updates.length >= 10, `${preview.updates.length} frames in 4 s at 5 fps`);
  assert.ok(preview.updates.some((u) => u.motion), "people walk: motion");
  assert.equal(preview.samples.length, 3, "one per slice of the watch: people move all the time");
  const spread = preview.samples.at(-1)!.frame.ts - preview.samples[0].frame.ts;
  assert.ok(spread > 1500, `samples spread over the watch (${spread} ms)`);
  for (const s of preview.samples) {
    assert.ok(s.update.motion && s.update.boxes.length > 0);
    assert.equal(s.mask.length, s.frame.width * s.frame.height);
    assert.ok(s.mask.some((v) => v === 1), "the mask marks the moving pixels");
  }
  const times = preview.samples.map((s) => s.frame.ts);
  assert.deepEqual(times, [...times].sort((a, b) => a - b), "in time order");
  const strip = await preview.strip();
  assert.ok(strip.width > 3 * 200, `strip ${strip.width}x${strip.height}`);
});
