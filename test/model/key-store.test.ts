import { describe, expect, test } from 'vitest';
import { RandomStreams } from '../../src/engine/index.js';
import { crc16, HASH_SLOTS, shardOfSlot, slotOfNumberedKey } from '../../src/model/cache/hash-slot.js';
import { EVICT_LRU, EVICT_NONE, KeyStore } from '../../src/model/cache/key-store.js';

describe('the key store', () => {
  test('matches an exact LRU reference (a Map in recency order) over 60k random GETs, SETs with TTLs and DELs', () => {
    const random = new RandomStreams(1).get('ops');
    const store = new KeyStore(300, EVICT_LRU, new RandomStreams(1).get('store'));
    const reference = new Map<number, number>(); // key → expiry, least recent first
    let now = 0;
    for (let i = 0; i < 60_000; i++) {
      now += 10;
      const key = Math.floor(random() ** 2 * 1000);
      const op = random();
      if (op < 0.6) {
        const expiry = reference.get(key);
        const live = expiry !== undefined && expiry > now;
        if (expiry !== undefined) reference.delete(key);
        if (live) reference.set(key, expiry);
        const e = store.lookup(key, now);
        expect(e >= 0, `GET ${key} at ${now}`).toBe(live);
        if (e >= 0) store.touch(e, now);
      } else if (op < 0.95) {
        const expiry = now + 1 + Math.floor(random() * 5000);
        if (!reference.has(key) && reference.size >= 300) reference.delete(reference.keys().next().value!);
        reference.delete(key);
        reference.set(key, expiry);
        store.set(key, now, expiry, 0);
      } else {
        reference.delete(key);
        store.delete(key);
      }
      expect(store.count).toBe(reference.size);
    }
    expect(store.evictions).toBeGreaterThan(0);
  });

  test('under noeviction a full store keeps its keys and does not store a new one', () => {
    const store = new KeyStore(2, EVICT_NONE, () => 0.5);
    store.set(1, 0, Infinity, 0);
    store.set(2, 0, Infinity, 0);
    expect(store.set(3, 0, Infinity, 0)).toBe(-1);
    expect(store.lookup(1, 1)).toBeGreaterThanOrEqual(0);
    expect(store.lookup(3, 1)).toBe(-1);
    expect(store.evictions).toBe(0);
  });

  test('active expiry deletes expired keys without their being read', () => {
    const store = new KeyStore(Infinity, EVICT_LRU, new RandomStreams(2).get('store'));
    for (let key = 0; key < 5000; key++) store.set(key, 0, key < 4000 ? 100 : Infinity, 0);
    for (let cycle = 0; cycle < 200 && store.count > 1000; cycle++) store.expireCycle(200);
    expect(store.count).toBeLessThan(1100);
    expect(store.expired).toBeGreaterThan(3900);
  });
});

describe('Redis Cluster hash slots', () => {
  test('CRC16 is XMODEM (check value of "123456789" is 0x31C3) and slots match CLUSTER KEYSLOT', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    // Redis's documented examples: CLUSTER KEYSLOT somekey → 11058; foo → 12182; hello → 866.
    expect(crc16('somekey') % HASH_SLOTS).toBe(11058);
    expect(crc16('foo') % HASH_SLOTS).toBe(12182);
    expect(crc16('hello') % HASH_SLOTS).toBe(866);
  });

  test('a numbered key hashes as its text does, without building it', () => {
    for (const n of [0, 7, 10, 99, 12345, 9_999_999]) expect(slotOfNumberedKey(crc16('product:'), n)).toBe(crc16(`product:${n}`) % HASH_SLOTS);
  });

  test('uniform keys spread evenly over 3 shards (chi-square below its 99.9% quantile, 2 degrees of freedom: 13.8)', () => {
    const counts = [0, 0, 0];
    const prefix = crc16('user:');
    for (let n = 0; n < 30_000; n++) counts[shardOfSlot(slotOfNumberedKey(prefix, n), 3)]++;
    const chi2 = counts.reduce((sum, c) => sum + (c - 10_000) ** 2 / 10_000, 0);
    expect(chi2).toBeLessThan(13.8);
  });
});
