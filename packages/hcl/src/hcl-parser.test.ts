// The HCL1 subset Vault reads: every syntactic construct, and syntax errors with positions.
import { describe, expect, it } from 'vitest';
import { parseHcl } from './hcl-parser.js';
import { looksLikeJson, parseJson } from './json-parser.js';
import { HclParseError } from './hcl-parse-error.js';
import { plainValue } from './syntax-tree.js';

const plain = (text: string): unknown => plainValue(parseHcl(text));

function syntaxError(parse: () => unknown): HclParseError {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(HclParseError);
    return error as HclParseError;
  }
  throw new Error('expected an HclParseError');
}

describe('parseHcl', () => {
  it('skips #, // and /* */ comments, including multi-line block comments', () => {
    const text = ['# hash', 'a = 1 // slashes', '/* block', '   still comment */ b = "x" # trailing', '/**/c = true'].join('\n');
    expect(plain(text)).toEqual({ a: 1, b: 'x', c: true });
  });

  it('decodes string escapes', () => {
    expect(plain(String.raw`s = "q\"b\\n\nt\tu\u00e9U\U0001F600x\x41o\101"`)).toEqual({ s: 'q"b\\n\nt\tuéU😀xAoA' });
  });

  it('reads heredocs, keeping each line newline, and <<- strips the closing indentation', () => {
    expect(plain('a = <<EOF\nline one\n  line two\nEOF\nb = 2')).toEqual({ a: 'line one\n  line two\n', b: 2 });
    expect(plain('a = <<-EOT\n    x\n      y\n    EOT\n')).toEqual({ a: 'x\n  y\n' });
    expect(plain('a = <<EOF\r\nwin\r\nEOF\r\n')).toEqual({ a: 'win\n' });
  });

  it('reads lists with trailing commas, comments and newlines, and nested lists and objects', () => {
    expect(plain('l = [\n  "a", # first\n  "b",\n]\nm = []\nn = [1, [2, 3], { k = "v" }]')).toEqual({ l: ['a', 'b'], m: [], n: [1, [2, 3], { k: 'v' }] });
  });

  it('reads numbers (negative, fractional, exponent, hex) and bools', () => {
    expect(plain('a = 10\nb = -3\nc = 1.5\nd = 2e3\ne = 0x1F\nf = false')).toEqual({ a: 10, b: -3, c: 1.5, d: 2000, e: 31, f: false });
  });

  it('reads blocks with labels, `key = { }` objects, identifier keys and commas between items', () => {
    const root = parseHcl('path "secret/*" {\n  capabilities = ["read"]\n}\nallowed_parameters = { foo = [], "Bar" = ["x"] }, z = 1');
    expect(root.items.map((i) => i.keys.map((k) => k.name))).toEqual([['path', 'secret/*'], ['allowed_parameters'], ['z']]);
    expect(root.items[0]!.keys[1]!.pos).toEqual({ line: 1, column: 6 });
    expect(plainValue(root.items[1]!.value)).toEqual({ foo: [], Bar: ['x'] });
  });

  it('keeps repeated blocks for the same key as separate items', () => {
    const root = parseHcl('path "a" { x = 1 }\npath "a" { x = 2 }');
    expect(root.items).toHaveLength(2);
    expect(root.items.map((i) => plainValue(i.value))).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it('reads several items on one line with no separator, as HCL1 does (a one-line VAULT_LOCAL_CONFIG)', () => {
    const root = parseHcl('ui = true listener "tcp" { address = "0.0.0.0:8200" tls_disable = true } storage "raft" { path = "/vault/data" }');
    expect(root.items.map((i) => i.keys.map((k) => k.name))).toEqual([['ui'], ['listener', 'tcp'], ['storage', 'raft']]);
    expect(plainValue(root)).toEqual({ ui: true, listener: { tcp: { address: '0.0.0.0:8200', tls_disable: true } }, storage: { raft: { path: '/vault/data' } } });
    expect(root.items[2]!.keys[0]!.pos).toEqual({ line: 1, column: 74 });
  });

  it('accepts empty text and text of only comments', () => {
    expect(parseHcl('').items).toEqual([]);
    expect(parseHcl('# nothing\n/* here */\n').items).toEqual([]);
  });

  it.each([
    ['a = "unterminated\n', 1, 5, 'literal not terminated'],
    ['a = 1\n/* open', 2, 1, 'comment not terminated'],
    ['a = 1\nb = @', 2, 5, 'illegal char "@"'],
    ['a = "bad \\q escape"', 1, 10, 'unknown escape sequence'],
    ['a = "\\u12"', 1, 6, 'illegal char escape'],
    ['a = <<EOF\nnever closed\n', 1, 5, 'heredoc not terminated'],
    ['a = <<EOF x\nEOF\n', 1, 5, 'heredoc anchor must be followed by a newline'],
    ['a = <<\nEOF\n', 1, 5, 'heredoc expected an identifier'],
    ['path "x" {\n  capabilities = ["read"\n}', 3, 1, 'expected comma or list end'],
    ['path "x" {\n  capabilities = ["read"]\n', 3, 1, 'object expected closing RBRACE got: EOF'],
    ['path "x" = {}', 1, 10, 'nested object expected: LBRACE got: ASSIGN'],
    ['path "x"\n"y"\n]', 3, 1, `key 'y' expected start of object ('{') or assignment ('=')`],
    ['= 1', 1, 1, 'expected: IDENT | STRING got: "="'],
    ['a = b', 1, 5, 'Unknown token: IDENT b'],
    ['a = -x', 1, 5, 'illegal number'],
    ['a = {\n  b = [1 2]\n}', 2, 10, 'expected comma or list end, got: NUMBER 2'],
  ])('reports %j at %i:%i', (text, line, column, detail) => {
    const error = syntaxError(() => parseHcl(text));
    expect(error.line).toBe(line);
    expect(error.column).toBe(column);
    expect(error.detail).toContain(detail);
    expect(error.message).toBe(`At ${line}:${column}: ${error.detail}`);
  });
});

describe('parseJson', () => {
  it('reads objects, arrays, literals and JSON escapes, keeping duplicate keys', () => {
    const root = parseJson('{"a": [1, -2.5e1, true, false, null, "x\\/y\\u0041"], "b": {}, "a": {"c": "d"}}');
    expect(root.items.map((i) => i.keys[0]!.name)).toEqual(['a', 'b', 'a']);
    expect(plainValue(root.items[0]!.value)).toEqual([1, -25, true, false, null, 'x/yA']);
  });

  it.each([
    ['{"a": 1,}', 1, 9, "expected object key string"],
    ['{"a" 1}', 1, 6, "expected ':'"],
    ['{"a": [1 2]}', 1, 10, "expected ',' or ']' in array"],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}' in object"],
    ['{"a": nope}', 1, 7, 'invalid character "nope"'],
    ['{"a": 1}\n{}', 2, 1, 'after the top-level object'],
    ['{"a": "\\x41"}', 1, 8, 'unknown escape sequence'],
    ['{"a": "tab\tin string"}', 1, 11, 'invalid character in string literal'],
    ['{"a": 01}', 1, 8, "expected ',' or '}' in object"],
    ['{\n  # no comments in JSON\n}', 2, 3, 'illegal char "#"'],
    ['{"a": =}', 1, 7, 'illegal char "="'],
  ])('reports %j at %i:%i', (text, line, column, detail) => {
    const error = syntaxError(() => parseJson(text));
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.detail).toContain(detail);
  });
});

describe('HclParseError', () => {
  it('puts the position first in the message, as hashicorp/hcl v1 does', () => {
    const error = new HclParseError('illegal char "@"', 2, 5);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HclParseError');
    expect(error.message).toBe('At 2:5: illegal char "@"');
    expect([error.detail, error.line, error.column]).toEqual(['illegal char "@"', 2, 5]);
  });
});

describe('looksLikeJson', () => {
  it('is true only when the first non-blank character opens an object', () => {
    expect(looksLikeJson('  \n {"path": {}}')).toBe(true);
    expect(looksLikeJson('path "a" {}')).toBe(false);
    expect(looksLikeJson('# c\n{}')).toBe(false);
  });
});
