// `?help=1` text generated from a backend's path table, as Vault's framework renders it.
import type { FieldTable } from './field.js';
import type { PathDefinition } from './path.js';

export function renderHelp(backendHelp: string, path: PathDefinition<FieldTable> | undefined): string {
  if (!path) return backendHelp.trim();
  const lines = [`Request:        ${path.pattern}`, `Matching Route: ${path.regex.source}`, '', path.help.synopsis];
  const fields = Object.entries(path.fields).sort(([a], [b]) => a.localeCompare(b));
  if (fields.length > 0) {
    lines.push('', '## PARAMETERS', '');
    for (const [name, spec] of fields) {
      lines.push(`${name} (${spec.kind})`, '', `    ${spec.description}`, '');
    }
  }
  if (path.help.description) lines.push('## DESCRIPTION', '', path.help.description.trim());
  return lines.join('\n').trim();
}
