/** The catalogue: SKU-0001 to SKU-0200, unit prices in cents. */
export const catalog = new Map<string, number>(
  Array.from({ length: 200 }, (_, i): [string, number] => [
    `SKU-${String(i + 1).padStart(4, '0')}`,
    250 + ((i * 53) % 1750),
  ]),
);
