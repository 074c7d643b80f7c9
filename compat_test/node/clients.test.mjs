// ioredis and node-redis, each with its defaults, against the server on
// REDIS_PORT: commands, pipelines, MULTI, pub/sub and a Lua script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createClient } from 'redis';

const port = Number(process.env.REDIS_PORT || 6379);

test('ioredis', async () => {
  const r = new Redis({ port, host: '127.0.0.1' });
  const sub = new Redis({ port, host: '127.0.0.1' });
  try {
    await r.del('io:k', 'io:n', 'io:a', 'io:t');
    assert.equal(await r.set('io:k', 'v'), 'OK');
    assert.equal(await r.get('io:k'), 'v');
    assert.equal(await r.incrby('io:n', 5), 5);
    assert.deepEqual(await r.lrange('io:nolist', 0, -1), []);
    const res = await r.pipeline().set('io:a', '1').incr('io:a').get('io:a').exec();
    assert.deepEqual(res, [[null, 'OK'], [null, 2], [null, '2']]);
    const tx = await r.multi().set('io:t', 'x').get('io:t').exec();
    assert.deepEqual(tx, [[null, 'OK'], [null, 'x']]);
    assert.equal(await r.eval("return redis.call('get', KEYS[1])", 1, 'io:k'), 'v');
    const got = new Promise((resolve) => sub.on('message', (ch, msg) => resolve([ch, msg])));
    await sub.subscribe('io:ch');
    assert.equal(await r.publish('io:ch', 'hello'), 1);
    assert.deepEqual(await got, ['io:ch', 'hello']);
  } finally {
    r.disconnect();
    sub.disconnect();
  }
});

test('node-redis', async () => {
  const c = createClient({ url: `redis://127.0.0.1:${port}` });
  c.on('error', (e) => { throw e; });
  await c.connect();
  const sub = c.duplicate();
  await sub.connect();
  try {
    await c.del(['nr:k', 'nr:n', 'nr:h', 'nr:t']);
    assert.equal(await c.set('nr:k', 'v'), 'OK');
    assert.equal(await c.get('nr:k'), 'v');
    assert.equal(await c.incrBy('nr:n', 3), 3);
    assert.equal(await c.hSet('nr:h', { a: '1', b: '2' }), 2);
    assert.deepEqual({ ...(await c.hGetAll('nr:h')) }, { a: '1', b: '2' });
    const [a, b] = await Promise.all([c.get('nr:k'), c.incr('nr:n')]);
    assert.deepEqual([a, b], ['v', 4]);
    const tx = await c.multi().set('nr:t', 'x').get('nr:t').exec();
    assert.deepEqual(tx, ['OK', 'x']);
    assert.equal(await c.eval("return ARGV[1]", { keys: [], arguments: ['42'] }), '42');
    const got = new Promise((resolve) => sub.subscribe('nr:ch', (msg, ch) => resolve([ch, msg])));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await c.publish('nr:ch', 'hi'), 1);
    assert.deepEqual(await got, ['nr:ch', 'hi']);
  } finally {
    await sub.quit().catch(() => {});
    await c.quit().catch(() => {});
  }
});
