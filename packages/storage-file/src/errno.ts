// The `code` of a node:fs error (ENOENT, EEXIST, ...), or undefined for anything else.
export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
