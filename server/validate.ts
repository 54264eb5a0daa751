import { fail } from './errors.ts';

/** Small checks that throw 400 VALIDATION_FAILED naming the field, so every handler reports bad input alike. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail('VALIDATION_FAILED', 'The body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, name: string, maxLength = 256): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    fail('VALIDATION_FAILED', `"${name}" must be a non-empty string of at most ${maxLength} characters.`, {
      field: name,
    });
  }
  return value;
}

export function integerField(body: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = body[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail('VALIDATION_FAILED', `"${name}" must be an integer from ${min} to ${max}.`, { field: name });
  }
  return value;
}

const skuPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A SKU or product id: well-formed (400) and in the catalogue (404). */
export function catalogueItem(value: unknown, catalogue: ReadonlySet<string>, name = 'sku'): string {
  if (typeof value !== 'string' || !skuPattern.test(value)) {
    fail('VALIDATION_FAILED', `"${name}" must be 1-64 letters, digits, '.', '_' or '-'.`, { field: name });
  }
  if (!catalogue.has(value)) fail('UNKNOWN_SKU', `No product "${value}".`);
  return value;
}
