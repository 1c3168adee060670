// Syntax errors from @coffer/hcl reach policy callers as PolicyParseError with HCL1's text unchanged.
import { HclParseError } from '@coffer/hcl';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './policy.js';
import { PolicyParseError } from './policy-parse-error.js';

function parseError(text: string): PolicyParseError {
  try {
    parsePolicy('p', text);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyParseError);
    return error as PolicyParseError;
  }
  throw new Error('expected a PolicyParseError');
}

describe('policy syntax errors', () => {
  it.each([
    ['path "x" {\n  capabilities = ["read"]\n', 3, 1, 'object expected closing RBRACE got: EOF'],
    ['path "x" {\n  capabilities = ["read"\n}', 3, 1, 'error parsing list, expected comma or list end, got: "}"'],
    ['a = "unterminated\n', 1, 5, 'literal not terminated'],
    ['{"path": {"a": {"capabilities": ["read",]}}}', 1, 41, 'unexpected "]"'],
  ])('%j reads "At %i:%i: …" and keeps the HclParseError as its cause', (text, line, column, detail) => {
    const error = parseError(text);
    expect(error.message).toBe(`At ${line}:${column}: ${detail}`);
    expect([error.detail, error.line, error.column]).toEqual([detail, line, column]);
    expect(error.cause).toBeInstanceOf(HclParseError);
    expect((error.cause as HclParseError).message).toBe(error.message);
  });
});
