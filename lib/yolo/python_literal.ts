/**
 * A reader for the Python literals Ultralytics writes into ONNX metadata (`str(dict)`,
 * `str(list)`): `{0: 'person', 1: "o'clock"}`, `[640, 640]`, `True`, `None`.
 *
 * @module
 */

/** A value a Python literal can hold. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | PyValue[]
  | Map<PyValue, PyValue>;

/**
 * Parses one Python literal (str, int, float, bool, None, list, tuple, dict). Dicts become
 * `Map`s because their keys are often numbers. Throws `SyntaxError` naming the position.
 *
 * @returns ints and floats as numbers, tuples as arrays, dicts as `Map`s, `None` as null
 * @throws {SyntaxError} for anything else (a name, an expression, text after the value), naming the offset
 *
 * @example
 * ```ts
 * import { parsePythonLiteral } from "./python_literal.ts";
 * const names = parsePythonLiteral("{0: 'person', 1: 'bicycle'}") as Map<number, string>;
 * console.log(names.get(1)); // "bicycle"
 * ```
 */
export function parsePythonLiteral(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`python literal: ${what} at offset ${i} in ${JSON.stringify(text.slice(0, 80))}`);
  };
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[i] !== ch) fail(`expected '${ch}'`);
    i++;
  };

  const string = (): string => {
    const quote = text[i++];
    let out = "";
    while (i < text.length && text[i] !== quote) {
      const ch = text[i++];
      if (ch !== "\\") {
        out += ch;
        continue;
      }
      const esc = text[i++];
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        "\\": "\\",
        "'": "'",
        '"': '"',
        "0": "\0",
      };
      if (esc in simple) out += simple[esc];
      else if (esc === "x" || esc === "u" || esc === "U") {
        const len = esc === "x" ? 2 : esc === "u" ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail("bad escape");
        out += String.fromCodePoint(parseInt(hex, 16));
        i += len;
      } else out += "\\" + esc;
    }
    if (text[i] !== quote) fail("unterminated string");
    i++;
    return out;
  };

  const sequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      skip();
      if (text[i] === close) break;
      items.push(value());
      skip();
      if (text[i] === ",") i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
    i++;
    return items;
  };

  const dict = (): Map<PyValue, PyValue> => {
    const map = new Map<PyValue, PyValue>();
    for (;;) {
      skip();
      if (text[i] === "}") break;
      const key = value();
      expect(":");
      map.set(key, value());
      skip();
      if (text[i] === ",") i++;
      else if (text[i] !== "}") fail("expected ',' or '}'");
    }
    i++;
    return map;
  };

  const value = (): PyValue => {
    skip();
    const ch = text[i];
    if (ch === "'" || ch === '"') return string();
    if (ch === "{") return i++, dict();
    if (ch === "[") return i++, sequence("]");
    if (ch === "(") return i++, sequence(")");
    const word = /^(True|False|None)\b/.exec(text.slice(i));
    if (word) {
      i += word[0].length;
      return word[0] === "None" ? null : word[0] === "True";
    }
    const num = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      return Number(num[0]);
    }
    return fail("unexpected character");
  };

  const result = value();
  skip();
  if (i !== text.length) fail("trailing characters");
  return result;
}
