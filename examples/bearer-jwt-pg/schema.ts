import pg from 'pg';

/**
 * Tables are created at start, in a schema of the app's own (PGSCHEMA), so one database can hold several
 * deployments and a test run can use a fresh schema and drop it.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- One family per login: every refresh token descended from that login's first one.
      CREATE TABLE IF NOT EXISTS refresh_families (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      -- Only a hash of each token is stored: a leaked table holds nothing a client could present.
      CREATE TABLE IF NOT EXISTS refresh_tokens (
        token_hash text PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
        used boolean NOT NULL DEFAULT false,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
      CREATE TABLE IF NOT EXISTS products (
        sku text PRIMARY KEY,
        name text NOT NULL,
        price integer NOT NULL CHECK (price >= 0)
      );
      CREATE TABLE IF NOT EXISTS cart_lines (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        sku text NOT NULL REFERENCES products (sku),
        quantity integer NOT NULL CHECK (quantity > 0),
        added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (user_id, sku)
      );
      CREATE TABLE IF NOT EXISTS orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        total integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE TABLE IF NOT EXISTS order_lines (
        order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        sku text NOT NULL,
        quantity integer NOT NULL,
        unit_price integer NOT NULL,
        PRIMARY KEY (order_id, sku)
      );
      INSERT INTO products (sku, name, price)
        SELECT 'SKU-' || lpad(n::text, 4, '0'), 'Product ' || n, 150 + (n * 71) % 2000
        FROM generate_series(1, 200) AS n
        ON CONFLICT (sku) DO NOTHING;
    `);
  } finally {
    client.release();
  }
}
