/** number_setting: the shared rule for numeric options and variables. */
import assert from "node:assert/strict";
import { checkSetting, describeSetting, fitsSetting } from "../lib/number_setting.ts";

Deno.test("describeSetting says what is accepted", () => {
  assert.equal(describeSetting({ min: 1, max: 255 }), "a number between 1 and 255");
  assert.equal(describeSetting({ min: 1, integer: true }), "an integer of at least 1");
  assert.equal(describeSetting({ min: -Infinity, max: 3 }), "a number of at most 3");
  assert.equal(describeSetting({ min: -Infinity }), "a number");
});

Deno.test("fitsSetting: bounds are inclusive; NaN, infinities, strings and fractions for integers fail", () => {
  const range = { min: 0, max: 1 };
  assert.ok(fitsSetting(0, range) && fitsSetting(1, range) && fitsSetting(0.5, range));
  for (const bad of [-0.001, 1.001, NaN, Infinity, "0.5", null, undefined]) {
    assert.equal(fitsSetting(bad, range), false, String(bad));
  }
  assert.equal(fitsSetting(2.5, { min: 1, integer: true }), false);
  assert.equal(fitsSetting(Infinity, { min: 1 }), false);
});

Deno.test("checkSetting: the default when undefined, a RangeError naming the option otherwise", () => {
  const rule = { default: 25, min: 1, max: 255 };
  assert.equal(checkSetting("threshold", undefined, rule), 25);
  assert.equal(checkSetting("threshold", 255, rule), 255);
  assert.throws(
    () => checkSetting("motion threshold", 0, rule),
    (e) =>
      e instanceof RangeError && e.message === "motion threshold must be a number between 1 and 255, got 0",
  );
});
