/**
 * Import benchmark: what importing each public surface costs a process that starts fresh, in
 * time and resident memory, next to an empty module imported the same way in the same run.
 * Capture and workers are long-lived but restart (deploys, crashes, `--scale`), and the notebook
 * surface's packages (Observable Plot, linkedom, nodejs-polars) must stay out of the pipeline's.
 *
 * Each measurement is its own `deno run` of a small probe, with the worker task's permission
 * flags (read from deno.json, so they cannot drift): the probe times `await import(surface)`,
 * then reads its resident memory with `Deno.memoryUsage().rss` (the VmRSS of
 * /proc/self/status, which Deno lets a process read only with --allow-all, more than the
 * worker is given). The surfaces and the baseline are measured in turns after one warm-up round (which
 * fills Deno's transpile cache), and medians are reported. The module graphs come from
 * `deno info --json`: a package is "loaded" when static imports reach it, "on use" when only a
 * dynamic `import()` does.
 *
 * Nothing is reported that was not measured: a probe that fails, does not exit, or imports a
 * module with no exports, and a graph with a missing module, stop the benchmark with the reason.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The packages the pipeline surface must not load. */
export const NOTEBOOK_PACKAGES = ["@observablehq/plot", "linkedom", "nodejs-polars"] as const;

/** How a module graph holds a package. */
export type PackageUse = "loaded" | "on use" | "absent";

/** What to measure. */
export interface ImportBenchOptions {
  /** the project's root, where deno.json is */
  readonly root: string;
  /**
   * Surfaces to import, as paths relative to the root.
   * @default ["mod.ts", "lib/queue/mod.ts", "notebook.ts"]
   */
  readonly surfaces?: readonly string[];
  /**
   * Measured runs of each surface (after one warm-up round).
   * @default 5
   */
  readonly runs?: number;
  /**
   * A probe that has not exited after this long fails the benchmark, in ms.
   * @default 120000
   */
  readonly timeoutMs?: number;
}

/** One fresh process importing one module. */
export interface ImportSample {
  /** `await import()` of the module, ms */
  readonly importMs: number;
  /** the whole `deno run`, from spawn to exit, ms */
  readonly processMs: number;
  /** resident memory after the import, bytes */
  readonly rssBytes: number;
}

/** A surface's (or the baseline's) medians, and what its module graph holds. */
export interface ImportRow {
  /** the surface's path relative to the root, or "baseline" */
  readonly name: string;
  /** median of the samples */
  readonly median: ImportSample;
  /** every measured sample, in order */
  readonly samples: readonly ImportSample[];
  /** exports the module had (a check that it imported something) */
  readonly exports: number;
  /** the notebook packages in its module graph; empty for the baseline */
  readonly packages: Readonly<Record<string, PackageUse>>;
  /** the npm packages its static imports load (direct ones: sharp, ioredis, …) */
  readonly loadedNpm: readonly string[];
}

/** What the import benchmark found. */
export interface ImportBenchResult {
  /** the empty module, measured in the same run */
  readonly baseline: ImportRow;
  /** the surfaces, in the order given */
  readonly surfaces: readonly ImportRow[];
  /** the permission flags every probe ran with */
  readonly flags: readonly string[];
  /** measured runs per module */
  readonly runs: number;
}

// The probe: as little as possible besides the import itself, so the baseline is Deno alone.
// It does not call Deno.exit(): a surface that keeps the event loop alive at import shows up
// as a probe that does not exit.
const PROBE = `const started = performance.now();
const module = await import(Deno.args[0]);
const importMs = performance.now() - started;
const rssBytes = Deno.memoryUsage().rss;
console.log(JSON.stringify({ importMs, rssBytes, exports: Object.keys(module).length }));
`;

/** The `--allow-*` flags of the worker task in `deno.json`. */
export async function workerFlags(root: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const task: unknown = config.tasks?.worker;
  const command = typeof task === "string" ? task : (task as { command?: string } | undefined)?.command;
  if (typeof command !== "string") throw new Error(`${join(root, "deno.json")} has no "worker" task`);
  const flags = command.split(/\s+/).filter((word) => word.startsWith("--allow-"));
  if (flags.length === 0) throw new Error(`the worker task grants no permission: ${command}`);
  return flags;
}

interface ProbeOutput extends ImportSample {
  readonly exports: number;
}

async function probe(
  root: string,
  probePath: string,
  target: string,
  flags: readonly string[],
  timeoutMs: number,
): Promise<ProbeOutput> {
  const args = [
    "run",
    ...flags,
    `--config=${join(root, "deno.json")}`,
    probePath,
    pathToFileURL(target).href,
  ];
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const out = await child.output();
  const processMs = performance.now() - started;
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (out.signal === "SIGKILL") {
    throw new Error(
      `importing ${target}: the process had not exited after ${timeoutMs} ms ` +
        `(something keeps the event loop alive at import)`,
    );
  }
  if (!out.success) throw new Error(`importing ${target} failed (exit ${out.code}): ${stderr.slice(-800)}`);
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  let parsed: Omit<ProbeOutput, "processMs">;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new Error(`importing ${target}: no measurement on stdout (${JSON.stringify(last)}); ${stderr}`);
  }
  if (!(parsed.exports > 0)) throw new Error(`importing ${target} gave a module with no exports`);
  if (!(parsed.importMs > 0 && parsed.rssBytes > 0)) {
    throw new Error(`importing ${target}: implausible measurement ${last}`);
  }
  return { ...parsed, processMs };
}

interface InfoModule {
  readonly specifier: string;
  readonly kind?: string;
  readonly npmPackage?: string;
  readonly error?: string;
  readonly dependencies?: readonly {
    readonly code?: { readonly specifier: string };
    readonly isDynamic?: boolean;
  }[];
}

interface Info {
  readonly roots: readonly string[];
  readonly modules: readonly InfoModule[];
  readonly redirects: Readonly<Record<string, string>>;
  readonly npmPackages: Readonly<Record<string, { readonly name: string; readonly dependencies?: string[] }>>;
}

/** Which npm packages a module graph reaches through static imports, and through any import. */
export async function graphPackages(
  root: string,
  file: string,
): Promise<{ loaded: Set<string>; reachable: Set<string>; direct: Set<string> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `--config=${join(root, "deno.json")}`, file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    throw new Error(`deno info ${file} failed: ${new TextDecoder().decode(out.stderr).trim().slice(-800)}`);
  }
  const info: Info = JSON.parse(new TextDecoder().decode(out.stdout));
  const broken = info.modules.filter((m) => m.error);
  if (broken.length) {
    throw new Error(`the module graph of ${file} is incomplete: ${broken.map((m) => m.error).join("; ")}`);
  }
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const walk = (followDynamic: boolean) => {
    const seen = new Set<string>();
    const todo = [...info.roots];
    const npm = new Set<string>(); // "name@version" of npm modules imported from the graph
    while (todo.length) {
      const specifier = todo.pop()!;
      if (seen.has(specifier)) continue;
      seen.add(specifier);
      const module = modules.get(specifier);
      if (!module) continue;
      if (module.npmPackage) npm.add(module.npmPackage);
      for (const dep of module.dependencies ?? []) {
        // Type-only imports load nothing at run time; dynamic ones only when called.
        if (!dep.code || (dep.isDynamic && !followDynamic)) continue;
        todo.push(info.redirects[dep.code.specifier] ?? dep.code.specifier);
      }
    }
    // And every package those depend on, so that a heavy package behind another one counts.
    const names = new Set<string>();
    const pending = [...npm];
    const visited = new Set<string>();
    while (pending.length) {
      const id = pending.pop()!;
      if (visited.has(id)) continue;
      visited.add(id);
      const pkg = info.npmPackages[id];
      names.add(pkg?.name ?? id.replace(/(.)@[^@]*$/, "$1"));
      pending.push(...(pkg?.dependencies ?? []));
    }
    return { names, direct: new Set([...npm].map((id) => info.npmPackages[id]?.name ?? id)) };
  };
  const loaded = walk(false);
  return { loaded: loaded.names, reachable: walk(true).names, direct: loaded.direct };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures the import cost of each surface against an empty module, in fresh processes.
 *
 * @example
 * ```ts
 * import { benchImports } from "./import_bench.ts";
 * const result = await benchImports({ root: ".", runs: 3 });
 * for (const row of result.surfaces) {
 *   console.log(row.name, row.median.importMs, row.median.rssBytes / result.baseline.median.rssBytes);
 * }
 * ```
 */
export async function benchImports(options: ImportBenchOptions): Promise<ImportBenchResult> {
  const root = resolve(options.root);
  const surfaces = options.surfaces ?? ["mod.ts", "lib/queue/mod.ts", "notebook.ts"];
  const runs = options.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new RangeError(`runs must be a positive integer, got ${runs}`);
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const flags = await workerFlags(root);
  const dir = await Deno.makeTempDir({ prefix: "camwatch-bench-imports-" });
  try {
    const probePath = join(dir, "probe.ts");
    const baselinePath = join(dir, "baseline.ts");
    await Deno.writeTextFile(probePath, PROBE);
    // One export, so that "imported nothing" can be told from "imported the baseline".
    await Deno.writeTextFile(baselinePath, "export const baseline = true;\n");
    const targets = [
      { name: "baseline", path: baselinePath },
      ...surfaces.map((s) => ({ name: s, path: join(root, s) })),
    ];
    const samples = new Map(targets.map((t) => [t.name, [] as ProbeOutput[]]));
    // Round 0 warms the caches; later rounds take turns so drift hits every target alike.
    for (let round = 0; round <= runs; round++) {
      for (const target of targets) {
        const sample = await probe(root, probePath, target.path, flags, timeoutMs);
        if (round > 0) samples.get(target.name)!.push(sample);
      }
    }
    const rows: ImportRow[] = [];
    for (const target of targets) {
      const taken = samples.get(target.name)!;
      let packages: Record<string, PackageUse> = {};
      let loadedNpm: string[] = [];
      if (target.name !== "baseline") {
        const graph = await graphPackages(root, target.path);
        packages = Object.fromEntries(
          NOTEBOOK_PACKAGES.map((
            p,
          ) => [p, graph.loaded.has(p) ? "loaded" : graph.reachable.has(p) ? "on use" : "absent"]),
        );
        loadedNpm = [...graph.direct].sort();
      }
      rows.push({
        name: target.name,
        samples: taken.map(({ importMs, processMs, rssBytes }) => ({ importMs, processMs, rssBytes })),
        median: {
          importMs: median(taken.map((s) => s.importMs)),
          processMs: median(taken.map((s) => s.processMs)),
          rssBytes: median(taken.map((s) => s.rssBytes)),
        },
        exports: taken[0].exports,
        packages,
        loadedNpm,
      });
    }
    return {
      baseline: rows[0],
      surfaces: rows.slice(1),
      flags,
      runs,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The result as the lines `deno task bench` prints. */
export function formatImportBench(result: ImportBenchResult): string[] {
  const base = result.baseline.median;
  const cells = (values: string[], widths: number[]) =>
    values.map((v, i) => i === 0 ? v.padEnd(widths[0]) : v.padStart(widths[i])).join(" ");
  const widths = [24, 9, 10, 7, 7, 7];
  const lines = [
    `  ${cells(["", "import ms", "process ms", "ratio", "RSS MiB", "ratio"], widths)}   ` +
    `notebook packages (${NOTEBOOK_PACKAGES.join(", ")})`,
  ];
  for (const row of [result.baseline, ...result.surfaces]) {
    const m = row.median;
    const heavy = row.name === "baseline"
      ? "-"
      : NOTEBOOK_PACKAGES.map((p) => row.packages[p] === "absent" ? "no" : row.packages[p]).join(", ");
    const values = [
      row.name === "baseline" ? "baseline (empty module)" : row.name,
      m.importMs.toFixed(1),
      m.processMs.toFixed(0),
      `${(m.processMs / base.processMs).toFixed(2)}x`,
      (m.rssBytes / 2 ** 20).toFixed(1),
      `${(m.rssBytes / base.rssBytes).toFixed(2)}x`,
    ];
    lines.push(`  ${cells(values, widths)}   ${heavy}`);
  }
  for (const row of result.surfaces) {
    lines.push(
      `  ${row.name}: ${row.exports} exports; npm packages its static imports load: ${
        row.loadedNpm.join(", ") || "none"
      }`,
    );
  }
  lines.push(
    `  (medians of ${result.runs} fresh \`deno run ${result.flags.join(" ")}\` each; ` +
      `ratios against the baseline; RSS by Deno.memoryUsage(); "on use": reached by a dynamic import() only)`,
  );
  return lines;
}
