import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  base64,
  escapeHtml,
  JUPYTER_DISPLAY,
  pngDisplay,
  tableDisplay,
  tableHtml,
} from "../../lib/notebook/displayable.ts";

Deno.test("base64 of large and small byte arrays matches btoa", () => {
  const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) % 256);
  assert.equal(
    base64(big),
    btoa(String.fromCharCode(...big.subarray(0, 60_000))).slice(0, 10) + base64(big).slice(10),
  );
  assert.equal(atob(base64(big)).length, big.length);
  assert.equal(atob(base64(big)).charCodeAt(99_999), big[99_999]);
  assert.equal(base64(new Uint8Array([1, 2, 3])), "AQID");
  assert.equal(pngDisplay(new Uint8Array([1, 2, 3]), "x")[JUPYTER_DISPLAY]()["image/png"], "AQID");
});

Deno.test("HTML escaping covers markup and both quotes", () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;");
});

Deno.test("tables: escaped cells, local dates, rounded fractions, row cap, none", () => {
  const html = tableHtml(
    [{ camera: "<front>", at: new Date(2026, 1, 23, 14, 46, 57), score: 0.87654, n: 3 }, {
      camera: "yard",
      extra: [1],
    }],
    "Clips & more",
  );
  assert.match(html, /<caption[^>]*><b>Clips &amp; more<\/b><\/caption>/);
  assert.match(html, /<th>camera<\/th><th>at<\/th><th>score<\/th><th>n<\/th><th>extra<\/th>/);
  assert.match(
    html,
    /<td>&lt;front&gt;<\/td><td>2026-02-23 14:46:57<\/td><td>0\.877<\/td><td>3<\/td><td><\/td>/,
  );
  assert.match(html, /<td>yard<\/td><td><\/td><td><\/td><td><\/td><td>\[1\]<\/td>/);
  assert.match(tableHtml([], "Empty"), /<i>none<\/i>/);
  const many = Array.from({ length: 60 }, (_, i) => ({ i }));
  assert.match(tableHtml(many, "Many", 10), /… 50 more rows/);
  assert.equal(tableHtml(many, "Many", 10).match(/<tr><td>/g)?.length, 10);
});

Deno.test("a polars DataFrame shows as a table, with a text fallback", () => {
  const df = pl.DataFrame({ label: ["person", "car"], clips: [12, 3] });
  const bundle = tableDisplay(df, "Clips per class")[JUPYTER_DISPLAY]();
  assert.match(bundle["text/html"], /<td>person<\/td><td>12<\/td>/);
  assert.equal(bundle["text/plain"], "Clips per class\nlabel\tclips\nperson\t12\ncar\t3");
});
