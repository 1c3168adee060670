// A hand-written parser for the HCL1 subset Vault reads (policies, server configuration): object
// items with one or more keys, `=` assignments, nested blocks, lists (trailing commas allowed) and literals.
import { describeToken, tokenize } from './lexer.js';
import type { Token, TokenType } from './lexer.js';
import { HclParseError } from './hcl-parse-error.js';
import { literalNode, type ItemKey, type ObjectItem, type ObjectNode, type ValueNode } from './syntax-tree.js';

/** Parses HCL1 text into its top-level object. Throws HclParseError with the token's position. */
export function parseHcl(text: string): ObjectNode {
  const parser = new HclParser(tokenize(text, 'hcl'));
  const items = parser.objectItems('eof');
  return { type: 'object', items, pos: { line: 1, column: 1 } };
}

class HclParser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'eof') this.index++;
    return token;
  }

  /** Items up to (and consuming) `end`; HCL1 tolerates a comma after any item. */
  objectItems(end: TokenType): ObjectItem[] {
    const items: ObjectItem[] = [];
    for (;;) {
      const token = this.peek();
      if (token.type === end) {
        this.next();
        return items;
      }
      if (token.type === 'eof') throw fail(token, `object expected closing RBRACE got: ${describeToken(token)}`);
      items.push(this.objectItem());
      if (this.peek().type === ',') this.next();
    }
  }

  private objectItem(): ObjectItem {
    const keys: ItemKey[] = [];
    while (this.peek().type === 'ident' || this.peek().type === 'string') {
      const token = this.next();
      keys.push({ name: token.value as string, pos: token.pos });
    }
    const token = this.next();
    if (keys.length === 0) throw fail(token, `expected: IDENT | STRING got: ${describeToken(token)}`);
    if (token.type === '=') {
      if (keys.length > 1) throw fail(token, `nested object expected: LBRACE got: ASSIGN`);
      return { keys, value: this.value() };
    }
    if (token.type === '{') return { keys, value: this.object(token) };
    throw fail(token, `key '${keys[keys.length - 1]!.name}' expected start of object ('{') or assignment ('=')`);
  }

  private object(open: Token): ObjectNode {
    return { type: 'object', items: this.objectItems('}'), pos: open.pos };
  }

  private value(): ValueNode {
    const token = this.next();
    const literal = literalNode(token);
    if (literal) return literal;
    switch (token.type) {
      case '{':
        return this.object(token);
      case '[':
        return this.list(token);
      default:
        throw fail(token, `Unknown token: ${describeToken(token)}`);
    }
  }

  private list(open: Token): ValueNode {
    const items: ValueNode[] = [];
    for (;;) {
      if (this.peek().type === ']') {
        this.next();
        return { type: 'list', items, pos: open.pos };
      }
      items.push(this.value());
      const token = this.peek();
      if (token.type === ',') this.next();
      else if (token.type !== ']') throw fail(token, `error parsing list, expected comma or list end, got: ${describeToken(token)}`);
    }
  }
}

function fail(token: Token, detail: string): HclParseError {
  return new HclParseError(detail, token.pos.line, token.pos.column);
}
