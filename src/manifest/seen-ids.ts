/**
 * The set of ids seen so far, kept compact so a million-row manifest checks uniqueness in about
 * 24 bytes per id instead of a Map of strings: an open-addressing table of 64-bit hashes (two
 * independent 32-bit hashes) with the line of each id's first occurrence. Two different ids collide
 * with probability about n²/2⁶⁵ (3·10⁻⁸ for a million ids).
 */
export class SeenIds {
  #high = new Uint32Array(1 << 12);
  #low = new Uint32Array(1 << 12);
  #lines = new Uint32Array(1 << 12);
  #size = 0;

  /** Records `id` first seen on `line`; returns the earlier line when it was already seen. */
  add(id: string, line: number): number | undefined {
    const [high, low] = hash64(id);
    const mask = this.#lines.length - 1;
    let slot = low & mask;
    // line 0 marks an empty slot: manifest lines start at 1.
    while (this.#lines[slot] !== 0) {
      if (this.#high[slot] === high && this.#low[slot] === low) return this.#lines[slot];
      slot = (slot + 1) & mask;
    }
    this.#high[slot] = high;
    this.#low[slot] = low;
    this.#lines[slot] = line;
    if (++this.#size * 2 > this.#lines.length) this.#grow();
    return undefined;
  }

  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const [highs, lows, lines] = [this.#high, this.#low, this.#lines];
    const capacity = lines.length * 2;
    this.#high = new Uint32Array(capacity);
    this.#low = new Uint32Array(capacity);
    this.#lines = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      let slot = lows[i]! & mask;
      while (this.#lines[slot] !== 0) slot = (slot + 1) & mask;
      this.#high[slot] = highs[i]!;
      this.#low[slot] = lows[i]!;
      this.#lines[slot] = lines[i]!;
    }
  }
}

/** FNV-1a and a murmur-style mix over the UTF-16 code units: two independent 32-bit hashes. */
function hash64(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 13;
  }
  b = Math.imul(b ^ (b >>> 15), 0x85ebca6b);
  return [a >>> 0, (b ^ (b >>> 16)) >>> 0];
}
