/**
 * Headless notebook runs: execute a notebook with the Deno kernel through nbconvert (for CI and
 * for scheduled reports), and check that what it was meant to show is there.
 *
 * @module
 */

import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDenoKernel, jupyterCommand, JupyterError } from "./jupyter_server.ts";

/** One output of an executed cell, as nbformat stores it. */
export interface NotebookOutput {
  /** what kind of output: printed text, a displayed value, the cell's result, or an error */
  readonly output_type: "stream" | "display_data" | "execute_result" | "error";
  /** MIME type → content, for displayed values and results */
  readonly data?: Record<string, string | string[]>;
  /** printed text, for streams */
  readonly text?: string | string[];
  /** the error's class name, for errors */
  readonly ename?: string;
  /** the error's message, for errors */
  readonly evalue?: string;
}

/** One cell of a notebook, as nbformat stores it. */
export interface NotebookCell {
  /** code, markdown or raw */
  readonly cell_type: "code" | "markdown" | "raw";
  /** the cell's text */
  readonly source: string | string[];
  /** metadata; `tags` say what a cell must show (`chart`, `table`, `image`) */
  readonly metadata: { tags?: string[]; [key: string]: unknown };
  /** what it showed when run (code cells) */
  readonly outputs?: NotebookOutput[];
}

/** A notebook file (nbformat 4). */
export interface Notebook {
  /** the cells, in order */
  readonly cells: NotebookCell[];
  /** notebook metadata (the kernel spec, the language) */
  readonly metadata: Record<string, unknown>;
  /** nbformat major version (4) */
  readonly nbformat: number;
  /** nbformat minor version */
  readonly nbformat_minor: number;
}

/**
 * The Python that Jupyter itself runs on (from the `jupyter` script's first line), which has
 * nbclient whenever nbconvert is installed.
 */
async function jupyterPython(): Promise<string> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    try {
      const head = (await Deno.readTextFile(join(dir, "jupyter"))).split("\n", 1)[0];
      if (!head.startsWith("#!")) continue;
      const [interpreter, ...args] = head.slice(2).trim().split(/\s+/);
      // `#!/usr/bin/env python3` names the interpreter after env.
      return interpreter.endsWith("/env") && args[0] ? args[0] : interpreter;
    } catch { /* not in this folder */ }
  }
  throw new JupyterError("jupyter is not installed: install it with bash scripts/quickstart.sh notebooks");
}

/** Options of {@linkcode runNotebook}. */
export interface RunNotebookOptions {
  /** where the executed copy is written (the original is left as it is) */
  readonly outputDir: string;
  /**
   * Extra environment for the kernel (VIDEO_DIR, REDIS_URL, …).
   * @default {}
   */
  readonly env?: Record<string, string>;
  /**
   * Longest time one cell may run, in seconds.
   * @default 300
   */
  readonly cellTimeoutS?: number;
  /**
   * Also write an HTML rendering next to the executed notebook.
   * @default false
   */
  readonly html?: boolean;
}

/** What a headless run produced. */
export interface NotebookRun {
  /** the executed copy */
  readonly path: string;
  /** its HTML rendering, when asked for */
  readonly htmlPath?: string;
  /** the executed notebook */
  readonly notebook: Notebook;
}

/**
 * The text of a multi-line nbformat field (sources and outputs are stored as lists of lines).
 *
 * @example
 * ```ts
 * import { joinSource } from "./notebook_run.ts";
 * console.log(joinSource(["a\n", "b"])); // "a\nb"
 * ```
 */
export function joinSource(source: string | string[] | undefined): string {
  return Array.isArray(source) ? source.join("") : source ?? "";
}

/**
 * Runs a notebook headlessly with the Deno kernel (`jupyter nbconvert --execute`), writing the
 * executed copy to `outputDir`. Throws {@linkcode JupyterError} naming the notebook and the
 * failing cell's error when a cell throws or times out.
 *
 * @example
 * ```ts
 * import { runNotebook } from "./notebook_run.ts";
 * const run = await runNotebook("notebooks/01_check.ipynb", { outputDir: "/tmp/runs" });
 * console.log(run.path, run.notebook.cells.length);
 * ```
 */
export async function runNotebook(path: string, options: RunNotebookOptions): Promise<NotebookRun> {
  await ensureDenoKernel();
  await Deno.mkdir(options.outputDir, { recursive: true });
  const name = basename(path).replace(/\.ipynb$/, "");
  const executed = join(options.outputDir, `${name}.ipynb`);
  // Not `jupyter nbconvert --execute`: it can lose a cell's last outputs with the Deno kernel
  // (see notebook_runner.py), so the run goes through a small nbclient script.
  const out = await jupyterCommand(await jupyterPython(), [
    fileURLToPath(new URL("./notebook_runner.py", import.meta.url)),
    resolve(path),
    resolve(executed),
    "deno",
    String(options.cellTimeoutS ?? 300),
    dirname(resolve(path)),
  ], options.env);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr);
    // nbclient ends with the failing cell's source and the kernel's error: keep that part.
    const tail = stderr.split("\n").filter((l) =>
      !/unstable and might change|validate\(nb\)|MissingIDField|^\s*$/.test(l)
    )
      .slice(-25).join("\n");
    throw new JupyterError(`notebook ${basename(path)} failed:\n${tail}`);
  }
  const notebook = JSON.parse(await Deno.readTextFile(executed)) as Notebook;
  let htmlPath: string | undefined;
  if (options.html) {
    const html = await jupyterCommand("jupyter", [
      "nbconvert",
      "--to",
      "html",
      "--output-dir",
      resolve(options.outputDir),
      "--output",
      name,
      resolve(executed),
    ]);
    if (!html.success) {
      throw new JupyterError(`could not render ${name} to HTML: ${new TextDecoder().decode(html.stderr)}`);
    }
    htmlPath = join(options.outputDir, `${name}.html`);
  }
  return { path: executed, htmlPath, notebook };
}

/**
 * What a notebook was meant to show and did not: cells tagged `chart` must show an SVG (an
 * `<svg>` with the SVG namespace and some text), `table` an HTML table, `image` a PNG; no cell
 * may show an error. Returns one line per problem (none when all is there).
 *
 * @example
 * ```ts
 * import { missingOutputs, runNotebook } from "./notebook_run.ts";
 * const run = await runNotebook("notebooks/04_results.ipynb", { outputDir: "/tmp/runs" });
 * const problems = missingOutputs(run.notebook);
 * if (problems.length) throw new Error(problems.join("\n"));
 * ```
 */
export function missingOutputs(notebook: Notebook): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const where = `cell ${i + 1} (${joinSource(cell.source).split("\n")[0].slice(0, 60)})`;
    const outputs = cell.outputs ?? [];
    for (const o of outputs) {
      if (o.output_type === "error") problems.push(`${where}: ${o.ename}: ${o.evalue}`);
    }
    const data = (mime: string) =>
      outputs.map((o) => o.data?.[mime]).filter((d) => d !== undefined).map(joinSource);
    for (const tag of cell.metadata.tags ?? []) {
      if (tag === "chart") {
        const svgs = data("image/svg+xml");
        if (svgs.length === 0) problems.push(`${where}: no chart (image/svg+xml) shown`);
        for (const svg of svgs) {
          if (!/^<svg[^>]*\sxmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(svg.trimStart())) {
            problems.push(`${where}: the chart is not a standalone SVG (no xmlns)`);
          } else if (!/<text[^>]*>[^<]+<\/text>/.test(svg)) {
            problems.push(`${where}: the chart has no text (title, axes)`);
          }
        }
      } else if (tag === "table") {
        if (!data("text/html").some((h) => /<table[\s>]/.test(h))) problems.push(`${where}: no table shown`);
      } else if (tag === "image") {
        if (!data("image/png").some((p) => p.length > 100)) {
          problems.push(`${where}: no image (image/png) shown`);
        }
      }
    }
  });
  return problems;
}
