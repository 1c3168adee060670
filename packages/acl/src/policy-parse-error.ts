// The one error policy parsing throws; the core turns it into a 400 with `message` as the text.

/**
 * A policy that cannot be parsed. `message` reads as Vault's does
 * (`failed to parse policy: At 3:14: <detail>`); `detail` is the part after the position.
 * Line and column are 1-based.
 */
export class PolicyParseError extends Error {
  override readonly name = 'PolicyParseError';
  readonly detail: string;
  readonly line?: number;
  readonly column?: number;

  constructor(detail: string, line?: number, column?: number) {
    super(line === undefined ? `failed to parse policy: ${detail}` : `failed to parse policy: At ${line}:${column ?? 1}: ${detail}`);
    this.detail = detail;
    if (line !== undefined) {
      this.line = line;
      this.column = column ?? 1;
    }
  }
}
