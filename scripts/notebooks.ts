/**
 * `deno task notebooks`: Jupyter with the Deno kernel on the notebooks, on 127.0.0.1:8888 with a
 * token (NOTEBOOK_HOST, NOTEBOOK_PORT, JUPYTER_TOKEN). Stops on Ctrl-C or SIGTERM.
 *
 * `deno task notebooks run [--out DIR] [NAME...]`: runs the notebooks (all, or those whose file
 * name contains a NAME) headlessly, writes the executed copies and their HTML to DIR, and exits
 * 1 if a cell failed or an expected chart, table or image is missing.
 *
 * The kernels see the same settings as the scripts (VIDEO_DIR, REDIS_URL, YOLO_MODEL, RTSP_URL).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readJupyterSettings, readVar } from "../lib/ops/config.ts";
import { CamwatchError } from "../lib/errors.ts";
import { JupyterServer } from "../tools/jupyter_server.ts";
import { missingOutputs, runNotebook } from "../tools/notebook_run.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NOTEBOOKS = join(ROOT, "notebooks");

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  allowPositionals: true,
});
if (values.help) {
  console.log(
    "usage: deno task notebooks            serve them (Jupyter, token, 127.0.0.1:8888)\n" +
      "       deno task notebooks run [--out DIR] [NAME...]   run them headlessly",
  );
  Deno.exit(0);
}

// A kernel's working folder is the notebook's: pin the video folder to the project's unless set.
const env = { VIDEO_DIR: resolve(readVar(Deno.env.toObject(), "VIDEO_DIR") ?? join(ROOT, "video")) };

async function serve(): Promise<void> {
  const settings = readJupyterSettings();
  const jupyter = await JupyterServer.start({ notebookDir: NOTEBOOKS, env, ...settings });
  // A token we made is shown once, so that the person who started Jupyter can log in; one they
  // chose (JUPYTER_TOKEN) is never printed.
  console.log(`notebooks: open ${settings.token ? jupyter.displayUrl : jupyter.url}`);
  const stop = () => jupyter.stop();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await jupyter.exited;
}

async function runAll(): Promise<boolean> {
  const outputDir = resolve(values.out ?? join(ROOT, "notebooks", ".runs"));
  const names = positionals.slice(1);
  const files: string[] = [];
  for await (const e of Deno.readDir(NOTEBOOKS)) {
    if (
      e.isFile && e.name.endsWith(".ipynb") && (names.length === 0 || names.some((n) => e.name.includes(n)))
    ) {
      files.push(join(NOTEBOOKS, e.name));
    }
  }
  if (files.length === 0) throw new CamwatchError(`no notebook matches ${names.join(", ")}`);
  let ok = true;
  for (const file of files.sort()) {
    const started = performance.now();
    try {
      const run = await runNotebook(file, { outputDir, env, html: true });
      const problems = missingOutputs(run.notebook);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (problems.length) {
        ok = false;
        console.error(`✘ ${basename(file)} (${seconds} s):\n  ${problems.join("\n  ")}`);
      } else console.log(`✔ ${basename(file)} (${seconds} s) → ${run.htmlPath}`);
    } catch (e) {
      ok = false;
      console.error(`✘ ${e instanceof Error ? e.message : e}`);
    }
  }
  return ok;
}

try {
  if (positionals[0] === "run") {
    if (!await runAll()) Deno.exitCode = 1;
  } else if (positionals.length === 0) {
    await serve();
  } else {
    console.error(`notebooks: unknown command ${JSON.stringify(positionals[0])} (try --help)`);
    Deno.exitCode = 2;
  }
} catch (e) {
  if (!(e instanceof CamwatchError)) throw e;
  console.error(`notebooks: ${e.message}`);
  Deno.exitCode = 1;
}
