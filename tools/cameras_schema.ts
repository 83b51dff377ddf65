/**
 * The JSON Schema of the cameras file, for editors (`"$schema": "./docs/cameras.schema.json"`
 * at the top of a cameras file), made from the schema capture checks files against so that the
 * two never drift (a test compares them). Run it to rewrite docs/cameras.schema.json:
 *
 *   deno run --allow-write=docs tools/cameras_schema.ts
 *
 * @module
 */

import { toJsonSchema } from "@valibot/to-json-schema";
import { camerasFileSchema } from "../lib/ops/cameras_file.ts";

/**
 * The cameras file's JSON Schema (draft-07). Checks JSON Schema cannot state (a URL's scheme,
 * duplicate names) are left to capture, which reports them at start.
 *
 * @example
 * ```ts
 * import { camerasJsonSchema } from "./cameras_schema.ts";
 * console.log(camerasJsonSchema().title); // "camwatch cameras file"
 * ```
 */
export function camerasJsonSchema(): Record<string, unknown> {
  return {
    ...toJsonSchema(camerasFileSchema, { errorMode: "ignore" }),
    title: "camwatch cameras file",
    description: "Cameras for `deno task capture` (CAMERAS_FILE); the environment gives the defaults.",
  };
}

if (import.meta.main) {
  const target = new URL("../docs/cameras.schema.json", import.meta.url);
  await Deno.writeTextFile(target, JSON.stringify(camerasJsonSchema(), null, 2) + "\n");
}
