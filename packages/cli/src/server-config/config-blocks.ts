// Vault's labelled stanzas (`listener "tcp" { ... }`) written any way HCL1 allows: with the label
// as a second key, as `listener = { tcp = { ... } }`, or in JSON as `"listener": {"tcp": {...}}`
// or a list of such objects. HCL1's decoder flattens all of these into the same thing; so do we.
import type { ItemKey, ObjectNode, ValueNode } from '@coffer/hcl';
import type { ConfigContext } from './config-context.js';
import { describeNode } from './config-values.js';
import type { ConfigEntry } from './config-values.js';

export interface LabeledBlock {
  /** The stanza name as written (`listener`, `storage`, `backend`, ...). */
  readonly name: ItemKey;
  /** The type label, lower-cased as Vault does (`"TCP"` is `tcp`); `label.pos` is where it was written. */
  readonly type: string;
  readonly label: ItemKey;
  readonly body: ObjectNode;
}

/** The labelled blocks one entry holds (several in the JSON list and object forms). */
export function labeledBlocks(ctx: ConfigContext, entry: ConfigEntry): LabeledBlock[] {
  const name = entry.key;
  const usage = `expected ${name.name} "<type>" { ... }`;
  const [label, extra] = entry.labels;
  if (extra) throw ctx.fail(extra.pos, `${name.name} takes one label, got another: ${JSON.stringify(extra.name)}`);
  if (label) return [block(ctx, name, label, entry.value)];
  const containers = entry.value.type === 'list' ? entry.value.items : [entry.value];
  const blocks: LabeledBlock[] = [];
  for (const container of containers) {
    if (container.type !== 'object') throw ctx.fail(container.pos, `${name.name}: ${usage}, got ${describeNode(container)}`);
    if (container.items.length === 0) throw ctx.fail(container.pos, `${name.name}: ${usage}, got an empty block`);
    for (const inner of container.items) {
      const [innerLabel, innerExtra] = inner.keys;
      if (innerExtra) throw ctx.fail(innerExtra.pos, `${name.name} takes one label, got another: ${JSON.stringify(innerExtra.name)}`);
      // `listener { address = "..." }`: the first key is a setting, not a type.
      if (inner.value.type !== 'object' && inner.value.type !== 'list') throw ctx.fail(innerLabel!.pos, `${name.name}: ${usage}, got ${JSON.stringify(innerLabel!.name)} = ${describeNode(inner.value)}`);
      const bodies = inner.value.type === 'list' ? inner.value.items : [inner.value];
      for (const body of bodies) blocks.push(block(ctx, name, innerLabel!, body));
    }
  }
  return blocks;
}

function block(ctx: ConfigContext, name: ItemKey, label: ItemKey, body: ValueNode): LabeledBlock {
  if (body.type !== 'object') throw ctx.fail(body.pos, `${name.name} ${JSON.stringify(label.name)}: expected a block, got ${describeNode(body)}`);
  return { name, type: label.name.toLowerCase(), label, body };
}

/** The body of a stanza that takes no label (`telemetry { ... }`), in HCL or JSON form. */
export function unlabeledBlock(ctx: ConfigContext, entry: ConfigEntry): ObjectNode {
  const label = entry.labels[0];
  if (label) throw ctx.fail(label.pos, `${entry.key.name} takes no label, got ${JSON.stringify(label.name)}`);
  const value = entry.value.type === 'list' && entry.value.items.length === 1 ? entry.value.items[0]! : entry.value;
  if (value.type !== 'object') throw ctx.fail(value.pos, `${entry.key.name}: expected a block, got ${describeNode(value)}`);
  return value;
}
