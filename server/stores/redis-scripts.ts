/**
 * The Lua scripts behind RedisStore. Each runs atomically on the Redis server, so every operation that can race is
 * one round trip and one critical section. ARGV[1] is always the key prefix; the keys a script touches depend on
 * what it reads (a session's secret, user and refresh family), so they are built here from that prefix.
 *
 * Keys, under the prefix P:
 *   user:<id> (hash)              user-email:<email> -> user id
 *   session:<id> (hash: the SessionRecord fields present, plus `secret`, and `family` once a refresh family was
 *                 created for it)
 *   secret:<secret> -> session id  user-sessions:<user id> (set of session ids)
 *   expiry (sorted set: session id scored by the time it expires)
 *   family:<id> (hash)            session-family:<session id> -> family id
 *   cart:<owner> (hash: `id`, `version`, `line:<sku>` -> quantity)
 *   wishlist:<user id> (hash: product id -> addedAt)
 *   orders:<user id> (list of order JSON)
 *   idempotency:<user id> (hash: `fingerprint:<key>`, `order:<key>`)
 *   counters (hash: created, ended, swept)
 *
 * Numbers that must stay exact (times) travel as the decimal strings the caller sent; numbers computed here are
 * written with `int`, because Lua's own number-to-string conversion keeps only 14 significant digits.
 */

const prelude = `
local P = ARGV[1]
local function int(n) return string.format('%.0f', n) end

local function expires_at(last_seen, idle, absolute)
  local at = tonumber(last_seen) + tonumber(idle)
  if absolute then at = math.min(at, tonumber(absolute)) end
  return at
end

local function cart_key(owner) return P .. 'cart:' .. owner end

local function guest_session(owner)
  if string.sub(owner, 1, 6) == 'guest:' then return string.sub(owner, 7) end
  return nil
end

-- The owner's cart key, the cart created if missing: a guest cart only while its session exists, else the script
-- stops here with nothing written.
local function ensure_cart(owner, new_id)
  local key = cart_key(owner)
  if redis.call('EXISTS', key) == 1 then return key end
  local session = guest_session(owner)
  if session and redis.call('EXISTS', P .. 'session:' .. session) == 0 then
    error({ err = 'GUEST_SESSION_ENDED ' .. session })
  end
  redis.call('HSET', key, 'id', new_id, 'version', 0)
  return key
end

local function is_line(field) return string.sub(field, 1, 5) == 'line:' end

-- The session under a secret as found (flat and as a table), touched to now (a decimal string) when live at now and
-- its lastSeenAt more than window ms behind (isTouchDue); nil when there is none.
local function find_and_touch(secret, now, window)
  local id = redis.call('GET', P .. 'secret:' .. secret)
  if not id then return nil end
  local key = P .. 'session:' .. id
  local flat = redis.call('HGETALL', key)
  local hash = {}
  for i = 1, #flat, 2 do hash[flat[i]] = flat[i + 1] end
  if not hash.lastSeenAt then return nil end
  local live = tonumber(now) < expires_at(hash.lastSeenAt, hash.idleTimeoutMs, hash.absoluteExpiresAt)
  if live and tonumber(now) - tonumber(hash.lastSeenAt) > tonumber(window) then
    redis.call('HSET', key, 'lastSeenAt', now)
    redis.call('ZADD', P .. 'expiry', int(expires_at(now, hash.idleTimeoutMs, hash.absoluteExpiresAt)), id)
  end
  return flat, hash, live
end

-- Removes a session and what lives and dies with it; returns {guest cart removed, family removed} or nil.
local function remove_session(id)
  local key = P .. 'session:' .. id
  local fields = redis.call('HMGET', key, 'secret', 'userId')
  local secret, user_id = fields[1], fields[2]
  if not secret then return nil end
  redis.call('DEL', key, P .. 'secret:' .. secret)
  redis.call('ZREM', P .. 'expiry', id)
  if user_id then redis.call('SREM', P .. 'user-sessions:' .. user_id, id) end
  local family_link = P .. 'session-family:' .. id
  local family_id = redis.call('GET', family_link)
  if family_id then redis.call('DEL', P .. 'family:' .. family_id, family_link) end
  local cart = 0
  if not user_id then cart = redis.call('DEL', cart_key('guest:' .. id)) end
  return { cart, family_id and 1 or 0 }
end
`;

/** mergeQuantity from store.ts, line for line, so the Redis store cannot disagree with the others. */
const mergeQuantity = `
local function merge_quantity(strategy, user_quantity, guest_quantity, max_line_quantity)
  if not user_quantity then return math.min(guest_quantity, max_line_quantity) end
  if strategy == 'sum' then return math.min(user_quantity + guest_quantity, max_line_quantity) end
  if strategy == 'max' then return math.max(user_quantity, guest_quantity) end
  if strategy == 'replace' then return guest_quantity end
  if strategy == 'keep-user' then return user_quantity end
  error('unknown merge strategy ' .. tostring(strategy))
end
`;

const bodies = {
  /** ARGV: id, email, passwordHash -> 1 created, 0 email taken */
  spCreateUser: `
if redis.call('SETNX', P .. 'user-email:' .. ARGV[3], ARGV[2]) == 0 then return 0 end
redis.call('HSET', P .. 'user:' .. ARGV[2], 'id', ARGV[2], 'email', ARGV[3], 'passwordHash', ARGV[4])
return 1`,

  /** ARGV: secret, id, expiresAt, field/value pairs of the record (null fields left out) */
  spCreateSession: `
local secret, id = ARGV[2], ARGV[3]
local key = P .. 'session:' .. id
redis.call('DEL', key)
redis.call('HSET', key, 'secret', secret, unpack(ARGV, 5))
local user_id = redis.call('HGET', key, 'userId')
if user_id then
  redis.call('SADD', P .. 'user-sessions:' .. user_id, id)
elseif redis.call('EXISTS', P .. 'session-family:' .. id) == 1 then
  -- A guest session whose family came first: marked, so the sweep ends that family with it.
  redis.call('HSET', key, 'family', '1')
end
redis.call('SET', P .. 'secret:' .. secret, id)
redis.call('ZADD', P .. 'expiry', ARGV[4], id)
redis.call('HINCRBY', P .. 'counters', 'created', 1)
return 1`,

  /** ARGV: secret -> the session hash, flat, or nil */
  spFindSessionBySecret: `
local id = redis.call('GET', P .. 'secret:' .. ARGV[2])
if not id then return false end
return redis.call('HGETALL', P .. 'session:' .. id)`,

  /** ARGV: secret, now, touch window -> the session hash as found, flat, or nil; touched to now when a touch is due */
  spFindSessionBySecretAndTouch: `
return find_and_touch(ARGV[2], ARGV[3], ARGV[4]) or false`,

  /**
   * ARGV: secret, now, touch window, new cart id -> nil, or {session hash as found, flat; for a session live at now,
   * its cart hash}
   */
  spFindSessionWithCart: `
local flat, hash, live = find_and_touch(ARGV[2], ARGV[3], ARGV[4])
if not flat then return false end
if not live then return { flat } end
local owner = hash.userId and ('user:' .. hash.userId) or ('guest:' .. hash.id)
return { flat, redis.call('HGETALL', ensure_cart(owner, ARGV[5])) }`,

  /** ARGV: secret, id, expiresAt, field/value pairs -> 1 replaced, 0 the session is gone */
  spReplaceSession: `
local secret, id = ARGV[2], ARGV[3]
if redis.call('GET', P .. 'secret:' .. secret) ~= id then return 0 end
local key = P .. 'session:' .. id
local old = redis.call('HMGET', key, 'userId', 'family')
local old_user = old[1]
redis.call('DEL', key)
redis.call('HSET', key, 'secret', secret, unpack(ARGV, 5))
if old[2] then redis.call('HSET', key, 'family', old[2]) end
local new_user = redis.call('HGET', key, 'userId')
if old_user ~= new_user then
  if old_user then redis.call('SREM', P .. 'user-sessions:' .. old_user, id) end
  if new_user then redis.call('SADD', P .. 'user-sessions:' .. new_user, id) end
end
redis.call('ZADD', P .. 'expiry', ARGV[4], id)
return 1`,

  /** ARGV: id, lastSeenAt -> 1 the session exists, 0 it is gone */
  spTouchSession: `
local key = P .. 'session:' .. ARGV[2]
local fields = redis.call('HMGET', key, 'lastSeenAt', 'idleTimeoutMs', 'absoluteExpiresAt')
if not fields[1] then return 0 end
if tonumber(ARGV[3]) > tonumber(fields[1]) then
  redis.call('HSET', key, 'lastSeenAt', ARGV[3])
  redis.call('ZADD', P .. 'expiry', int(expires_at(ARGV[3], fields[2], fields[3])), ARGV[2])
end
return 1`,

  /** ARGV: id -> 1 ended, 0 already gone */
  spEndSession: `
if not remove_session(ARGV[2]) then return 0 end
redis.call('HINCRBY', P .. 'counters', 'ended', 1)
return 1`,

  /** ARGV: user id -> sessions ended */
  spEndUserSessions: `
local index = P .. 'user-sessions:' .. ARGV[2]
local ended = 0
for _, id in ipairs(redis.call('SMEMBERS', index)) do
  if remove_session(id) then ended = ended + 1 end
end
redis.call('DEL', index)
if ended > 0 then redis.call('HINCRBY', P .. 'counters', 'ended', ended) end
return ended`,

  /** ARGV: user id -> one flat session hash per indexed session */
  spListUserSessions: `
local sessions = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'user-sessions:' .. ARGV[2])) do
  local flat = redis.call('HGETALL', P .. 'session:' .. id)
  if #flat > 0 then sessions[#sessions + 1] = flat end
end
return sessions`,

  /** ARGV: now -> {sessions indexed, expired at now, created, ended, swept} */
  spSessionStats: `
local counters = redis.call('HMGET', P .. 'counters', 'created', 'ended', 'swept')
return {
  redis.call('ZCARD', P .. 'expiry'),
  redis.call('ZCOUNT', P .. 'expiry', '-inf', ARGV[2]),
  counters[1] or '0', counters[2] or '0', counters[3] or '0',
}`,

  /**
   * ARGV: now, limit -> {sessions, carts, refresh families} removed, and the microseconds the script ran. Does what
   * remove_session does for each due session, in bulk: one HMGET per session (its secret, user and family mark), the
   * expiry entries cut in one ZREMRANGEBYRANK (the due ones are the set's first ranks), and the keys dropped by
   * UNLINK a thousand at a time. A refresh family is looked up only where one can be (a signed-in session, or one
   * marked when its family was created).
   */
  spSweep: `
local started = redis.call('TIME')
local expiry = P .. 'expiry'
local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local sessions, carts, families = 0, 0, 0
local doomed, guest_carts = {}, {}
for _, id in ipairs(due) do
  local key = P .. 'session:' .. id
  local fields = redis.call('HMGET', key, 'secret', 'userId', 'family')
  local secret, user_id = fields[1], fields[2]
  if secret then
    sessions = sessions + 1
    doomed[#doomed + 1] = key
    doomed[#doomed + 1] = P .. 'secret:' .. secret
    if user_id then
      redis.call('SREM', P .. 'user-sessions:' .. user_id, id)
    else
      guest_carts[#guest_carts + 1] = cart_key('guest:' .. id)
    end
    if user_id or fields[3] then
      local family_link = P .. 'session-family:' .. id
      local family_id = redis.call('GET', family_link)
      if family_id then
        families = families + 1
        doomed[#doomed + 1] = P .. 'family:' .. family_id
        doomed[#doomed + 1] = family_link
      end
    end
  end
end
if #due > 0 then redis.call('ZREMRANGEBYRANK', expiry, 0, #due - 1) end
for i = 1, #doomed, 1000 do redis.call('UNLINK', unpack(doomed, i, math.min(i + 999, #doomed))) end
for i = 1, #guest_carts, 1000 do
  carts = carts + redis.call('UNLINK', unpack(guest_carts, i, math.min(i + 999, #guest_carts)))
end
if sessions > 0 then redis.call('HINCRBY', P .. 'counters', 'swept', sessions) end
local finished = redis.call('TIME')
return { sessions, carts, families, (finished[1] - started[1]) * 1000000 + (finished[2] - started[2]) }`,

  /** ARGV: owner, new cart id -> the cart hash, flat */
  spGetOrCreateCart: `
local key = ensure_cart(ARGV[2], ARGV[3])
return redis.call('HGETALL', key)`,

  /** ARGV: owner, new cart id, sku, quantity, max line quantity -> the cart hash, or nil over the cap */
  spAddToCart: `
local key = ensure_cart(ARGV[2], ARGV[3])
local field = 'line:' .. ARGV[4]
local quantity = tonumber(redis.call('HGET', key, field) or '0') + tonumber(ARGV[5])
if quantity > tonumber(ARGV[6]) then return false end
redis.call('HINCRBY', key, field, ARGV[5])
redis.call('HINCRBY', key, 'version', 1)
return redis.call('HGETALL', key)`,

  /** ARGV: owner, new cart id, sku, quantity (0 removes) -> the cart hash */
  spSetCartLine: `
local key = ensure_cart(ARGV[2], ARGV[3])
if tonumber(ARGV[5]) == 0 then
  redis.call('HDEL', key, 'line:' .. ARGV[4])
else
  redis.call('HSET', key, 'line:' .. ARGV[4], ARGV[5])
end
redis.call('HINCRBY', key, 'version', 1)
return redis.call('HGETALL', key)`,

  /** ARGV: owner, new cart id, sku -> the cart hash */
  spRemoveCartLine: `
local key = ensure_cart(ARGV[2], ARGV[3])
redis.call('HDEL', key, 'line:' .. ARGV[4])
redis.call('HINCRBY', key, 'version', 1)
return redis.call('HGETALL', key)`,

  /**
   * ARGV: guest owner, user owner, new cart id, strategy, max line quantity -> the user cart hash; the guest session
   * ends here too
   */
  spMergeCarts: `${mergeQuantity}
local target = ensure_cart(ARGV[3], ARGV[4])
local source = cart_key(ARGV[2])
local flat = redis.call('HGETALL', source)
local merged = false
for i = 1, #flat, 2 do
  if is_line(flat[i]) then
    local user_quantity = redis.call('HGET', target, flat[i])
    local quantity = merge_quantity(ARGV[5], user_quantity and tonumber(user_quantity), tonumber(flat[i + 1]),
      tonumber(ARGV[6]))
    redis.call('HSET', target, flat[i], int(quantity))
    merged = true
  end
end
if merged then redis.call('HINCRBY', target, 'version', 1) end
redis.call('DEL', source)
local session = guest_session(ARGV[2])
if session and remove_session(session) then redis.call('HINCRBY', P .. 'counters', 'ended', 1) end
return redis.call('HGETALL', target)`,

  /**
   * ARGV: owner, user id, order id, now, '1' with an idempotency key else '0', key, fingerprint
   * -> {'created' | 'replayed', order JSON} | {'empty'} | {'conflict'}
   */
  spCheckout: `
local owner, user_id, order_id, now, keyed, idem_key, fingerprint = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6] == '1', ARGV[7], ARGV[8]
local idempotency = P .. 'idempotency:' .. user_id
if keyed then
  local earlier = redis.call('HMGET', idempotency, 'fingerprint:' .. idem_key, 'order:' .. idem_key)
  if earlier[1] then
    if earlier[1] ~= fingerprint then return { 'conflict' } end
    return { 'replayed', earlier[2] }
  end
end
local key = cart_key(owner)
local flat = redis.call('HGETALL', key)
local items, fields = {}, {}
for i = 1, #flat, 2 do
  if is_line(flat[i]) then
    items[#items + 1] = '{"sku":' .. cjson.encode(string.sub(flat[i], 6)) .. ',"quantity":' .. flat[i + 1] .. '}'
    fields[#fields + 1] = flat[i]
  end
end
if #items == 0 then return { 'empty' } end
local order = '{"id":' .. cjson.encode(order_id) .. ',"items":[' .. table.concat(items, ',') .. '],"createdAt":' .. now .. '}'
redis.call('HDEL', key, unpack(fields))
redis.call('HINCRBY', key, 'version', 1)
redis.call('RPUSH', P .. 'orders:' .. user_id, order)
if keyed then
  redis.call('HSET', idempotency, 'fingerprint:' .. idem_key, fingerprint, 'order:' .. idem_key, order)
end
return { 'created', order }`,

  /** ARGV: id, session id, user id, generation, rotatedAt */
  spCreateRefreshFamily: `
local key = P .. 'family:' .. ARGV[2]
redis.call('DEL', key)
redis.call('HSET', key, 'id', ARGV[2], 'sessionId', ARGV[3], 'userId', ARGV[4], 'generation', ARGV[5], 'rotatedAt', ARGV[6])
redis.call('SET', P .. 'session-family:' .. ARGV[3], ARGV[2])
-- Marks the session (when it exists) so the sweep looks its family up even if it has no user.
local session = P .. 'session:' .. ARGV[3]
if redis.call('EXISTS', session) == 1 then redis.call('HSET', session, 'family', '1') end
return 1`,

  /** ARGV: id, from generation, rotatedAt -> 1 moved on, 0 lost the race or gone */
  spAdvanceRefreshFamily: `
local key = P .. 'family:' .. ARGV[2]
local generation = redis.call('HGET', key, 'generation')
if not generation or tonumber(generation) ~= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', key, 'generation', int(tonumber(ARGV[3]) + 1), 'rotatedAt', ARGV[4])
return 1`,
} as const;

export type ScriptName = keyof typeof bodies;

export const scripts = Object.fromEntries(
  Object.entries(bodies).map(([name, body]) => [name, `${prelude}\n${body}`]),
) as Record<ScriptName, string>;
