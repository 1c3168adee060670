// HashiCorp's HCL1 (and its JSON form) as Vault reads it, for policies and server configuration:
// a positioned syntax tree whose consumers give it meaning and report errors at the right line.
export { HclParseError } from './hcl-parse-error.js';
export { parseHcl } from './hcl-parser.js';
export { looksLikeJson, parseJson } from './json-parser.js';
export { plainValue } from './syntax-tree.js';
export type { ItemKey, ObjectItem, ObjectNode, Position, ValueNode } from './syntax-tree.js';
