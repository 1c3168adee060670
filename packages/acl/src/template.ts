// Identity templating in policy paths (`{{identity.entity.id}}` and friends). Vault resolves
// these per caller; a stanza whose template cannot be resolved is left out of that caller's ACL.

/** The caller's identity as far as templated policy paths can see it. Absent entity ⇒ no template resolves. */
export interface TemplateContext {
  readonly entityId?: string;
  readonly entityName?: string;
  /** Entity metadata: `{{identity.entity.metadata.<key>}}`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The entity's aliases by auth mount accessor: `{{identity.entity.aliases.<accessor>.name}}`. */
  readonly aliases?: Readonly<Record<string, TemplateAlias>>;
  /** Groups the entity belongs to: `{{identity.groups.ids.<id>.name}}`, `{{identity.groups.names.<name>.id}}`. */
  readonly groups?: readonly TemplateGroup[];
}

export interface TemplateAlias {
  readonly id?: string;
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly customMetadata?: Readonly<Record<string, string>>;
}

export interface TemplateGroup {
  readonly id: string;
  readonly name: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export function hasTemplate(path: string): boolean {
  return path.includes('{{');
}

/** `path` with every `{{…}}` replaced, or undefined when any of them cannot be resolved for `context`. */
export function resolveTemplates(path: string, context: TemplateContext | undefined): string | undefined {
  let out = '';
  let from = 0;
  for (;;) {
    const open = path.indexOf('{{', from);
    if (open === -1) return out + path.slice(from);
    const close = path.indexOf('}}', open + 2);
    if (close === -1 || context === undefined) return undefined;
    const value = resolveOne(path.slice(open + 2, close).trim(), context);
    // Vault's ACL templating treats an empty value like a missing one.
    if (value === undefined || value === '') return undefined;
    out += path.slice(from, open) + value;
    from = close + 2;
  }
}

function resolveOne(name: string, ctx: TemplateContext): string | undefined {
  const entity = 'identity.entity.';
  const groups = 'identity.groups.';
  if (name === `${entity}id`) return ctx.entityId;
  if (ctx.entityId === undefined) return undefined;
  if (name === `${entity}name`) return ctx.entityName;
  if (name.startsWith(`${entity}metadata.`)) return lookup(ctx.metadata, name.slice(`${entity}metadata.`.length));
  if (name.startsWith(`${entity}aliases.`)) {
    const rest = name.slice(`${entity}aliases.`.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) return undefined;
    const alias = lookup(ctx.aliases, rest.slice(0, dot));
    if (alias === undefined) return undefined;
    const field = rest.slice(dot + 1);
    if (field === 'id') return alias.id;
    if (field === 'name') return alias.name;
    if (field.startsWith('metadata.')) return lookup(alias.metadata, field.slice('metadata.'.length));
    if (field.startsWith('custom_metadata.')) return lookup(alias.customMetadata, field.slice('custom_metadata.'.length));
    return undefined;
  }
  if (name.startsWith(`${groups}ids.`)) {
    const [id, field] = splitGroupRef(name.slice(`${groups}ids.`.length), 'name');
    const group = ctx.groups?.find((g) => g.id === id);
    return group === undefined ? undefined : groupField(group, field, 'name');
  }
  if (name.startsWith(`${groups}names.`)) {
    const [groupName, field] = splitGroupRef(name.slice(`${groups}names.`.length), 'id');
    const group = ctx.groups?.find((g) => g.name === groupName);
    return group === undefined ? undefined : groupField(group, field, 'id');
  }
  return undefined;
}

/** `<ref>.<field>` or `<ref>.metadata.<key>`; the ref itself may contain dots (group names can). */
function splitGroupRef(rest: string, plainField: 'id' | 'name'): [string, string] {
  const meta = rest.lastIndexOf('.metadata.');
  if (meta > 0) return [rest.slice(0, meta), rest.slice(meta + 1)];
  if (rest.endsWith(`.${plainField}`)) return [rest.slice(0, -plainField.length - 1), plainField];
  return [rest, ''];
}

function groupField(group: TemplateGroup, field: string, plainField: 'id' | 'name'): string | undefined {
  if (field === plainField) return group[plainField];
  if (field.startsWith('metadata.')) return lookup(group.metadata, field.slice('metadata.'.length));
  return undefined;
}

function lookup<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
