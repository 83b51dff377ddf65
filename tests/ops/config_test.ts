import assert from "node:assert/strict";
import {
  numberVar,
  parseSampleFps,
  readAnalyzerSettings,
  readCaptureSettings,
  readQueueSettings,
  readTrackingSettings,
  readVar,
  readWorkerSettings,
  trackingFor,
} from "../../lib/ops/config.ts";
import { TRACKER_SETTINGS } from "../../lib/yolo/object_tracker.ts";
import { CONFIRMATION_SETTINGS } from "../../lib/yolo/track_confirmation.ts";
import { CamwatchError, ConfigError } from "../../lib/errors.ts";

/** Asserts `fn` throws a ConfigError whose message names `name`. */
function throwsNaming(fn: () => unknown, name: string, what = name) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `${what}: ${e}`);
    assert.ok(e instanceof CamwatchError);
    assert.equal(e.name, "ConfigError");
    assert.ok(
      e.message.includes(name),
      `${what}: message ${JSON.stringify(e.message)} does not name ${name}`,
    );
    return true;
  });
}

Deno.test("readAnalyzerSettings: defaults with an empty environment", () => {
  assert.deepEqual(readAnalyzerSettings({}), {
    model: undefined,
    confidence: 0.25,
    iou: 0.7,
    threads: 1,
    sampleFps: 2,
  });
});

Deno.test("readAnalyzerSettings: empty and blank values count as unset", () => {
  const s = readAnalyzerSettings({ YOLO_MODEL: "", YOLO_CONF: "  ", YOLO_IOU: "''", SAMPLE_FPS: '""' });
  assert.deepEqual(s, { model: undefined, confidence: 0.25, iou: 0.7, threads: 1, sampleFps: 2 });
});

Deno.test("readAnalyzerSettings: values as set, quoted or padded as in .env files", () => {
  const s = readAnalyzerSettings({
    YOLO_MODEL: " 'models/custom.onnx' ",
    YOLO_CONF: "'0.4'",
    YOLO_IOU: '"0.5"',
    YOLO_THREADS: " 4 ",
    SAMPLE_FPS: "5",
    UNRELATED: "ignored",
  });
  assert.deepEqual(s, { model: "models/custom.onnx", confidence: 0.4, iou: 0.5, threads: 4, sampleFps: 5 });
});

Deno.test("readAnalyzerSettings: bounds are inclusive", () => {
  assert.equal(readAnalyzerSettings({ YOLO_CONF: "0" }).confidence, 0);
  assert.equal(readAnalyzerSettings({ YOLO_CONF: "1" }).confidence, 1);
  assert.equal(readAnalyzerSettings({ YOLO_IOU: "1.0" }).iou, 1);
  assert.equal(readAnalyzerSettings({ YOLO_THREADS: "1" }).threads, 1);
  assert.equal(readAnalyzerSettings({ YOLO_THREADS: "256" }).threads, 256);
});

Deno.test("readAnalyzerSettings: bad YOLO_CONF -> ConfigError naming YOLO_CONF", () => {
  for (const value of ["high", "1.5", "-0.1", "NaN", "Infinity", "0.4.1"]) {
    throwsNaming(() => readAnalyzerSettings({ YOLO_CONF: value }), "YOLO_CONF", `YOLO_CONF=${value}`);
  }
  // the message quotes the value too
  assert.throws(() => readAnalyzerSettings({ YOLO_CONF: "high" }), /"high"/);
});

Deno.test("readAnalyzerSettings: bad YOLO_IOU -> ConfigError naming YOLO_IOU", () => {
  throwsNaming(() => readAnalyzerSettings({ YOLO_IOU: "2" }), "YOLO_IOU");
  throwsNaming(() => readAnalyzerSettings({ YOLO_IOU: "x" }), "YOLO_IOU");
});

Deno.test("readAnalyzerSettings: YOLO_THREADS must be a whole number from 1", () => {
  for (const value of ["0", "1.5", "-2", "257", "many"]) {
    throwsNaming(
      () => readAnalyzerSettings({ YOLO_THREADS: value }),
      "YOLO_THREADS",
      `YOLO_THREADS=${value}`,
    );
  }
  assert.throws(() => readAnalyzerSettings({ YOLO_THREADS: "1.5" }), /an integer/);
});

Deno.test("readAnalyzerSettings: SAMPLE_FPS takes 'all' or a positive number", () => {
  assert.equal(readAnalyzerSettings({ SAMPLE_FPS: "all" }).sampleFps, "all");
  assert.equal(readAnalyzerSettings({ SAMPLE_FPS: "ALL" }).sampleFps, "all");
  assert.equal(readAnalyzerSettings({ SAMPLE_FPS: "'all'" }).sampleFps, "all");
  assert.equal(readAnalyzerSettings({ SAMPLE_FPS: "0.5" }).sampleFps, 0.5);
  assert.equal(readAnalyzerSettings({ SAMPLE_FPS: "30" }).sampleFps, 30);
  for (const value of ["0", "-1", "fast", "Infinity"]) {
    throwsNaming(() => readAnalyzerSettings({ SAMPLE_FPS: value }), "SAMPLE_FPS", `SAMPLE_FPS=${value}`);
  }
});

Deno.test("readVar: trims and unquotes matching quotes only", () => {
  assert.equal(readVar({ A: "  x  " }, "A"), "x");
  assert.equal(readVar({ A: "'x y'" }, "A"), "x y");
  assert.equal(readVar({ A: '"x"' }, "A"), "x");
  assert.equal(readVar({ A: "'x\"" }, "A"), "'x\""); // mismatched quotes stay
  assert.equal(readVar({}, "A"), undefined);
  assert.equal(readVar({ A: undefined }, "A"), undefined);
  assert.equal(readVar({ A: "" }, "A"), undefined);
});

Deno.test("numberVar: fallback, bounds and message wording", () => {
  assert.equal(numberVar({}, "N", 7), 7);
  assert.equal(numberVar({ N: "-3.5" }, "N", 7), -3.5);
  assert.throws(() => numberVar({ N: "0" }, "N", 7, { min: 1 }), /N must be a number of at least 1, got "0"/);
  assert.throws(
    () => numberVar({ N: "2" }, "N", 7, { min: 0, max: 1 }),
    /N must be a number between 0 and 1, got "2"/,
  );
  assert.throws(() => numberVar({ N: "x" }, "N", 7), /N must be a number, got "x"/);
});

Deno.test("parseSampleFps: names the setting it is given", () => {
  assert.equal(parseSampleFps("2.5", "--fps"), 2.5);
  assert.equal(parseSampleFps("All", "--fps"), "all");
  throwsNaming(() => parseSampleFps("0", "--fps"), "--fps");
});

Deno.test("readCaptureSettings: one camera from RTSP_URL with the defaults", () => {
  const s = readCaptureSettings({ RTSP_URL: "rtsp://u:p@cam.local/stream", CAMERA_NAME: "front" });
  assert.equal(s.videoDir, "video");
  assert.equal(s.clipSeconds, 30);
  assert.equal(s.prerollSeconds, 5);
  assert.equal(s.maxClipSeconds, 120);
  assert.deepEqual(s.cameras, [{
    name: "front",
    url: "rtsp://u:p@cam.local/stream",
    transport: "tcp",
    threshold: 25,
    minArea: 0.002,
    masks: [],
    audio: true,
  }]);
  // CLIP_SECONDS above the default maximum raises the maximum with it.
  assert.equal(readCaptureSettings({ RTSP_URL: "rtsp://c/s", CLIP_SECONDS: "300" }).maxClipSeconds, 300);
});

Deno.test("readCaptureSettings: several cameras from CAMERAS_FILE, the environment as defaults", () => {
  const file = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        cameras: [
          { name: "front", url: "rtsp://10.0.0.5/a" },
          {
            name: "yard",
            url: "rtsp://10.0.0.6/b",
            transport: "udp",
            minArea: 0.01,
            masks: [[[0, 0], [1, 0], [1, 0.1]]],
          },
        ],
      }),
    );
    const s = readCaptureSettings({ CAMERAS_FILE: file, MOTION_THRESHOLD: "40", RTSP_URL: "ignored" });
    assert.deepEqual(s.cameras.map((c) => [c.name, c.transport, c.threshold, c.minArea, c.masks.length]), [
      ["front", "tcp", 40, 0.002, 0],
      ["yard", "udp", 40, 0.01, 1],
    ]);
    Deno.writeTextFileSync(
      file,
      JSON.stringify({ cameras: [{ name: "a", url: "rtsp://x/1" }, { name: "a", url: "rtsp://x/2" }] }),
    );
    assert.throws(() => readCaptureSettings({ CAMERAS_FILE: file }), /camera name 'a' is used twice/);
    Deno.writeTextFileSync(
      file,
      JSON.stringify({ cameras: [{ name: "a", url: "rtsp://x/1", masks: [[[0, 0], [2, 2]]] }] }),
    );
    assert.throws(
      () => readCaptureSettings({ CAMERAS_FILE: file }),
      /cameras\[0\]\.masks must be a list of polygons/,
    );
    Deno.writeTextFileSync(file, "{ not json");
    assert.throws(() => readCaptureSettings({ CAMERAS_FILE: file }), ConfigError);
  } finally {
    Deno.removeSync(file);
  }
});

Deno.test("readCaptureSettings: DETECT_URL, AUDIO and FFMPEG_HWACCEL; detectUrl and audio in the cameras file", () => {
  const s = readCaptureSettings({
    RTSP_URL: "rtsp://u:p@cam/main",
    DETECT_URL: "rtsp://u:p@cam/sub",
    AUDIO: "off",
    FFMPEG_HWACCEL: "vaapi",
  });
  assert.equal(s.cameras[0].detectUrl, "rtsp://u:p@cam/sub");
  assert.equal(s.cameras[0].audio, false);
  assert.equal(s.hwaccel, "vaapi");
  assert.equal(readCaptureSettings({ RTSP_URL: "rtsp://c/s", AUDIO: "On" }).cameras[0].audio, true);
  assert.equal(readCaptureSettings({ RTSP_URL: "rtsp://c/s" }).hwaccel, undefined);
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", AUDIO: "mute" }),
    /AUDIO must be on or off, got "mute"/,
  );
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", FFMPEG_HWACCEL: "gpu" }),
    /FFMPEG_HWACCEL must be one of auto, vaapi, qsv, cuda, .*, got "gpu"/,
  );
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", DETECT_URL: "rtsp://admin:s3cr#t@cam/sub" }),
    (e: Error) =>
      /^DETECT_URL holds a password its URL cannot carry/.test(e.message) && !e.message.includes("s3cr"),
  );
  const file = cameraFile([
    { name: "a", url: "rtsp://cam/main", detectUrl: "rtsp://cam/sub", audio: false },
    { name: "b", url: "rtsp://cam2/main" },
  ]);
  const cams = readCaptureSettings({ CAMERAS_FILE: file, AUDIO: "on" }).cameras;
  assert.deepEqual(cams.map((c) => [c.detectUrl, c.audio]), [["rtsp://cam/sub", false], [undefined, true]]);
  assert.throws(
    () =>
      readCaptureSettings({
        CAMERAS_FILE: cameraFile([{ name: "a", url: "rtsp://c/m", detectUrl: "ftp://c/s" }]),
      }),
    /cameras\[0\]\.detectUrl must be an rtsp:\/\//,
  );
});

Deno.test("readCaptureSettings: bad values name their variable; passwords stay masked", () => {
  assert.throws(() => readCaptureSettings({}), /RTSP_URL is not set/);
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", CLIP_SECONDS: "60", MAX_CLIP_SECONDS: "30" }),
    /MAX_CLIP_SECONDS \(30\) must be at least CLIP_SECONDS \(60\)/,
  );
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", RTSP_TRANSPORT: "sctp" }),
    /RTSP_TRANSPORT must be tcp or udp/,
  );
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", CAMERA_NAME: "a/b" }),
    /CAMERA_NAME must be/,
  );
  assert.throws(
    () => readCaptureSettings({ RTSP_URL: "rtsp://c/s", PREROLL_SECONDS: "-1" }),
    /PREROLL_SECONDS/,
  );
  try {
    readCaptureSettings({ RTSP_URL: "gopher://admin:s3cret@cam/s" });
    assert.fail("accepted a gopher URL");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.doesNotMatch(e.message, /s3cret/);
    assert.match(e.message, /admin:\*\*\*@cam/);
  }
  // A password its URL cannot carry (an unencoded '/' and '#') stops at start, explained, never shown.
  for (
    const env of [
      { RTSP_URL: "rtsp://admin:pa/ss#9@cam/stream" },
      { CAMERAS_FILE: cameraFile([{ name: "a", url: "rtsp://admin:pa/ss#9@cam/stream" }]) },
    ]
  ) {
    try {
      readCaptureSettings(env);
      assert.fail("accepted a password that sends the request to the wrong host");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.match(
        e.message,
        /^(RTSP_URL|CAMERAS_FILE \S+: cameras\[0\]\.url) holds a password its URL cannot carry: the password holds an unencoded "\/" and "#"/,
      );
      assert.match(e.message, /%2F for \//);
      assert.doesNotMatch(e.message, /pa\/ss|ss#9/);
    }
  }
  assert.equal(readCaptureSettings({ RTSP_URL: "rtsp://admin:pa%2Fss%239@cam/stream" }).cameras.length, 1);
});

/** A cameras file in a temporary file, removed when the test process ends. */
function cameraFile(cameras: unknown[]): string {
  const file = Deno.makeTempFileSync({ suffix: ".json" });
  Deno.writeTextFileSync(file, JSON.stringify({ cameras }));
  globalThis.addEventListener("unload", () => Deno.removeSync(file));
  return file;
}

Deno.test("readQueueSettings: REDIS_URL, or the prototype's RDS_* names; bad values named", () => {
  assert.deepEqual(readQueueSettings({}), { redis: undefined, stream: "video_queue" });
  assert.deepEqual(readQueueSettings({ REDIS_URL: "rediss://:pw@redis.example:6380/2" }), {
    redis: "rediss://:pw@redis.example:6380/2",
    stream: "video_queue",
  });
  // The prototype's variables, with its quoted stream name.
  assert.deepEqual(
    readQueueSettings({ RDS_HOST: "redis", RDS_PORT: "6380", RDS_PSW: "22", RDSQ_OUTMSG: '"clips"' }),
    {
      redis: { host: "redis", port: 6380, password: "22" },
      stream: "clips",
    },
  );
  assert.throws(
    () => readQueueSettings({ REDIS_URL: "http://:pw@h:1" }),
    (e: unknown) =>
      e instanceof ConfigError && /REDIS_URL must be redis:\/\//.test(e.message) &&
      !e.message.includes(":pw@"),
  );
  assert.throws(
    () => readQueueSettings({ RDS_HOST: "h", RDS_PORT: "99999" }),
    /RDS_PORT must be an integer between 1 and 65535/,
  );
  assert.throws(() => readQueueSettings({ RDSQ_OUTMSG: "a b" }), /RDSQ_OUTMSG must be a stream name/);
});

Deno.test("readWorkerSettings: defaults and bounds", () => {
  const s = readWorkerSettings({ VIDEO_DIR: "/srv/video" });
  assert.equal(s.logPath, "/srv/video/detections.d");
  assert.equal(s.concurrency, 1);
  assert.equal(s.visibilitySeconds, 300);
  assert.equal(s.maxAttempts, 3);
  assert.throws(() => readWorkerSettings({ WORKER_CONCURRENCY: "0" }), /WORKER_CONCURRENCY/);
  assert.throws(
    () => readWorkerSettings({ TASK_MAX_ATTEMPTS: "1.5" }),
    /TASK_MAX_ATTEMPTS must be an integer/,
  );
});

Deno.test("readWorkerSettings: EVIDENCE on by default, off when asked, a bad value named", () => {
  assert.equal(readWorkerSettings({}).evidence, true);
  assert.equal(readWorkerSettings({ EVIDENCE: "off" }).evidence, false);
  throwsNaming(() => readWorkerSettings({ EVIDENCE: "maybe" }), "EVIDENCE");
});

Deno.test("readTrackingSettings: defaults from the rules' definitions; env values checked against their bounds", () => {
  const d = readTrackingSettings({}).defaults;
  assert.equal(d.minScore, CONFIRMATION_SETTINGS.minScore.default);
  assert.equal(d.minFrames, CONFIRMATION_SETTINGS.minFrames.default);
  assert.equal(d.stationaryIou, CONFIRMATION_SETTINGS.stationaryIou.default);
  assert.equal(d.highScore, TRACKER_SETTINGS.highScore.default);
  assert.equal(d.maxLostSeconds, TRACKER_SETTINGS.maxLostSeconds.default);
  assert.equal(d.zones, undefined);
  const s = readTrackingSettings({
    TRACK_MIN_SCORE: "0.6",
    TRACK_MIN_FRAMES: "3",
    TRACK_MAX_LOST_SECONDS: "4",
  });
  assert.deepEqual([s.defaults.minScore, s.defaults.minFrames, s.defaults.maxLostSeconds], [0.6, 3, 4]);
  throwsNaming(() => readTrackingSettings({ TRACK_MIN_SCORE: "1.5" }), "TRACK_MIN_SCORE");
  throwsNaming(() => readTrackingSettings({ TRACK_MIN_FRAMES: "1.5" }), "TRACK_MIN_FRAMES");
  throwsNaming(() => readTrackingSettings({ STATIONARY_IOU: "-1" }), "STATIONARY_IOU");
  throwsNaming(() => readTrackingSettings({ TRACK_HIGH_SCORE: "x" }), "TRACK_HIGH_SCORE");
});

Deno.test("readTrackingSettings: ZONES, OBJECT_FILTERS, OBJECT_MASKS as JSON for one camera; mistakes named", () => {
  const s = readTrackingSettings({
    ZONES: '[{"name": "door", "points": [[0, 0.5], [0.3, 0.5], [0.3, 1]]}]',
    OBJECT_FILTERS: '{"person": {"minScore": 0.6, "maxArea": 0.5}}',
    OBJECT_MASKS: "[[[0, 0], [1, 0], [1, 0.1]]]",
  });
  const front = trackingFor(s, "front");
  assert.deepEqual(front.zones, [{ name: "door", points: [[0, 0.5], [0.3, 0.5], [0.3, 1]] }]);
  assert.deepEqual(front.filters, { person: { minScore: 0.6, maxArea: 0.5 } });
  assert.deepEqual(front.masks, [[[0, 0], [1, 0], [1, 0.1]]]);
  throwsNaming(() => readTrackingSettings({ ZONES: "[{" }), "ZONES must be JSON");
  assert.throws(
    () => readTrackingSettings({ ZONES: '[{"name": "a b", "points": [[0, 0], [1, 0], [1, 1]]}]' }),
    /ZONES .*must be a list of zones/,
  );
  assert.throws(
    () =>
      readTrackingSettings({
        ZONES:
          '[{"name": "a", "points": [[0, 0], [1, 0], [1, 1]]}, {"name": "a", "points": [[0, 0], [1, 0], [1, 1]]}]',
      }),
    /ZONES zone "a" is named twice/,
  );
  assert.throws(
    () => readTrackingSettings({ OBJECT_FILTERS: '{"car": {"minArea": 0.5, "maxArea": 0.1}}' }),
    /OBJECT_FILTERS filter for "car": minArea 0.5 is above maxArea 0.1/,
  );
  assert.throws(() => readTrackingSettings({ OBJECT_FILTERS: '{"car": {"minArea": 2}}' }), /OBJECT_FILTERS/);
  assert.throws(() => readTrackingSettings({ OBJECT_MASKS: "[[[0, 0], [1, 0]]]" }), /OBJECT_MASKS/);
});

Deno.test("readTrackingSettings: each camera of CAMERAS_FILE its own zones, filters and object masks; others the env's", () => {
  const file = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        cameras: [
          {
            name: "yard",
            url: "rtsp://cam/1",
            masks: [[[0, 0], [1, 0], [1, 0.1]]],
            zones: [{ name: "gate", points: [[0, 0], [0.5, 0], [0.5, 1]] }],
            filters: { car: { minArea: 0.01 } },
            objectMasks: [[[0, 0.9], [1, 0.9], [1, 1]]],
          },
          { name: "front", url: "rtsp://cam/2" },
        ],
      }),
    );
    const s = readTrackingSettings({
      CAMERAS_FILE: file,
      TRACK_MIN_FRAMES: "3",
      ZONES: '[{"name": "door", "points": [[0, 0.5], [0.3, 0.5], [0.3, 1]]}]',
    });
    assert.equal(s.camerasFile, file);
    const yard = trackingFor(s, "yard");
    assert.deepEqual(yard.zones?.map((z) => z.name), ["gate"]);
    assert.deepEqual(yard.filters, { car: { minArea: 0.01 } });
    assert.deepEqual(yard.masks, [[[0, 0.9], [1, 0.9], [1, 1]]], "objectMasks, not the motion masks");
    assert.equal(yard.minFrames, 3);
    assert.deepEqual(
      trackingFor(s, "front").zones?.map((z) => z.name),
      ["door"],
      "the env's for a camera without",
    );
    assert.deepEqual(
      trackingFor(s, "test").zones?.map((z) => z.name),
      ["door"],
      "and for one not in the file",
    );
  } finally {
    Deno.removeSync(file);
  }
});
