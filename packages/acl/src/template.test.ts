// Identity templates in policy paths: resolution, and stanzas dropped when a template cannot be resolved.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import { parsePolicy } from './policy.js';
import { resolveTemplates } from './template.js';
import type { TemplateContext } from './template.js';

const context: TemplateContext = {
  entityId: 'ent-1',
  entityName: 'alice',
  metadata: { team: 'blue', empty: '' },
  aliases: { auth_userpass_123: { id: 'al-1', name: 'alice-up', metadata: { region: 'eu' }, customMetadata: { tier: 'gold' } } },
  groups: [
    { id: 'grp-1', name: 'ops', metadata: { level: '3' } },
    { id: 'grp-2', name: 'dev.team', metadata: {} },
  ],
};

describe('resolveTemplates', () => {
  it.each([
    ['a/{{identity.entity.id}}', 'a/ent-1'],
    ['a/{{ identity.entity.name }}/b', 'a/alice/b'],
    ['{{identity.entity.metadata.team}}-{{identity.entity.id}}', 'blue-ent-1'],
    ['a/{{identity.entity.aliases.auth_userpass_123.id}}', 'a/al-1'],
    ['a/{{identity.entity.aliases.auth_userpass_123.name}}', 'a/alice-up'],
    ['a/{{identity.entity.aliases.auth_userpass_123.metadata.region}}', 'a/eu'],
    ['a/{{identity.entity.aliases.auth_userpass_123.custom_metadata.tier}}', 'a/gold'],
    ['g/{{identity.groups.ids.grp-1.name}}', 'g/ops'],
    ['g/{{identity.groups.ids.grp-1.metadata.level}}', 'g/3'],
    ['g/{{identity.groups.names.ops.id}}', 'g/grp-1'],
    ['g/{{identity.groups.names.dev.team.id}}', 'g/grp-2'],
    ['g/{{identity.groups.names.ops.metadata.level}}', 'g/3'],
    ['plain/path', 'plain/path'],
  ])('%s → %s', (path, expected) => {
    expect(resolveTemplates(path, context)).toBe(expected);
  });

  it.each([
    'a/{{identity.entity.id}',
    'a/{{identity.entity.metadata.missing}}',
    'a/{{identity.entity.metadata.empty}}',
    'a/{{identity.entity.aliases.auth_other.name}}',
    'a/{{identity.entity.aliases.auth_userpass_123.bogus}}',
    'a/{{identity.entity.aliases.nodot}}',
    'a/{{identity.groups.ids.grp-9.name}}',
    'a/{{identity.groups.ids.grp-1.id}}',
    'a/{{identity.groups.names.ops.name}}',
    'a/{{identity.entity.bogus}}',
    'a/{{time.now}}',
  ])('cannot resolve %s', (path) => {
    expect(resolveTemplates(path, context)).toBeUndefined();
  });

  it('resolves nothing without a context or without an entity', () => {
    expect(resolveTemplates('a/{{identity.entity.id}}', undefined)).toBeUndefined();
    expect(resolveTemplates('a/{{identity.entity.name}}', { entityName: 'x' })).toBeUndefined();
    expect(resolveTemplates('a/{{identity.entity.id}}', {})).toBeUndefined();
  });
});

describe('templated stanzas in compileAcl', () => {
  const policy = parsePolicy('p', 'path "secret/data/{{identity.entity.name}}/*" { capabilities = ["read"] }\npath "secret/data/shared" { capabilities = ["list"] }\npath "kv/{{identity.entity.metadata.team}}+" { capabilities = ["update"] }');

  it('drops a stanza whose template cannot be resolved and keeps the rest', () => {
    const acl = compileAcl([policy]);
    expect(acl.capabilities('secret/data/alice/x')).toEqual(['deny']);
    expect(acl.capabilities('secret/data/{{identity.entity.name}}/x')).toEqual(['deny']);
    expect(acl.capabilities('secret/data/shared')).toEqual(['list']);
  });

  it('resolves templates with the caller context and classifies the result', () => {
    const acl = compileAcl([policy], context);
    expect(acl.capabilities('secret/data/alice/x')).toEqual(['read']);
    expect(acl.capabilities('secret/data/bob/x')).toEqual(['deny']);
    expect(acl.capabilities('kv/blue+')).toEqual(['update']);
  });

  it('re-classifies after resolution: a value ending in * makes a prefix rule, one creating +* drops the stanza', () => {
    const starry = parsePolicy('p', 'path "a/{{identity.entity.name}}" { capabilities = ["read"] }\npath "b/+{{identity.entity.name}}" { capabilities = ["read"] }');
    const acl = compileAcl([starry], { entityId: 'e', entityName: 'x*' });
    expect(acl.capabilities('a/xyz')).toEqual(['read']);
    expect(acl.capabilities('b/+xyz')).toEqual(['read']);
    const star = compileAcl([starry], { entityId: 'e', entityName: '*' });
    expect(star.capabilities('a/anything')).toEqual(['read']);
    expect(star.capabilities('b/+*')).toEqual(['deny']);
    expect(star.capabilities('b/q')).toEqual(['deny']);
  });

  it('merges a resolved stanza with a literal one for the same path', () => {
    const acl = compileAcl([policy, parsePolicy('q', 'path "secret/data/alice/*" { capabilities = ["deny"] }')], context);
    expect(acl.capabilities('secret/data/alice/x')).toEqual(['deny']);
  });
});
