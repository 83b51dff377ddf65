/**
 * typed_frame: explicit column types, also for empty frames and lists of strings; schemas of
 * records; bad schemas named.
 */
import assert from "node:assert/strict";
import { compare, dateOrNull, finite, recordFrame, typedFrame } from "../../lib/notebook/typed_frame.ts";

Deno.test("typedFrame and recordFrame keep types and columns, empty or not", async () => {
  const df = await recordFrame("when:datetime name:str n:u32 x:f64 ok:bool tags:str[]", [
    { when: Date.parse("2026-02-23T08:00:00Z"), name: "a", n: 3, x: 0.5, ok: true, tags: ["p", "q"] },
    { when: NaN, name: null, n: 0, ok: false, tags: [] },
  ]);
  assert.deepEqual(df.columns, ["when", "name", "n", "x", "ok", "tags"]);
  const kinds = df.dtypes.map(String);
  for (
    const [k, kind] of [/Datetime\(ms/, /String/, /UInt32/, /Float64/, /Bool/, /List\(.*String/].entries()
  ) {
    assert.match(kinds[k], kind);
  }
  assert.equal(
    (df.getColumn("when").toArray()[0] as unknown as Date).toISOString(),
    "2026-02-23T08:00:00.000Z",
  );
  assert.deepEqual(df.getColumn("when").toArray()[1], null);
  assert.deepEqual(df.getColumn("n").toArray(), [3, 0]);
  assert.deepEqual(df.getColumn("x").toArray(), [0.5, null]);
  assert.deepEqual(df.getColumn("name").toArray(), ["a", null]);
  assert.deepEqual(df.getColumn("tags").toArray(), [["p", "q"], []]);

  const empty = await typedFrame([["tags", "str[]", []], ["n", "u32", []]]);
  assert.equal(empty.height, 0);
  assert.match(String(empty.getColumn("tags").dtype), /List/);
  assert.match(String(empty.getColumn("n").dtype), /UInt32/);

  await assert.rejects(() => recordFrame("name", []), /schema field must be "name:kind", got "name"/);
  await assert.rejects(() => recordFrame("name:text", []), /column name: unknown kind "text"/);
});

Deno.test("cell helpers: finite, dateOrNull, compare", () => {
  assert.deepEqual([finite(3), finite(NaN), finite("3"), finite(Infinity)], [3, null, null, null]);
  assert.equal(dateOrNull(0)?.toISOString(), "1970-01-01T00:00:00.000Z");
  assert.equal(dateOrNull(NaN), null);
  assert.deepEqual(["yard", "Front", "front"].sort(compare), ["Front", "front", "yard"]);
});
