// Vault's username_template: a Go text/template with Vault's helper functions (sdk/helper/template), enough of the language for real templates.
import { randomBase62, randomUuid, toHex, utf8, type Clock, type Crypto, type Random } from '@coffer/sdk';

/** The PostgreSQL plugin's default: `v-<display 8>-<role 8>-<20 random>-<unix seconds>`, at most 63 characters. */
export const DEFAULT_USERNAME_TEMPLATE = '{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}';

/** What a username is made from (dbplugin.UsernameMetadata). */
export interface UsernameMetadata {
  DisplayName: string;
  RoleName: string;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Value = string | number;
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline };
type Pipeline = Command[];
type Command = Operand[];
type Operand =
  | { kind: 'literal'; value: Value }
  | { kind: 'field'; name: string }
  | { kind: 'function'; name: string }
  | { kind: 'group'; pipeline: Pipeline };

/** What generating a name may use: the vault's own randomness, clock and hashing. */
export interface TemplateDeps {
  random: Random;
  clock: Clock;
  crypto: Crypto;
}

interface Env extends TemplateDeps {
  metadata: UsernameMetadata;
}

function asString(value: Value | undefined, fn: string): string {
  if (typeof value !== 'string') throw new TemplateError(`${fn}: expected a string argument`);
  return value;
}

function asInt(value: Value | undefined, fn: string): number {
  const n = typeof value === 'number' ? value : Number.NaN;
  if (!Number.isInteger(n) || n < 0) throw new TemplateError(`${fn}: expected a non-negative integer`);
  return n;
}

/** Go's `%s %d %v %q %%`, the verbs username templates use. */
function printf(format: string, args: readonly Value[]): string {
  let next = 0;
  return format.replace(/%([%sdvq])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++]!;
    return verb === 'q' ? JSON.stringify(String(arg)) : String(arg);
  });
}

/** Go's time layout for the pieces `timestamp` is used with. */
function formatTime(layout: string, epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const tokens: Record<string, string> = {
    '2006': String(d.getUTCFullYear()),
    '01': pad(d.getUTCMonth() + 1),
    '02': pad(d.getUTCDate()),
    '15': pad(d.getUTCHours()),
    '04': pad(d.getUTCMinutes()),
    '05': pad(d.getUTCSeconds()),
    '.000': `.${pad(d.getUTCMilliseconds(), 3)}`,
    'Z07:00': 'Z',
    '-0700': '+0000',
    MST: 'UTC',
  };
  return layout.replace(/2006|01|02|15|04|05|\.000|Z07:00|-0700|MST/g, (token) => tokens[token]!);
}

const FUNCTIONS: Record<string, (env: Env, args: Value[]) => Value> = {
  printf: (_, [format, ...rest]) => printf(asString(format, 'printf'), rest),
  random: (env, [n]) => randomBase62(env.random, asInt(n, 'random')),
  truncate: (_, [n, s]) => asString(s, 'truncate').slice(0, asInt(n, 'truncate')),
  truncate_sha256: (env, [n, s]) => {
    const text = asString(s, 'truncate_sha256');
    const max = asInt(n, 'truncate_sha256');
    if (text.length <= max) return text;
    if (max <= 8) throw new TemplateError('truncate_sha256: length must be greater than 8');
    return text.slice(0, max - 8) + toHex(env.crypto.sha256(utf8(text.slice(max - 8)))).slice(0, 8);
  },
  uppercase: (_, [s]) => asString(s, 'uppercase').toUpperCase(),
  lowercase: (_, [s]) => asString(s, 'lowercase').toLowerCase(),
  replace: (_, [find, to, s]) => asString(s, 'replace').replaceAll(asString(find, 'replace'), asString(to, 'replace')),
  sha256: (env, [s]) => toHex(env.crypto.sha256(utf8(asString(s, 'sha256')))),
  base64: (_, [s]) => Buffer.from(asString(s, 'base64'), 'utf8').toString('base64'),
  unix_time: (env) => Math.floor(env.clock.now() / 1000),
  unix_time_millis: (env) => env.clock.now(),
  timestamp: (env, [layout]) => formatTime(asString(layout, 'timestamp'), env.clock.now()),
  uuid: (env) => randomUuid(env.random),
};

class Parser {
  private pos = 0;
  constructor(private readonly source: string) {}

  parseAction(): Pipeline {
    const pipeline = this.pipeline();
    this.skipSpace();
    if (this.pos !== this.source.length) throw new TemplateError(`unexpected "${this.source.slice(this.pos, this.pos + 10)}" in action`);
    return pipeline;
  }

  private skipSpace(): void {
    while (this.pos < this.source.length && /\s/.test(this.source[this.pos]!)) this.pos++;
  }

  private pipeline(): Pipeline {
    const commands: Command[] = [this.command()];
    for (;;) {
      this.skipSpace();
      if (this.source[this.pos] !== '|') return commands;
      this.pos++;
      commands.push(this.command());
    }
  }

  private command(): Command {
    const operands: Operand[] = [];
    for (;;) {
      this.skipSpace();
      const c = this.source[this.pos];
      if (c === undefined || c === '|' || c === ')') break;
      operands.push(this.operand());
    }
    if (operands.length === 0) throw new TemplateError('missing value for command');
    return operands;
  }

  private operand(): Operand {
    const rest = this.source.slice(this.pos);
    if (rest.startsWith('(')) {
      this.pos++;
      const pipeline = this.pipeline();
      this.skipSpace();
      if (this.source[this.pos] !== ')') throw new TemplateError('unclosed left paren');
      this.pos++;
      return { kind: 'group', pipeline };
    }
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest) ?? /^`([^`]*)`/.exec(rest);
    if (quoted) {
      this.pos += quoted[0].length;
      return { kind: 'literal', value: quoted[0].startsWith('"') ? (JSON.parse(quoted[0]) as string) : quoted[1]! };
    }
    const number = /^-?\d+/.exec(rest);
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const fieldName = /^\.([A-Za-z_]\w*)/.exec(rest);
    if (fieldName) {
      this.pos += fieldName[0].length;
      return { kind: 'field', name: fieldName[1]! };
    }
    const identifier = /^[A-Za-z_]\w*/.exec(rest);
    if (identifier) {
      this.pos += identifier[0].length;
      if (!Object.hasOwn(FUNCTIONS, identifier[0])) throw new TemplateError(`function "${identifier[0]}" not defined`);
      return { kind: 'function', name: identifier[0] };
    }
    throw new TemplateError(`unexpected "${rest.slice(0, 10)}" in action`);
  }
}

function parseTemplate(template: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  while (pos < template.length) {
    const open = template.indexOf('{{', pos);
    if (open === -1) {
      nodes.push({ kind: 'text', text: template.slice(pos) });
      break;
    }
    if (open > pos) nodes.push({ kind: 'text', text: template.slice(pos, open) });
    const close = template.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError('unclosed action');
    // Go's `{{-` and `-}}` trim the neighbouring spaces; here they only need to parse.
    const inner = template.slice(open + 2, close).replace(/^-\s/, ' ').replace(/\s-$/, ' ');
    nodes.push({ kind: 'action', pipeline: new Parser(inner).parseAction() });
    pos = close + 2;
  }
  return nodes;
}

function evaluatePipeline(pipeline: Pipeline, env: Env): Value {
  let piped: Value | undefined;
  for (const command of pipeline) {
    piped = evaluateCommand(command, env, piped);
  }
  return piped!;
}

function evaluateOperand(operand: Operand, env: Env): Value {
  switch (operand.kind) {
    case 'literal':
      return operand.value;
    case 'group':
      return evaluatePipeline(operand.pipeline, env);
    case 'function':
      return FUNCTIONS[operand.name]!(env, []);
    case 'field': {
      const metadata = env.metadata as unknown as Record<string, unknown>;
      if (!Object.hasOwn(metadata, operand.name)) throw new TemplateError(`can't evaluate field ${operand.name}`);
      return String(metadata[operand.name]);
    }
  }
}

/** A command is a function call with arguments, or a single value; a piped value is its last argument. */
function evaluateCommand(command: Command, env: Env, piped: Value | undefined): Value {
  const [head, ...rest] = command;
  if (head!.kind === 'function') {
    const args = rest.map((operand) => evaluateOperand(operand, env));
    if (piped !== undefined) args.push(piped);
    return FUNCTIONS[head!.name]!(env, args);
  }
  if (rest.length > 0 || piped !== undefined) throw new TemplateError(`can't give argument to non-function`);
  return evaluateOperand(head!, env);
}

export interface UsernameTemplate {
  generate(metadata: UsernameMetadata): string;
}

/**
 * Parses a template once and checks it renders (Vault's Initialize generates one name from empty
 * metadata), so a broken template fails when the connection is configured, not at first use.
 */
export function compileUsernameTemplate(template: string, deps: TemplateDeps): UsernameTemplate {
  const nodes = parseTemplate(template);
  const { random, clock, crypto } = deps;
  const generate = (metadata: UsernameMetadata): string =>
    nodes.map((node) => (node.kind === 'text' ? node.text : String(evaluatePipeline(node.pipeline, { metadata, random, clock, crypto })))).join('');
  generate({ DisplayName: '', RoleName: '' });
  return { generate };
}
