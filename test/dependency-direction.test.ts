// The layering check of DESIGN.md §1 rejects an engine that imports core, and accepts the real tree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('../scripts/check-dependency-direction.mjs', import.meta.url).pathname;
const made: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'coffer-deps-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(root?: string): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, root ? [script, root] : [script], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { code: e.status, output: e.stderr };
  }
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('dependency direction check', () => {
  it('passes on the repository itself', () => {
    expect(run().code).toBe(0);
  });

  it('fails when an engine imports core', () => {
    const root = tree({
      'packages/core/package.json': JSON.stringify({ name: '@coffer/core' }),
      'packages/core/src/index.ts': 'export {};',
      'packages/kv/package.json': JSON.stringify({ name: '@coffer/kv' }),
      'packages/kv/src/index.ts': "import { createCore } from '@coffer/core';\n",
    });
    const result = run(root);
    expect(result.code).toBe(1);
    expect(result.output).toContain('kv may not import @coffer/core');
  });

  it('fails when core imports http', () => {
    const root = tree({
      'packages/http/package.json': JSON.stringify({ name: '@coffer/http' }),
      'packages/core/package.json': JSON.stringify({ name: '@coffer/core' }),
      'packages/core/src/a.ts': "export type { X } from '@coffer/http';\n",
    });
    expect(run(root).output).toContain('core may not import @coffer/http');
  });

  it('fails on a relative import that leaves its package', () => {
    const root = tree({
      'packages/sdk/package.json': JSON.stringify({ name: '@coffer/sdk' }),
      'packages/sdk/src/a.ts': "import '../../core/src/index.js';\n",
    });
    expect(run(root).output).toContain('relative import leaves its package');
  });
});
