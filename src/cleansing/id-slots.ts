/**
 * The hash table of the deduplicator (cleansing/deduplicator.ts): open addressing with linear
 * probing in one Uint32Array of (hash, record offset + 1) pairs, 0 marking an empty slot. The
 * caller keeps the load below 1, so every probe run ends at an empty slot.
 */

/** The slot after `i`, wrapping at `slots`. */
export function nextSlot(i: number, slots: number): number {
  return i + 1 === slots ? 0 : i + 1;
}

/** Puts (h, offset) in the first empty slot of its probe run. */
export function placeSlot(table: Uint32Array, slots: number, h: number, offset: number): void {
  let i = h % slots;
  while ((table[i * 2 + 1] ?? 0) !== 0) i = nextSlot(i, slots);
  table[i * 2] = h;
  table[i * 2 + 1] = offset + 1;
}

/** The slot that holds `offset` (which must be in the table) under hash `h`. */
export function slotOfOffset(table: Uint32Array, slots: number, h: number, offset: number): number {
  let i = h % slots;
  while (table[i * 2 + 1] !== offset + 1) i = nextSlot(i, slots);
  return i;
}

/** Backward-shift deletion: later members of the probe run move up so that no lookup stops early. */
export function removeSlot(table: Uint32Array, slots: number, slot: number): void {
  let hole = slot;
  for (let i = nextSlot(hole, slots); (table[i * 2 + 1] ?? 0) !== 0; i = nextSlot(i, slots)) {
    const home = (table[i * 2] ?? 0) % slots;
    // The entry at i may fill the hole unless its home lies cyclically in (hole, i].
    const stays = hole <= i ? home > hole && home <= i : home > hole || home <= i;
    if (stays) continue;
    table[hole * 2] = table[i * 2] ?? 0;
    table[hole * 2 + 1] = table[i * 2 + 1] ?? 0;
    hole = i;
  }
  table[hole * 2] = 0;
  table[hole * 2 + 1] = 0;
}

/** The same entries in a table of `slots` slots. */
export function rehashSlots(old: Uint32Array, slots: number): Uint32Array {
  const table = new Uint32Array(slots * 2);
  for (let i = 1; i < old.length; i += 2) {
    const at = old[i] ?? 0;
    if (at !== 0) placeSlot(table, slots, old[i - 1] ?? 0, at - 1);
  }
  return table;
}
