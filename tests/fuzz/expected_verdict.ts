/**
 * What a book owes for one generated message, shared by the L2 and level 3 targets: the checksum
 * the frame carries and the verdict, from a reference model that takes the message too.
 *
 * @module
 */

import type { BookVerdict } from "../../src/book/order_book.ts";
import type { BookLevel } from "../../src/protocol/messages.ts";
import type { Rng } from "./random.ts";

/** A reference model of a book, L2 or level 3. */
export interface ReferenceBook<Entry, Level extends { readonly price: number }> {
  state: "empty" | "synced" | "failed";
  snapshot(bids: readonly Entry[], asks: readonly Entry[]): void;
  update(bids: readonly Entry[], asks: readonly Entry[]): void;
  checksum(): number;
  levels(side: "bid" | "ask"): readonly Level[];
}

/**
 * Moves `model` by one message and says what the book owes for it. A message of another symbol is
 * refused, as is an update before a snapshot (both with a random checksum); otherwise the frame
 * carries the model's checksum, now and then off by a bit, which the book must call a mismatch.
 *
 * @param rng The seed's generator.
 * @param model The reference, moved by the message when the book takes it.
 * @param message The message: its type, whether it names a stranger symbol, its entries.
 * @param asLevel A model level as the book reports a crossed one.
 * @returns The checksum to send and the verdict owed.
 */
export function expectMessage<Entry, Level extends { readonly price: number }>(
  rng: Rng,
  model: ReferenceBook<Entry, Level>,
  message: {
    readonly snapshot: boolean;
    readonly strange: boolean;
    readonly bids: readonly Entry[];
    readonly asks: readonly Entry[];
  },
  asLevel: (level: Level) => BookLevel,
): { readonly sent: number; readonly expected: BookVerdict } {
  if (message.strange) {
    return { sent: rng.int(2 ** 32), expected: { status: "refused", reason: "wrong_symbol" } };
  }
  if (!message.snapshot && model.state !== "synced") {
    return { sent: rng.int(2 ** 32), expected: { status: "refused", reason: "awaiting_snapshot" } };
  }
  if (message.snapshot) model.snapshot(message.bids, message.asks);
  else model.update(message.bids, message.asks);
  const computed = model.checksum();
  const sent = rng.chance(0.04) ? (computed ^ (1 << rng.int(32))) >>> 0 : computed;
  const expected = verdict(model, sent, computed, asLevel);
  model.state = expected.status === "ok" ? "synced" : "failed";
  return { sent, expected };
}

function verdict<Entry, Level extends { readonly price: number }>(
  model: ReferenceBook<Entry, Level>,
  sent: number,
  computed: number,
  asLevel: (level: Level) => BookLevel,
): BookVerdict {
  if (computed !== sent) return { status: "mismatch", expected: sent, computed };
  const [bestBid] = model.levels("bid");
  const [bestAsk] = model.levels("ask");
  if (bestBid !== undefined && bestAsk !== undefined && bestBid.price >= bestAsk.price) {
    return { status: "crossed", bestBid: asLevel(bestBid), bestAsk: asLevel(bestAsk) };
  }
  return { status: "ok", checksum: computed };
}
