export function check<T>(value: T, checks: Record<string, (value: T) => boolean>): boolean {
  return Object.values(checks).every((predicate) => predicate(value));
}

export function sleep(): void {}
