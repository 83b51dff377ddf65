/** Masking of secrets: URL passwords with any characters, in URLs, in text and in ffmpeg's own output. */
import assert from "node:assert/strict";
import { redactText, redactUrl, urlPassword } from "../../lib/ops/redact.ts";

/** Passwords people really set, each with the characters that break naive masking. */
const PASSWORDS: readonly { password: string; decodes?: false }[] = [
  { password: "hunter2" },
  { password: "Secr3t@x" }, // `@`: the last one ends the credentials
  { password: "pa/ss" }, // `/`: parsers end the authority here
  { password: "pa:ss:2" }, // `:`: only the first one ends the user
  { password: "pa#ss" }, // `#`: a fragment to parsers
  { password: "pa?ss" }, // `?`: a query to parsers
  { password: "100%" }, // `%` with no hex after it
  { password: "50%off" },
  { password: "p%41ss", decodes: false }, // reads as an escape: urlPassword gives "pAss"
  { password: "my pass" }, // white space
  { password: "pässwörd€" },
  { password: "密码🔒" },
  { password: "a@b/c:d#e?f%g h" }, // all of them at once
  { password: "a&b$c!'()*+,;=~" }, // the URL class and encodeURIComponent encode these differently
];

const SCHEMES = [
  { scheme: "rtsp", rest: "cam.local:554/Streaming/Channels/101?transport=tcp" },
  { scheme: "redis", rest: "127.0.0.1:6379/0" },
  { scheme: "rediss", rest: "redis.example.com:6380" },
  { scheme: "http", rest: "cam.local:8080/video.mjpg" },
];

/** How a password is written in a URL: as typed, encodeURIComponent'ed, or as the URL class writes it. */
function writings(password: string): { name: string; text: string }[] {
  const url = new URL("http://host");
  url.password = password;
  return [
    { name: "unencoded", text: password },
    { name: "encodeURIComponent", text: encodeURIComponent(password) },
    { name: "URL class", text: url.password },
  ];
}

Deno.test("redactUrl masks the whole password, whatever it holds and however it is encoded", () => {
  for (const { password } of PASSWORDS) {
    for (const { name, text } of writings(password)) {
      for (const { scheme, rest } of SCHEMES) {
        for (const user of ["admin", "", "user.name-1"]) {
          const url = `${scheme}://${user}:${text}@${rest}`;
          const shown = redactUrl(url);
          assert.equal(shown, `${scheme}://${user}:***@${rest}`, `${name} ${JSON.stringify(password)}`);
          assert.ok(!shown.includes(text), url);
        }
      }
    }
  }
});

Deno.test("urlPassword gives the password back decoded, unencoded characters included", () => {
  for (const { password, decodes } of PASSWORDS) {
    for (const { name, text } of writings(password)) {
      if (decodes === false && text === password) continue; // the URL class leaves `%` as it is too
      for (const { scheme, rest } of SCHEMES) {
        const url = `${scheme}://admin:${text}@${rest}`;
        assert.equal(urlPassword(url), password, `${name} in ${url}`);
      }
    }
  }
  assert.equal(urlPassword("rtsp://admin:p%41ss@cam/stream"), "pAss"); // an escape is an escape
  assert.equal(urlPassword("rtsp://admin:%E2%82@cam/stream"), "%E2%82"); // not UTF-8: kept as written
});

Deno.test("the module's own example: the password with an `@` no longer shows its tail", () => {
  assert.equal(redactUrl("rtsp://admin:Secr3t@x@host/stream"), "rtsp://admin:***@host/stream");
  assert.equal(
    redactText("rtsp://admin:Secr3t@x@host/stream: 401 Unauthorized"),
    "rtsp://admin:***@host/stream: 401 Unauthorized",
  );
});

Deno.test("URLs with a user only, or no credentials, or that are not URLs, stay as they are", () => {
  for (
    const url of [
      "rtsp://admin@cam.local/stream",
      "redis://default@127.0.0.1:6379",
      "rtsp://cam.local:554/stream",
      "http://cam.local:8080/video.mjpg",
      "https://example.com/@user/posts",
      "rediss://redis.example.com:6380/2",
      "video/samples/vtest.mp4",
      "/srv/video/front/20260223-144657.mp4",
      "mail me at admin@example.com: it failed",
      "",
    ]
  ) {
    assert.equal(redactUrl(url), url);
    assert.equal(redactText(url), url);
    assert.equal(urlPassword(url), undefined, url);
  }
});

Deno.test("an empty user, and masking twice, change nothing more", () => {
  assert.equal(redactUrl("redis://:s3cret@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
  for (const url of ["rtsp://admin:Secr3t@x@host/s", "redis://:pa/ss@h:1", "http://u:a b@h/x"]) {
    assert.equal(redactUrl(redactUrl(url)), redactUrl(url));
    assert.equal(redactText(redactText(url)), redactText(url));
  }
});

Deno.test("a path with an `@` after a port: more is hidden, never less", () => {
  // Indistinguishable from `admin:8080/a` as a password; documented in the module.
  assert.equal(redactUrl("http://cam.local:8080/a@b"), "http://cam.local:***@b");
});

Deno.test("redactText masks every URL of a text; white space ends a URL", () => {
  const text = [
    "[rtsp @ 0x55d] method DESCRIBE failed: 401 Unauthorized",
    "rtsp://admin:hunter2@10.0.0.5/stream: Server returned 401 Unauthorized (authorization failed)",
    "retrying rtsp://viewer:Secr3t@x@10.0.0.6:554/s1 and redis://:pa/ss@127.0.0.1:6379/0, then",
    "http://cam:8080/video.mjpg (no password) and rediss://u:pa#ss?x@redis.example.com:6380",
  ].join("\n");
  assert.equal(
    redactText(text),
    [
      "[rtsp @ 0x55d] method DESCRIBE failed: 401 Unauthorized",
      "rtsp://admin:***@10.0.0.5/stream: Server returned 401 Unauthorized (authorization failed)",
      "retrying rtsp://viewer:***@10.0.0.6:554/s1 and redis://:***@127.0.0.1:6379/0, then",
      "http://cam:8080/video.mjpg (no password) and rediss://u:***@redis.example.com:6380",
    ].join("\n"),
  );
  // Two URLs with nothing between them: both passwords go, with what lies between.
  assert.equal(redactText("rtsp://a:p1@h1/s,rtsp://b:p2@h2/s"), "rtsp://a:***@h2/s");
  // redactUrl takes the whole string as one URL, so its password may hold white space.
  assert.equal(redactUrl("rtsp://admin:my pass@cam/s"), "rtsp://admin:***@cam/s");
});

Deno.test("redactText masks the secrets it is given, in every writing, even outside URLs", () => {
  const secret = "p@ss/w0rd";
  assert.equal(
    redactText(`auth p@ss/w0rd p%40ss%2Fw0rd p%40ss%2fw0rd rtsp://u:p@ss/w0rd@h/s`, [secret]),
    "auth *** *** *** rtsp://u:***@h/s",
  );
  // The URL class leaves `&$` alone in a password where encodeURIComponent encodes them.
  assert.equal(redactText("a&b$c a%26b%24c", ["a&b$c"]), "*** ***");
  // White space in a password: found by urlPassword, masked by redactText.
  const url = "rtsp://admin:my pass@10.0.0.5/stream";
  assert.equal(
    redactText(`${url}: 401 Unauthorized`, [urlPassword(url)!]),
    "rtsp://admin:***@10.0.0.5/stream: 401 Unauthorized",
  );
  // A secret that holds another is masked whole.
  assert.equal(redactText("token abcdef", ["abc", "abcdef"]), "token ***");
  // Pieces between URL delimiters, as a tool may print them alone.
  assert.equal(
    redactText("Failed to resolve hostname Xq9", ["Sec4et@Xq9/Yz7"]),
    "Failed to resolve hostname ***",
  );
  // Short secrets only inside URLs: "22" everywhere would hide port 6022.
  assert.equal(redactText("port 6022, redis://:22@h:6022", ["22"]), "port 6022, redis://:***@h:6022");
});

Deno.test("ffmpeg's own error lines for a password with every awkward character leak none of it", async () => {
  // A port nothing listens on: ffmpeg fails at once and names the URL in its errors.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const password = "Sec4et@Xq9/Yz7#Wv5 Uu3?Ts1:Rr8%Pq6";
  const pieces = ["Sec4et", "Xq9", "Yz7", "Wv5", "Uu3", "Ts1", "Rr8", "Pq6"];
  for (const written of [password, encodeURIComponent(password)]) {
    const url = `rtsp://admin:${written}@127.0.0.1:${port}/stream`;
    const { stderr } = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-nostdin",
        "-rtsp_transport",
        "tcp",
        "-timeout",
        "2000000",
        "-i",
        url,
        "-f",
        "null",
        "-",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    const raw = new TextDecoder().decode(stderr);
    assert.ok(pieces.some((p) => raw.includes(p)), `ffmpeg did not print the URL, nothing is tested: ${raw}`);
    const secret = urlPassword(url);
    assert.equal(secret, password);
    for (
      const shown of [
        redactText(raw, [secret!]),
        redactText(raw, [secret!]).split("\n").map(redactUrl).join("\n"),
      ]
    ) {
      for (const piece of pieces) assert.ok(!shown.includes(piece), `${piece} in ${shown}`);
      assert.match(shown, /rtsp:\/\/admin:\*\*\*@127\.0\.0\.1/);
    }
  }
});
