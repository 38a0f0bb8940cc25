/** Hash slots of a Redis Cluster: a key belongs to slot CRC16(key) mod 16384. */
export const HASH_SLOTS = 16384;

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), the CRC Redis Cluster hashes keys with. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** The CRC after one more byte. */
export function crc16Byte(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff];
}

/** CRC16 of a string's UTF-8 bytes, continuing from `crc`. */
export function crc16(text: string, crc = 0): number {
  for (const byte of new TextEncoder().encode(text)) crc = crc16Byte(crc, byte);
  return crc;
}

/**
 * The hash slot of the key `<prefix><n>` (n a non-negative integer written in decimal) from
 * the CRC of its prefix, without building the string: the digits are fed most significant first.
 */
export function slotOfNumberedKey(prefixCrc: number, n: number): number {
  let divisor = 1;
  while (divisor * 10 <= n) divisor *= 10;
  let crc = prefixCrc;
  for (; divisor >= 1; divisor /= 10) crc = crc16Byte(crc, 48 + (Math.floor(n / divisor) % 10));
  return crc % HASH_SLOTS;
}

/** The shard that serves `slot` when `shards` shards split the slots into equal contiguous ranges (as `redis-cli --cluster create` assigns them). */
export function shardOfSlot(slot: number, shards: number): number {
  return Math.floor((slot * shards) / HASH_SLOTS);
}
