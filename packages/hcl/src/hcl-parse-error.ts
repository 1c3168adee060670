// The one error the HCL1 and JSON readers throw, positioned the way hashicorp/hcl v1 reports
// syntax errors (`At 3:14: <detail>`), so callers such as policy parsing can repeat Vault's text.

/**
 * Text that is not valid HCL1 (or, in JSON mode, valid JSON). `message` is
 * `At <line>:<column>: <detail>` (1-based) and `detail` the part after the position.
 */
export class HclParseError extends Error {
  override readonly name: string = 'HclParseError';
  readonly detail: string;
  readonly line: number;
  readonly column: number;

  constructor(detail: string, line: number, column: number) {
    super(`At ${line}:${column}: ${detail}`);
    this.detail = detail;
    this.line = line;
    this.column = column;
  }
}
