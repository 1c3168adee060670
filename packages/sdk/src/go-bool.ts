// Go's strconv.ParseBool: the spellings of a boolean Vault accepts in query strings, request
// fields, flags and configuration files.

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The boolean `text` spells, or undefined when Go would refuse it. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  if (GO_FALSE.has(text)) return false;
  return undefined;
}
