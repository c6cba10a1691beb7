/**
 * The DES variant China Telecom's 4G self-management CMP signs with (`strEnc` / `strDec` of the
 * carrier's old JavaScript demo), ported from the description in cn-carriers-notes.md
 * ("China Telecom — 4G self-management CMP", `strEnc`). Written here because Node's OpenSSL 3
 * refuses single DES, and because the key schedule is not standard DES:
 *
 * - text is cut into 4-character blocks, each character 16 bits big-endian, the last block
 *   zero-padded; each 3-character key likewise becomes one 64-bit key;
 * - each block is encrypted with k1, then k2, then k3 (encrypt-encrypt-encrypt, not EDE);
 * - IP, E, the S-boxes, P, PC-2 and the shifts are standard DES; PC-1 is
 *   `key56[i*8 + j] = keyBits[8*(7 - j) + i]` (i = 0..6, j = 0..7);
 * - output is uppercase hex, 16 characters per block (ECB).
 *
 * The key schedule keeps bits one byte each (computed once per key); blocks are two 32-bit
 * halves and the round function eight S-box-and-P table lookups.
 */

// Standard DES tables (FIPS 46-3), 1-based as published.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37,
  5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2,
  42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S: number[][] = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11,
    9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5,
    11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10,
    6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2,
    11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12,
    11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4,
    15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1,
    10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9,
    4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10,
    3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6,
    15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14,
    0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10,
    11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12,
    2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9,
    5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11,
    0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13,
    15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

type Bits = Uint8Array<ArrayBuffer>;

function permute(input: Bits, table: readonly number[]): Bits {
  const output = new Uint8Array(table.length);
  for (let index = 0; index < table.length; index += 1) output[index] = input[table[index]! - 1]!;
  return output;
}

/** Up to four characters as 64 bits: each character 16 bits big-endian, missing ones zero. */
function textBlock(text: string): Bits {
  const bits = new Uint8Array(64);
  for (let char = 0; char < Math.min(4, text.length); char += 1) {
    const code = text.charCodeAt(char);
    for (let bit = 0; bit < 16; bit += 1) bits[char * 16 + bit] = (code >>> (15 - bit)) & 1;
  }
  return bits;
}

/** The sixteen 48-bit round keys of one 64-bit key, with this variant's PC-1. */
function roundKeys(keyBits: Bits): Bits[] {
  const key = new Uint8Array(56);
  // Not standard PC-1 (cn-carriers-notes.md, `strEnc`): key56[i*8 + j] = keyBits[8*(7 - j) + i].
  for (let i = 0; i < 7; i += 1) {
    for (let j = 0; j < 8; j += 1) key[i * 8 + j] = keyBits[8 * (7 - j) + i]!;
  }
  const keys: Bits[] = [];
  for (const shift of SHIFTS) {
    for (let turn = 0; turn < shift; turn += 1) {
      const left = key[0]!;
      const right = key[28]!;
      key.copyWithin(0, 1, 28);
      key.copyWithin(28, 29, 56);
      key[27] = left;
      key[55] = right;
    }
    keys.push(permute(key, PC2));
  }
  return keys;
}

/** A 64-bit block as two 32-bit halves, bit 0 the most significant bit of `hi`. */
interface Block {
  hi: number;
  lo: number;
}

function bitOf(block: Block, position: number): number {
  return position < 32 ? (block.hi >>> (31 - position)) & 1 : (block.lo >>> (63 - position)) & 1;
}

function permute64(block: Block, table: readonly number[]): Block {
  let hi = 0;
  let lo = 0;
  for (let index = 0; index < 32; index += 1) hi = (hi << 1) | bitOf(block, table[index]! - 1);
  for (let index = 32; index < 64; index += 1) lo = (lo << 1) | bitOf(block, table[index]! - 1);
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** S-box then P, per box and 6-bit input: the round function is eight lookups. */
const SP: Uint32Array[] = S.map((box, boxIndex) => {
  const table = new Uint32Array(64);
  for (let six = 0; six < 64; six += 1) {
    const row = ((six >>> 4) & 2) | (six & 1);
    const column = (six >>> 1) & 15;
    const value = box[row * 16 + column]!;
    // The four output bits sit at positions boxIndex*4 .. +3 before P.
    let before = 0;
    for (let bit = 0; bit < 4; bit += 1) {
      if ((value >>> (3 - bit)) & 1) before |= 1 << (31 - (boxIndex * 4 + bit));
    }
    let after = 0;
    for (let index = 0; index < 32; index += 1) {
      after = (after << 1) | ((before >>> (32 - P[index]!)) & 1);
    }
    table[six] = after >>> 0;
  }
  return table;
});

/**
 * The expansion E (rows 32 1 2 3 4 5, 4 5 6 7 8 9, … 28 29 30 31 32 1) gives box b the six
 * bits of R starting at bit 4b − 1 (0-based from the MSB, wrapping): R rotated left by 4b − 1,
 * top six bits.
 */
function feistel(right: number, roundKey: Uint8Array): number {
  let output = 0;
  for (let box = 0; box < 8; box += 1) {
    const turn = (box * 4 + 31) & 31;
    const rotated = turn === 0 ? right : (right << turn) | (right >>> (32 - turn));
    output |= SP[box]![((rotated >>> 26) & 63) ^ roundKey[box]!]!;
  }
  return output >>> 0;
}

function crypt(block: Block, keys: Uint8Array[], decrypt: boolean): Block {
  const permuted = permute64(block, IP);
  let left = permuted.hi;
  let right = permuted.lo;
  for (let round = 0; round < 16; round += 1) {
    const next = (left ^ feistel(right, keys[decrypt ? 15 - round : round]!)) >>> 0;
    left = right;
    right = next;
  }
  return permute64({ hi: right, lo: left }, FP);
}

function blockOf(bits: Bits): Block {
  let hi = 0;
  let lo = 0;
  for (let index = 0; index < 32; index += 1) hi = (hi << 1) | bits[index]!;
  for (let index = 32; index < 64; index += 1) lo = (lo << 1) | bits[index]!;
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

function toHex(block: Block): string {
  return (
    block.hi.toString(16).padStart(8, '0') + block.lo.toString(16).padStart(8, '0')
  ).toUpperCase();
}

function fromHex(hex: string): Block {
  return {
    hi: Number.parseInt(hex.slice(0, 8), 16) >>> 0,
    lo: Number.parseInt(hex.slice(8, 16), 16) >>> 0,
  };
}

/** A round key's 48 bits as eight 6-bit groups, one per S-box. */
function keyGroups(roundKey: Bits): Uint8Array {
  const groups = new Uint8Array(8);
  for (let box = 0; box < 8; box += 1) {
    let six = 0;
    for (let bit = 0; bit < 6; bit += 1) six = (six << 1) | roundKey[box * 6 + bit]!;
    groups[box] = six;
  }
  return groups;
}

/**
 * The round keys of each of the three keys. The demo cuts a key longer than four characters
 * into 4-character pieces, each its own key; the CMP's keys are 3 characters, so one key each.
 */
function keySchedules(keys: readonly [string, string, string]): Uint8Array[][] {
  const schedules: Uint8Array[][] = [];
  for (const key of keys) {
    if (key === '') continue;
    for (let start = 0; start < key.length; start += 4) {
      schedules.push(roundKeys(textBlock(key.slice(start, start + 4))).map(keyGroups));
    }
  }
  return schedules;
}

/** A reusable cipher for one account's three keys (the schedules are computed once). */
export class TelecomCmpCipher {
  readonly #schedules: Uint8Array[][];

  constructor(k1: string, k2: string, k3: string) {
    this.#schedules = keySchedules([k1, k2, k3]);
  }

  /** The 9-character account key cut into three ("平均分为三段"). */
  static fromKey(key: string): TelecomCmpCipher {
    const [k1, k2, k3] = splitTelecomCmpKey(key);
    return new TelecomCmpCipher(k1, k2, k3);
  }

  /** `strEnc`: uppercase hex, 16 characters per 4-character block. Empty text gives ''. */
  encrypt(text: string): string {
    let output = '';
    for (let start = 0; start < text.length; start += 4) {
      let block = blockOf(textBlock(text.slice(start, start + 4)));
      for (const keys of this.#schedules) block = crypt(block, keys, false);
      output += toHex(block);
    }
    return output;
  }

  /** `strDec`: hex back to text; zero characters (the padding) are dropped, as the demo does. */
  decrypt(hex: string): string {
    const clean = hex.trim();
    if (clean.length % 16 !== 0 || !/^[0-9A-Fa-f]*$/.test(clean)) {
      throw new RangeError('not strEnc output: expected hex in 16-character blocks');
    }
    let output = '';
    for (let start = 0; start < clean.length; start += 16) {
      let block = fromHex(clean.slice(start, start + 16));
      for (let index = this.#schedules.length - 1; index >= 0; index -= 1) {
        block = crypt(block, this.#schedules[index]!, true);
      }
      for (const code of [block.hi >>> 16, block.hi & 0xffff, block.lo >>> 16, block.lo & 0xffff]) {
        if (code !== 0) output += String.fromCharCode(code);
      }
    }
    return output;
  }
}

/** k1 = key[0:3], k2 = key[3:6], k3 = key[6:9]. */
export function splitTelecomCmpKey(key: string): [string, string, string] {
  return [key.slice(0, 3), key.slice(3, 6), key.slice(6, 9)];
}

/** `strEnc(text, k1, k2, k3)` with a 9-character account key. */
export function telecomCmpEncrypt(text: string, key: string): string {
  return TelecomCmpCipher.fromKey(key).encrypt(text);
}

/** `strDec(hex, k1, k2, k3)` with a 9-character account key. */
export function telecomCmpDecrypt(hex: string, key: string): string {
  return TelecomCmpCipher.fromKey(key).decrypt(hex);
}
