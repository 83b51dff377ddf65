import assert from "node:assert/strict";
import { parsePythonLiteral } from "../../lib/yolo/python_literal.ts";

Deno.test("parsePythonLiteral: a dict with int keys becomes a Map keyed by numbers", () => {
  // str({0: 'person', 1: 'car'}) as Ultralytics writes it into the ONNX metadata.
  const value = parsePythonLiteral("{0: 'person', 1: 'car'}");
  assert.ok(value instanceof Map);
  assert.equal(value.size, 2);
  assert.equal(value.get(0), "person");
  assert.equal(value.get(1), "car");
  // keys are numbers, not the strings "0" / "1"
  assert.equal(value.has("0"), false);
  assert.deepEqual([...value.keys()], [0, 1]);
});

Deno.test("parsePythonLiteral: dict with string keys, insertion order, and a repeated key keeps the last", () => {
  const value = parsePythonLiteral("{'b': 2, 'a': 1, 'b': 3}");
  assert.ok(value instanceof Map);
  // Python: {'b': 2, 'a': 1, 'b': 3} == {'b': 3, 'a': 1}, 'b' keeps its first position
  assert.deepEqual([...value.entries()], [["b", 3], ["a", 1]]);
});

Deno.test("parsePythonLiteral: empty containers", () => {
  assert.deepEqual(parsePythonLiteral("[]"), []);
  assert.deepEqual(parsePythonLiteral("()"), []);
  const empty = parsePythonLiteral("{}");
  assert.ok(empty instanceof Map);
  assert.equal(empty.size, 0);
});

Deno.test("parsePythonLiteral: nested lists and tuples become arrays", () => {
  assert.deepEqual(parsePythonLiteral("[640, 640]"), [640, 640]);
  assert.deepEqual(parsePythonLiteral("[[1, 2], (3, 4), [], ((5,),)]"), [[1, 2], [3, 4], [], [[5]]]);
  // a one-element tuple needs its comma in Python: (1,) -> [1]
  assert.deepEqual(parsePythonLiteral("(1,)"), [1]);
  const nested = parsePythonLiteral("{0: [1, (2, 'x')], 1: {2: None}}");
  assert.ok(nested instanceof Map);
  assert.deepEqual(nested.get(0), [1, [2, "x"]]);
  const inner = nested.get(1);
  assert.ok(inner instanceof Map);
  assert.equal(inner.get(2), null);
});

Deno.test("parsePythonLiteral: single and double quoted strings with escapes", () => {
  // The text is {0: "o'clock", 1: 'a\'b'}: repr() switches to double quotes when the string
  // holds a single quote, and an escaped quote inside single quotes is a plain quote.
  const value = parsePythonLiteral("{0: \"o'clock\", 1: 'a\\'b'}");
  assert.ok(value instanceof Map);
  assert.equal(value.get(0), "o'clock");
  assert.equal(value.get(1), "a'b");

  // "say \"hi\"" -> say "hi"
  assert.equal(parsePythonLiteral('"say \\"hi\\""'), 'say "hi"');
  // \n \t \r \\ become the control characters / one backslash
  assert.equal(parsePythonLiteral("'a\\nb\\tc\\rd\\\\e'"), "a\nb\tc\rd\\e");
  // \x41 = 'A', \u00e9 = 'é', \U0001F600 = 😀
  assert.equal(parsePythonLiteral("'\\x41\\u00e9\\U0001F600'"), "A\u00e9\u{1F600}");
  // Python keeps the backslash of an unknown escape: '\d' == '\\d'
  assert.equal(parsePythonLiteral("'\\d'"), "\\d");
  // the other quote needs no escape, and non-ASCII passes through
  assert.equal(parsePythonLiteral(`'say "hi"'`), 'say "hi"');
  assert.equal(parsePythonLiteral("'café 東京'"), "café 東京");
  assert.equal(parsePythonLiteral("''"), "");
});

Deno.test("parsePythonLiteral: True, False and None", () => {
  assert.equal(parsePythonLiteral("True"), true);
  assert.equal(parsePythonLiteral("False"), false);
  assert.equal(parsePythonLiteral("None"), null);
  assert.deepEqual(parsePythonLiteral("[True, False, None]"), [true, false, null]);
});

Deno.test("parsePythonLiteral: integers and floats, signed", () => {
  assert.equal(parsePythonLiteral("32"), 32);
  assert.equal(parsePythonLiteral("-3"), -3);
  assert.equal(parsePythonLiteral("+7"), 7);
  assert.equal(parsePythonLiteral("2.5"), 2.5);
  assert.equal(parsePythonLiteral("-0.125"), -0.125);
  assert.equal(parsePythonLiteral(".5"), 0.5);
  assert.equal(parsePythonLiteral("1."), 1); // Python float literal 1.
  assert.equal(parsePythonLiteral("1e3"), 1000);
  assert.equal(parsePythonLiteral("1.5E-2"), 0.015);
  assert.deepEqual(parsePythonLiteral("[-1, 0.25, -2e2]"), [-1, 0.25, -200]);
  const m = parsePythonLiteral("{-1: 'neg', 2: 0.5}");
  assert.ok(m instanceof Map);
  assert.equal(m.get(-1), "neg");
  assert.equal(m.get(2), 0.5);
});

Deno.test("parsePythonLiteral: whitespace anywhere between tokens and around the value", () => {
  const value = parsePythonLiteral("  {\n  0 :\t'a' ,\n  1:'b'\r\n}  \n");
  assert.ok(value instanceof Map);
  assert.deepEqual([...value.entries()], [[0, "a"], [1, "b"]]);
  assert.deepEqual(parsePythonLiteral(" [ 1 ,2 , ( 3 , ) ] "), [1, 2, [3]]);
  // whitespace inside a string is kept
  assert.equal(parsePythonLiteral("'  a b  '"), "  a b  ");
});

Deno.test("parsePythonLiteral: trailing commas are allowed in lists, tuples and dicts", () => {
  assert.deepEqual(parsePythonLiteral("[1, 2,]"), [1, 2]);
  assert.deepEqual(parsePythonLiteral("(1, 2, )"), [1, 2]);
  const d = parsePythonLiteral("{0: 'a', 1: 'b',}");
  assert.ok(d instanceof Map);
  assert.deepEqual([...d.entries()], [[0, "a"], [1, "b"]]);
});

Deno.test("parsePythonLiteral: a full 80-class Ultralytics names dict", () => {
  const names = Array.from({ length: 80 }, (_, i) => `class ${i}`);
  names[0] = "person";
  names[79] = "toothbrush";
  const text = "{" + names.map((n, i) => `${i}: '${n}'`).join(", ") + "}";
  const value = parsePythonLiteral(text);
  assert.ok(value instanceof Map);
  assert.equal(value.size, 80);
  assert.equal(value.get(0), "person");
  assert.equal(value.get(79), "toothbrush");
  assert.equal(value.get(42), "class 42");
});

Deno.test("parsePythonLiteral: malformed input throws SyntaxError", () => {
  const bad: [string, RegExp][] = [
    ["'abc", /unterminated string/], // no closing quote
    ["\"abc'", /unterminated string/], // closing quote of the other kind
    ["{0: 'a\\'}", /unterminated string/], // the only closing quote is escaped
    ["[1, 2] x", /trailing characters/], // garbage after a complete value
    ["1 2", /trailing characters/],
    ["'a' 'b'", /trailing characters/], // Python would concatenate; a literal reader must not
    ["{0 'a'}", /expected ':'/], // missing colon
    ["{0: 'a' 1: 'b'}", /expected ',' or '}'/], // missing comma in a dict
    ["[1 2]", /expected ',' or '\]'/], // missing comma in a list
    ["(1 2)", /expected ',' or '\)'/],
    ["[1, 2", /expected ',' or '\]'/], // unclosed list: input ends where ',' or ']' is due
    ["[1, ", /unexpected character/], // unclosed list: input ends where a value is due
    ["{0: 'a'", /expected ',' or '}'/], // unclosed dict
    ["[1,,2]", /unexpected character/], // empty element
    ["", /unexpected character/], // nothing at all
    ["   ", /unexpected character/],
    ["Truex", /unexpected character/], // True must be a whole word
    ["true", /unexpected character/], // JSON spelling, not Python
    ["null", /unexpected character/],
    ["'\\x4'", /bad escape/], // \x needs two hex digits
    ["'\\u12g4'", /bad escape/],
    ["-", /unexpected character/],
  ];
  for (const [text, message] of bad) {
    assert.throws(() => parsePythonLiteral(text), (e: unknown) => {
      assert.ok(e instanceof SyntaxError, `${JSON.stringify(text)} threw ${e}`);
      assert.match(e.message, message, `message for ${JSON.stringify(text)}`);
      assert.match(e.message, /offset \d+/);
      return true;
    });
  }
});

Deno.test("parsePythonLiteral: the error names the offset of the problem", () => {
  // "[1, 2] x": the value ends at offset 6, the space is skipped, 'x' sits at offset 7
  assert.throws(() => parsePythonLiteral("[1, 2] x"), /trailing characters at offset 7/);
  // "{0 'a'}": after the key 0 and the space, the quote at offset 3 is not ':'
  assert.throws(() => parsePythonLiteral("{0 'a'}"), /expected ':' at offset 3/);
});
