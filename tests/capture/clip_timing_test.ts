/** clip_timing: the clip timings' defaults and rules, shared by the recorder and the settings. */
import assert from "node:assert/strict";
import { CLIP_TIMING, clipTiming } from "../../lib/capture/clip_timing.ts";
import { readCaptureSettings } from "../../lib/ops/config.ts";

Deno.test("defaults: 30 s clips, 5 s pre-roll, 120 s cap, 5 s cool-down", () => {
  assert.deepEqual(clipTiming(), {
    clipSeconds: 30,
    prerollSeconds: 5,
    maxClipSeconds: 120,
    cooldownSeconds: 5,
  });
});

Deno.test("a clip longer than the default cap raises the cap with it, unless the cap is given", () => {
  assert.equal(clipTiming({ clipSeconds: 300 }).maxClipSeconds, 300);
  assert.throws(() => clipTiming({ clipSeconds: 300, maxClipSeconds: 200 }), /maxClipSeconds \(200\)/);
});

Deno.test("each bound is enforced with the option's name", () => {
  for (const [name, rule] of Object.entries(CLIP_TIMING)) {
    assert.throws(() => clipTiming({ [name]: rule.min - 1 }), new RegExp(`^RangeError: ${name} must be`));
    assert.throws(() => clipTiming({ [name]: rule.max + 1 }), new RegExp(`${name} must be`));
  }
});

Deno.test("the capture settings read the same defaults and bounds from the environment", () => {
  const env = { RTSP_URL: "rtsp://cam/x" };
  const s = readCaptureSettings(env);
  assert.deepEqual(
    { clipSeconds: s.clipSeconds, prerollSeconds: s.prerollSeconds, maxClipSeconds: s.maxClipSeconds },
    { clipSeconds: 30, prerollSeconds: 5, maxClipSeconds: 120 },
  );
  assert.equal(readCaptureSettings({ ...env, CLIP_SECONDS: "300" }).maxClipSeconds, 300);
  assert.throws(
    () => readCaptureSettings({ ...env, PREROLL_SECONDS: String(CLIP_TIMING.prerollSeconds.max + 1) }),
    /PREROLL_SECONDS must be a number between 0 and 600/,
  );
});
