// The JSON form of HCL1 documents (a policy whose first non-blank character is `{`, a `.json`
// server configuration file).
// Parsed by hand rather than with JSON.parse so errors carry a position and duplicate keys survive,
// as they do in HCL1's JSON reader.
import { describeToken, tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { HclParseError } from './hcl-parse-error.js';
import { literalNode, type ObjectItem, type ObjectNode, type ValueNode } from './syntax-tree.js';

/** True when Vault would read policy `text` as JSON rather than HCL: its first non-blank character is `{`. */
export function looksLikeJson(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** Parses a JSON document (one top-level object) into the same tree parseHcl builds. Throws HclParseError. */
export function parseJson(text: string): ObjectNode {
  const tokens = tokenize(text, 'json');
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => {
    const token = tokens[index]!;
    if (token.type !== 'eof') index++;
    return token;
  };
  const expect = (type: Token['type'], what: string): Token => {
    const token = next();
    if (token.type !== type) throw fail(token, `expected ${what}, got: ${describeToken(token)}`);
    return token;
  };

  const value = (): ValueNode => {
    const token = next();
    const literal = literalNode(token);
    if (literal) return literal;
    switch (token.type) {
      case 'null':
        return { type: 'null', pos: token.pos };
      case '{':
        return object(token);
      case '[': {
        const items: ValueNode[] = [];
        if (peek().type === ']') {
          next();
          return { type: 'list', items, pos: token.pos };
        }
        for (;;) {
          items.push(value());
          const sep = next();
          if (sep.type === ']') return { type: 'list', items, pos: token.pos };
          if (sep.type !== ',') throw fail(sep, `expected ',' or ']' in array, got: ${describeToken(sep)}`);
        }
      }
      default:
        throw fail(token, `unexpected ${describeToken(token)}`);
    }
  };

  const object = (open: Token): ObjectNode => {
    const items: ObjectItem[] = [];
    if (peek().type === '}') {
      next();
      return { type: 'object', items, pos: open.pos };
    }
    for (;;) {
      const key = expect('string', 'object key string');
      expect(':', "':'");
      items.push({ keys: [{ name: key.value as string, pos: key.pos }], value: value() });
      const sep = next();
      if (sep.type === '}') return { type: 'object', items, pos: open.pos };
      if (sep.type !== ',') throw fail(sep, `expected ',' or '}' in object, got: ${describeToken(sep)}`);
    }
  };

  const root = expect('{', "'{'");
  const result = object(root);
  const trailing = next();
  if (trailing.type !== 'eof') throw fail(trailing, `unexpected ${describeToken(trailing)} after the top-level object`);
  return result;
}

function fail(token: Token, detail: string): HclParseError {
  return new HclParseError(detail, token.pos.line, token.pos.column);
}
