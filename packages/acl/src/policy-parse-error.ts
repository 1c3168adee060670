// The one error policy parsing throws. The core answers 400 with `failed to parse policy: ${message}`,
// which reproduces Vault's text (`failed to parse policy: At 3:14: <detail>`).

/**
 * A policy that cannot be parsed. `message` is `At <line>:<column>: <detail>` (1-based), the
 * form HCL1 errors take, and `detail` the part after the position. A syntax error carries the
 * `HclParseError` it came from as its `cause`.
 */
export class PolicyParseError extends Error {
  override readonly name = 'PolicyParseError';
  readonly detail: string;
  readonly line?: number;
  readonly column?: number;

  constructor(detail: string, line?: number, column?: number, options?: ErrorOptions) {
    super(line === undefined ? detail : `At ${line}:${column ?? 1}: ${detail}`, options);
    this.detail = detail;
    if (line !== undefined) {
      this.line = line;
      this.column = column ?? 1;
    }
  }
}
