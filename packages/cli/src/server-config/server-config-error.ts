// The one error reading server configuration produces, naming the file and line as a compiler
// would (`vault.hcl:3: unknown key "adress" in listener "tcp"`), so an operator can go straight to it.

export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
  /** Absent only for problems with the set of files itself (none found, too many). */
  readonly fileName?: string;
  /** 1-based; absent for errors about a file as a whole (no storage block, unreadable). */
  readonly line?: number;
  readonly column?: number;
  /** The message without the `file:line: ` prefix. */
  readonly detail: string;

  constructor(fileName: string | undefined, detail: string, position?: { readonly line: number; readonly column: number }, options?: ErrorOptions) {
    const where = fileName === undefined ? '' : position === undefined ? `${fileName}: ` : `${fileName}:${position.line}: `;
    super(`${where}${detail}`, options);
    this.detail = detail;
    if (fileName !== undefined) this.fileName = fileName;
    if (position !== undefined) {
      this.line = position.line;
      this.column = position.column;
    }
  }
}
