/**
 * What live-view tests watch: the screen it writes, and the view it keeps, waited on without
 * sleeping.
 *
 * @module
 */

import type { MarketView } from "../../src/cli/market_view.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import type { Received } from "../client/scripted_server.ts";
import { stripAnsi } from "./view_events.ts";

/** Everything written, split into the screens drawn (each starts with cursor-home). */
export class Screen {
  text = "";
  readonly write = (text: string): void => {
    this.text += text;
  };

  /** Each screen drawn, as plain lines. */
  screens(): string[][] {
    return this.text.split("\x1b[H").slice(1).map((screen) =>
      stripAnsi(screen).split("\n").filter((line, index, lines) =>
        index < lines.length - 1 || line !== ""
      )
    );
  }

  /** The last screen drawn, as one plain text. */
  last(): string {
    return this.screens().at(-1)?.join("\n") ?? "";
  }
}

/** Follows the view through `onUpdate` and resolves waits on what it shows. */
export class ViewWatcher {
  view: MarketView | undefined;
  readonly #waiters: { predicate: (view: MarketView) => boolean; resolve: () => void }[] = [];

  readonly onUpdate = (view: MarketView, _event: KrakenEvent): void => {
    this.view = view;
    for (const waiter of [...this.#waiters]) {
      if (!waiter.predicate(view)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  /** Resolves once the view satisfies `predicate` (at once if it already does). */
  until(predicate: (view: MarketView) => boolean): Promise<void> {
    if (this.view !== undefined && predicate(this.view)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }
}

export function isSubscribe(channel?: string): (message: Received) => boolean {
  return (message) =>
    message.method === "subscribe" &&
    (channel === undefined || message.params?.channel === channel);
}
