/** The logger: JSON or text lines, levels, settings from the environment. */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/errors.ts";
import { createLogger, readLogSettings } from "../../lib/ops/logger.ts";

Deno.test("JSON lines carry time, level, component, message and fields; levels filter", () => {
  const lines: string[] = [];
  const log = createLogger({
    component: "capture",
    level: "info",
    format: "json",
    write: (l) => void lines.push(l),
  });
  log.debug("not shown");
  log.info("clip written", { camera: "front", seconds: 32.5 });
  log.warn("disconnected", { camera: "front" });
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0]);
  assert.equal(first.level, "info");
  assert.equal(first.component, "capture");
  assert.equal(first.msg, "clip written");
  assert.equal(first.camera, "front");
  assert.equal(first.seconds, 32.5);
  assert.ok(!Number.isNaN(Date.parse(first.ts)));
  assert.equal(JSON.parse(lines[1]).level, "warn");
});

Deno.test("text lines for people; the camera joins the component", () => {
  const lines: string[] = [];
  const log = createLogger({
    component: "capture",
    level: "debug",
    format: "text",
    write: (l) => void lines.push(l),
  });
  log.debug("frame", { camera: "yard" });
  log.error("gave up");
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z debug capture yard: frame$/);
  assert.match(lines[1], /^\S+ error capture: gave up$/);
});

Deno.test("LOG_LEVEL and LOG_FORMAT are checked", () => {
  assert.deepEqual(readLogSettings({}), { level: "info", format: "auto" });
  assert.deepEqual(readLogSettings({ LOG_LEVEL: "WARN", LOG_FORMAT: "json" }), {
    level: "warn",
    format: "json",
  });
  assert.throws(
    () => readLogSettings({ LOG_LEVEL: "loud" }),
    (e: unknown) => e instanceof ConfigError && /LOG_LEVEL/.test(e.message),
  );
  assert.throws(() => readLogSettings({ LOG_FORMAT: "xml" }), /LOG_FORMAT must be auto, json or text/);
});
