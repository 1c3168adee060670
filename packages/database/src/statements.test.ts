// Statement splitting and substitution as Vault's PostgreSQL plugin does it.
import { describe, expect, it } from 'vitest';
import { containsMultilineStatement, formatExpiration, queriesOf, quoteIdentifier, renderQuery } from './statements.js';

describe('queriesOf', () => {
  it('splits on semicolons, trims, and drops empty pieces', () => {
    expect(queriesOf([`CREATE ROLE "{{name}}";  GRANT SELECT ON t TO "{{name}}";\n`, 'ALTER ROLE x'])).toEqual([
      'CREATE ROLE "{{name}}"',
      'GRANT SELECT ON t TO "{{name}}"',
      'ALTER ROLE x',
    ]);
  });

  it('keeps a statement with a body whole', () => {
    const block = `DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE ROLE a; END IF; END $$;`;
    expect(containsMultilineStatement(block)).toBe(true);
    expect(queriesOf([block])).toEqual([block]);
  });

  it('keeps dollar-quoted bodies whole whatever their case', () => {
    const fn = `CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql`;
    expect(queriesOf([fn])).toEqual([fn]);
    const tagged = `do $body$ begin perform 1; end $body$`;
    expect(queriesOf([tagged])).toEqual([tagged]);
  });

  it('does not take END inside quotes or words for a body', () => {
    expect(containsMultilineStatement(`COMMENT ON ROLE a IS 'THE END'; SELECT 'APPEND'`)).toBe(false);
    expect(containsMultilineStatement(`SELECT "END"`)).toBe(false);
  });

  it('accepts statements as base64 or as a JSON array in one string', () => {
    expect(queriesOf([Buffer.from('CREATE ROLE a; GRANT b TO a;').toString('base64')])).toEqual(['CREATE ROLE a', 'GRANT b TO a']);
    expect(queriesOf(['["CREATE ROLE a; GRANT b TO a", "SELECT 1"]'])).toEqual(['CREATE ROLE a; GRANT b TO a', 'SELECT 1']);
  });
});

describe('renderQuery and friends', () => {
  it('substitutes every occurrence verbatim and leaves unknown placeholders', () => {
    expect(renderQuery(`{{name}} {{name}} '{{password}}' {{other}}`, { name: 'v-a', password: "p'w" })).toBe(`v-a v-a 'p'w' {{other}}`);
  });

  it('quotes identifiers and formats expirations in Go layout, UTC', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
    expect(formatExpiration(Date.UTC(2026, 10, 23, 16, 5, 9, 999))).toBe('2026-11-23 16:05:09+0000');
  });
});
