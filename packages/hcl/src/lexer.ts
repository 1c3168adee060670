// Tokenizer for HCL1 (Vault policies and server configuration) and, in JSON mode, for the JSON form.
import { HclParseError } from './hcl-parse-error.js';
import type { Position } from './syntax-tree.js';

export type TokenType = 'ident' | 'string' | 'number' | 'bool' | 'null' | '{' | '}' | '[' | ']' | '=' | ':' | ',' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Decoded value for strings (and heredocs), numbers and bools; the name for identifiers. */
  readonly value: string | number | boolean | null;
  readonly pos: Position;
}

export type LexMode = 'hcl' | 'json';

const PUNCTUATION = new Set(['{', '}', '[', ']', '=', ',', ':']);
const HCL_NUMBER = /-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_.-]/;
const HEREDOC_ANCHOR = /<<(-?)([A-Za-z_][A-Za-z0-9_-]*)/y;

/** Splits `text` into tokens, ending with one `eof` token. Throws HclParseError at the first bad character. */
export function tokenize(text: string, mode: LexMode): Token[] {
  return new Lexer(text, mode).run();
}

class Lexer {
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private readonly tokens: Token[] = [];

  constructor(
    private readonly text: string,
    private readonly mode: LexMode,
  ) {}

  run(): Token[] {
    for (;;) {
      this.skipSpaceAndComments();
      const pos = this.position();
      if (this.index >= this.text.length) {
        this.tokens.push({ type: 'eof', value: null, pos });
        return this.tokens;
      }
      const ch = this.text[this.index]!;
      if (PUNCTUATION.has(ch) && (ch !== ':' || this.mode === 'json') && (ch !== '=' || this.mode === 'hcl')) {
        this.index++;
        this.tokens.push({ type: ch as TokenType, value: null, pos });
      } else if (ch === '"') {
        this.tokens.push({ type: 'string', value: this.readString(pos), pos });
      } else if (ch === '<' && this.mode === 'hcl' && this.text.startsWith('<<', this.index)) {
        this.tokens.push({ type: 'string', value: this.readHeredoc(pos), pos });
      } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
        this.tokens.push({ type: 'number', value: this.readNumber(pos), pos });
      } else if (IDENT_START.test(ch)) {
        this.tokens.push(this.readWord(pos));
      } else {
        throw new HclParseError(`illegal char ${JSON.stringify(ch)}`, pos.line, pos.column);
      }
    }
  }

  private position(): Position {
    return { line: this.line, column: this.index - this.lineStart + 1 };
  }

  private newline(): void {
    this.line++;
    this.lineStart = this.index;
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.index < text.length) {
      const ch = text[this.index]!;
      if (ch === '\n') {
        this.index++;
        this.newline();
      } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\uFEFF') {
        this.index++;
      } else if (this.mode === 'hcl' && (ch === '#' || text.startsWith('//', this.index))) {
        while (this.index < text.length && text[this.index] !== '\n') this.index++;
      } else if (this.mode === 'hcl' && text.startsWith('/*', this.index)) {
        const start = this.position();
        this.index += 2;
        for (;;) {
          if (this.index >= text.length) throw new HclParseError('comment not terminated', start.line, start.column);
          if (text.startsWith('*/', this.index)) {
            this.index += 2;
            break;
          }
          if (text[this.index++] === '\n') this.newline();
        }
      } else {
        return;
      }
    }
  }

  private readWord(pos: Position): Token {
    const start = this.index;
    while (this.index < this.text.length && IDENT_PART.test(this.text[this.index]!)) this.index++;
    const word = this.text.slice(start, this.index);
    if (word === 'true' || word === 'false') return { type: 'bool', value: word === 'true', pos };
    if (this.mode === 'json') {
      if (word === 'null') return { type: 'null', value: null, pos };
      throw new HclParseError(`invalid character ${JSON.stringify(word)} looking for beginning of value`, pos.line, pos.column);
    }
    return { type: 'ident', value: word, pos };
  }

  private readNumber(pos: Position): number {
    const pattern = this.mode === 'json' ? JSON_NUMBER : HCL_NUMBER;
    pattern.lastIndex = this.index;
    const match = pattern.exec(this.text);
    if (!match) throw new HclParseError('illegal number', pos.line, pos.column);
    this.index += match[0].length;
    const raw = match[0];
    const negative = raw.startsWith('-');
    const digits = negative ? raw.slice(1) : raw;
    const value = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : Number(digits);
    return negative ? -value : value;
  }

  private readString(pos: Position): string {
    const text = this.text;
    this.index++; // opening quote
    let out = '';
    for (;;) {
      if (this.index >= text.length || text[this.index] === '\n') throw new HclParseError('literal not terminated', pos.line, pos.column);
      const ch = text[this.index]!;
      if (ch === '"') {
        this.index++;
        return out;
      }
      if (ch !== '\\') {
        if (this.mode === 'json' && ch < ' ') throw this.errorHere('invalid character in string literal');
        out += ch;
        this.index++;
        continue;
      }
      out += this.readEscape();
    }
  }

  /** One escape sequence starting at the backslash. JSON has its own, smaller set. */
  private readEscape(): string {
    const text = this.text;
    const at = this.position();
    const kind = text[this.index + 1];
    this.index += 2;
    const simple: Record<string, string> =
      this.mode === 'json'
        ? { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
        : { '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (kind !== undefined && Object.hasOwn(simple, kind)) return simple[kind]!;
    const hexDigits = kind === 'u' ? 4 : this.mode === 'hcl' && kind === 'U' ? 8 : this.mode === 'hcl' && kind === 'x' ? 2 : 0;
    if (hexDigits > 0) {
      const hex = text.slice(this.index, this.index + hexDigits);
      if (hex.length !== hexDigits || !/^[0-9a-fA-F]+$/.test(hex)) throw new HclParseError('illegal char escape', at.line, at.column);
      this.index += hexDigits;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new HclParseError('illegal char escape', at.line, at.column);
      return String.fromCodePoint(code);
    }
    if (this.mode === 'hcl' && kind !== undefined && kind >= '0' && kind <= '7') {
      const octal = text.slice(this.index - 1, this.index + 2);
      if (!/^[0-7]{3}$/.test(octal)) throw new HclParseError('illegal char escape', at.line, at.column);
      this.index += 2;
      return String.fromCharCode(parseInt(octal, 8) & 0xff);
    }
    throw new HclParseError('unknown escape sequence', at.line, at.column);
  }

  /**
   * `<<EOF` / `<<-EOF` up to a line holding only the anchor. The value keeps each content
   * line's newline, as HCL1 does; the `-` form also lets the closing anchor be indented and
   * removes that indentation from every line when all lines share it.
   */
  private readHeredoc(pos: Position): string {
    const text = this.text;
    HEREDOC_ANCHOR.lastIndex = this.index;
    const match = HEREDOC_ANCHOR.exec(text);
    if (!match) throw new HclParseError('heredoc expected an identifier after <<', pos.line, pos.column);
    const indented = match[1] === '-';
    const anchor = match[2]!;
    this.index += match[0].length;
    if (text[this.index] === '\r') this.index++;
    if (text[this.index] !== '\n') throw new HclParseError('heredoc anchor must be followed by a newline', pos.line, pos.column);
    this.index++;
    this.newline();
    const lines: string[] = [];
    for (;;) {
      if (this.index >= text.length) throw new HclParseError(`heredoc not terminated: missing ${anchor}`, pos.line, pos.column);
      let end = text.indexOf('\n', this.index);
      if (end === -1) end = text.length;
      const line = text.slice(this.index, end).replace(/\r$/, '');
      this.index = end;
      const closing = indented ? line.trim() === anchor : line.trimEnd() === anchor;
      if (closing) {
        const indent = /^[ \t]*/.exec(line)![0];
        const body = indented && indent !== '' && lines.every((l) => l.startsWith(indent) || l.trim() === '') ? lines.map((l) => l.slice(indent.length)) : lines;
        return body.map((l) => `${l}\n`).join('');
      }
      lines.push(line);
      if (this.index < text.length) {
        this.index++;
        this.newline();
      }
    }
  }

  private errorHere(detail: string): HclParseError {
    const pos = this.position();
    return new HclParseError(detail, pos.line, pos.column);
  }
}

/** How a token reads in an error message. */
export function describeToken(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'EOF';
    case 'string':
      return `STRING ${JSON.stringify(token.value)}`;
    case 'ident':
      return `IDENT ${String(token.value)}`;
    case 'number':
      return `NUMBER ${String(token.value)}`;
    case 'bool':
      return `BOOL ${String(token.value)}`;
    case 'null':
      return 'null';
    default:
      return JSON.stringify(token.type);
  }
}
