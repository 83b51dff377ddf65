/**
 * The layout's rules, checked on the module graphs: the pipeline surface loads no notebook
 * packages, nothing outside lib/notebook/ imports it, lib/ never imports the development tools,
 * and each folder of lib/ imports only the folders its section of docs/architecture.md allows.
 */
import assert from "node:assert/strict";
import { repoPath } from "./helpers/media.ts";

interface ModuleInfo {
  readonly specifier: string;
  readonly dependencies?: readonly { readonly code?: { readonly specifier?: string } }[];
}

/** An entry point's module graph and the npm packages it imports, from `deno info --json`. */
async function graph(entry: string): Promise<{ modules: ModuleInfo[]; npm: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: repoPath("."),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  // The graph's npm entry points (`npm:/ioredis@5.11.1`): the packages its modules import.
  const npm = (info.modules as ModuleInfo[]).map((m) => m.specifier).filter((s) => s.startsWith("npm:"))
    .map((s) => s.replace(/^npm:\/?/, ""));
  return { modules: info.modules, npm };
}

const NOTEBOOK_PACKAGES = /^(@observablehq\/plot|linkedom|nodejs-polars|yaml)@/;

Deno.test("the pipeline surface (mod.ts) holds no Plot, linkedom, polars or yaml; the notebook surface does", async () => {
  const pipeline = await graph("mod.ts");
  assert.deepEqual(pipeline.npm.filter((p) => NOTEBOOK_PACKAGES.test(p)), []);
  assert.ok(pipeline.npm.some((p) => p.startsWith("ioredis@")), "the graph was read (ioredis is in it)");
  const notebook = await graph("notebook.ts");
  for (const name of ["@observablehq/plot", "linkedom", "nodejs-polars"]) {
    assert.ok(notebook.npm.some((p) => p.startsWith(`${name}@`)), `notebook.ts loads ${name}`);
  }
});

/** Which lib/ folders each folder may import (besides itself and the shared lib/errors.ts, lib/number_setting.ts, lib/geometry.ts). */
const ALLOWED: Record<string, readonly string[]> = {
  media: [],
  yolo: ["media"],
  capture: ["media", "ops"],
  queue: ["capture", "yolo", "media", "ops"],
  ops: ["capture", "queue", "yolo", "media"],
  notebook: ["capture", "queue", "yolo", "media", "ops"],
};

Deno.test("each lib/ folder imports only what its place in the pipeline allows; lib/ never imports tools/", async () => {
  const { modules } = await graph("notebook.ts"); // the widest graph: every folder is in it
  const root = new URL("../", import.meta.url).href;
  const folderOf = (url: string) => /^lib\/([a-z]+)\//.exec(url.slice(root.length))?.[1];
  let edges = 0;
  for (const m of modules) {
    const from = folderOf(m.specifier);
    if (!from) continue;
    for (const d of m.dependencies ?? []) {
      const target = d.code?.specifier;
      if (!target?.startsWith(root)) continue;
      const path = target.slice(root.length);
      assert.ok(!path.startsWith("tools/"), `${m.specifier.slice(root.length)} imports ${path}`);
      const to = folderOf(target);
      if (!to || to === from) continue;
      edges++;
      assert.ok(
        ALLOWED[from].includes(to),
        `lib/${from} may not import ${path} (from ${m.specifier.slice(root.length)})`,
      );
    }
  }
  assert.ok(edges > 10, `cross-folder imports were seen (${edges})`);
});
