/** The most one line may hold; more is capped. */
export const maxLineQuantity = 999;

/** SKU to quantity; an empty cart is absent. */
export type Lines = Map<string, number>;

/**
 * Carts in memory, by owner: `guest:<session id>` for a visitor, `user:<email>` for an account. Every method is
 * synchronous, so each request's read or write of a cart is atomic; only a handler that awaits between two of them
 * can interleave with another request.
 */
export class Carts {
  readonly #byOwner = new Map<string, Lines>();

  get(owner: string): Lines {
    return new Map(this.#byOwner.get(owner));
  }

  add(owner: string, sku: string, quantity: number): void {
    const lines = this.get(owner);
    lines.set(sku, Math.min(maxLineQuantity, (lines.get(sku) ?? 0) + quantity));
    this.#byOwner.set(owner, lines);
  }

  /** Sets a line, creating it; 0 removes it. */
  set(owner: string, sku: string, quantity: number): void {
    const lines = this.get(owner);
    if (quantity > 0) lines.set(sku, Math.min(maxLineQuantity, quantity));
    else lines.delete(sku);
    if (lines.size > 0) this.#byOwner.set(owner, lines);
    else this.#byOwner.delete(owner);
  }

  delete(owner: string): void {
    this.#byOwner.delete(owner);
  }
}
