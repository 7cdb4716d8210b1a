// @ts-check
/**
 * The one program every runtime runs against the simulator, in plain JavaScript as a user would
 * write it. The test copies it beside the bundle of mod.ts and points the import below at the
 * bundle (`./kraken.js`); Deno type-checks it here against mod.ts.
 *
 * It reads validated books from a book stream and trades through `pipeThrough`, closes the
 * client, and returns a summary; it throws on anything unexpected. What the runtime must show
 * afterwards, it shows by ending: nothing of the client may keep it alive.
 *
 * @module
 */
import { KrakenWs } from "../../mod.ts";

/** Books and trades to read. */
const COUNT = 3;

/**
 * Runs the program.
 *
 * @param {string} url The simulator's URL.
 * @returns {Promise<{ books: { bid: string, ask: string, depth: number, checksum: number }[], trades: string[], closed: boolean }>}
 */
export async function exercise(url) {
  const kraken = new KrakenWs({ url });
  const books = [];
  for await (const event of kraken.book("BTC/USD", { depth: 10 })) {
    if (event.type !== "book") continue;
    if (event.validated !== true) throw new Error("a book event that is not validated");
    if (event.symbol !== "BTC/USD") throw new Error(`a book of ${event.symbol}`);
    books.push({
      bid: event.bids[0].priceText,
      ask: event.asks[0].priceText,
      depth: event.bids.length,
      checksum: event.checksum,
    });
    if (books.length === COUNT) break; // cancelling the stream unsubscribes
  }
  /** @type {TransformStream<import("../../mod.ts").TradeStreamEvent, string>} */
  const lines = new TransformStream({
    transform(event, controller) {
      if (event.type === "trade") {
        controller.enqueue(`${event.side} ${event.qtyText} @ ${event.priceText} #${event.tradeId}`);
      }
    },
  });
  const reader = kraken.trades("BTC/USD").pipeThrough(lines).getReader();
  const trades = [];
  while (trades.length < COUNT) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the trade stream ended early");
    trades.push(value);
  }
  await reader.cancel();
  await kraken.close();
  return { books, trades, closed: true };
}
