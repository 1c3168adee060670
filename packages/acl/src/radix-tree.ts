// A compressed prefix tree answering "longest stored key that is a prefix of this string" in time
// proportional to the string's length, without allocating: how prefix (`*`) rules are found.

interface RadixNode<T> {
  /** The edge label leading into this node (empty only at the root). */
  label: string;
  value: T | undefined;
  /** Children by the first UTF-16 unit of their label. */
  children: Map<number, RadixNode<T>> | undefined;
}

export class RadixTree<T> {
  private readonly root: RadixNode<T> = { label: '', value: undefined, children: undefined };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores `value` under `key`, replacing any value already there. */
  set(key: string, value: T): void {
    let node = this.root;
    let pos = 0;
    for (;;) {
      if (pos === key.length) {
        if (node.value === undefined) this.count++;
        node.value = value;
        return;
      }
      const first = key.charCodeAt(pos);
      const child = node.children?.get(first);
      if (child === undefined) {
        (node.children ??= new Map()).set(first, { label: key.slice(pos), value, children: undefined });
        this.count++;
        return;
      }
      const label = child.label;
      const limit = Math.min(label.length, key.length - pos);
      let common = 0;
      while (common < limit && label.charCodeAt(common) === key.charCodeAt(pos + common)) common++;
      if (common < label.length) {
        // The new key diverges inside this edge: split it at the divergence.
        const rest = label.slice(common);
        const middle: RadixNode<T> = { label: label.slice(0, common), value: undefined, children: new Map([[rest.charCodeAt(0), child]]) };
        child.label = rest;
        node.children!.set(first, middle);
        node = middle;
      } else {
        node = child;
      }
      pos += common;
    }
  }

  /** The value stored under the exact key, if any. */
  get(key: string): T | undefined {
    let node = this.root;
    let pos = 0;
    while (pos < key.length) {
      const child = node.children?.get(key.charCodeAt(pos));
      if (child === undefined || !key.startsWith(child.label, pos)) return undefined;
      pos += child.label.length;
      node = child;
    }
    return node.value;
  }

  /** The value under the longest stored key that `text` starts with (the empty key counts). */
  longestPrefix(text: string): T | undefined {
    let node = this.root;
    let best = node.value;
    let pos = 0;
    while (pos < text.length) {
      const child = node.children?.get(text.charCodeAt(pos));
      if (child === undefined || !text.startsWith(child.label, pos)) break;
      pos += child.label.length;
      if (child.value !== undefined) best = child.value;
      node = child;
    }
    return best;
  }
}
