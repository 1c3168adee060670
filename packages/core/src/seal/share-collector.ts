// Shares handed in one at a time towards a threshold (unseal, rekey, rekey verification).
import { constantTimeEqual, randomUuid, type Random } from '@coffer/sdk';

export class ShareCollector {
  #shares: Uint8Array[] = [];
  #nonce = '';

  constructor(private readonly random: Random) {}

  /** Empty until the first share arrives (unseal), or fixed by `start` (rekey, verify). */
  get nonce(): string {
    return this.#nonce;
  }

  get progress(): number {
    return this.#shares.length;
  }

  start(): void {
    this.reset();
    this.#nonce = randomUuid(this.random);
  }

  /**
   * Adds a share unless it was already given. Every stored share is compared in full, in
   * time that depends only on lengths, so the comparison says nothing about which bytes differ.
   */
  add(share: Uint8Array): boolean {
    let duplicate = false;
    for (const held of this.#shares) duplicate = constantTimeEqual(held, share) || duplicate;
    if (duplicate) {
      share.fill(0);
      return false;
    }
    if (this.#nonce === '') this.#nonce = randomUuid(this.random);
    this.#shares.push(share);
    return true;
  }

  /** Hands over the shares and forgets them, whatever the caller then does with them. */
  take(): Uint8Array[] {
    const shares = this.#shares;
    this.#shares = [];
    return shares;
  }

  reset(): void {
    for (const share of this.#shares) share.fill(0);
    this.#shares = [];
    this.#nonce = '';
  }
}
