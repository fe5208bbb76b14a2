/**
 * Atomic token buckets in Redis, several per call. KEYS: bucket keys. ARGV, three per key: capacity,
 * refill per ms, cost (negative = refund). Uses the server's clock (TIME), so instances with skewed
 * clocks agree. A bucket may go into debt down to −capacity: what instances let through before they
 * heard from Redis is paid back before anyone gets more. Returns per key: tokens left (string) and
 * the ms until one token is there (0 = available). Keys expire once they would be full again.
 */
export const BUCKET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, key in ipairs(KEYS) do
  local base = (i - 1) * 3
  local capacity = tonumber(ARGV[base + 1])
  local rate = tonumber(ARGV[base + 2])
  local cost = tonumber(ARGV[base + 3])
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  if now > at then tokens = math.min(capacity, tokens + (now - at) * rate) end
  tokens = math.max(-capacity, math.min(capacity, tokens - cost))
  redis.call('HSET', key, 't', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate) + 1000)
  local wait = 0
  if tokens < 1 then wait = math.ceil((1 - tokens) / rate) end
  out[#out + 1] = tostring(tokens)
  out[#out + 1] = wait
end
return out
`;
