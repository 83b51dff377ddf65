import assert from "node:assert/strict";
import { numberVar, parseSampleFps, readAnalyzerSettings, readVar } from "../lib/config.ts";
import { CamwatchError, ConfigError } from "../lib/errors.ts";

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
