/**
 * A client on a virtual clock against a scripted loopback server, with its events collected: the
 * setup the client tests share.
 *
 * @module
 */

import { KrakenWs, type KrakenWsOptions } from "../../src/client/kraken_ws.ts";
import type { KrakenEvent } from "../../src/core/events.ts";
import { VirtualClock } from "../../src/core/virtual_clock.ts";
import { EventCollector } from "./event_collector.ts";
import { AUTO_ACK, type ConnectionHandler, ScriptedServer } from "./scripted_server.ts";

/** A started server and client. */
export interface ClientSetup {
  readonly server: ScriptedServer;
  readonly clock: VirtualClock;
  readonly kraken: KrakenWs;
  readonly events: EventCollector<KrakenEvent>;
  readonly teardown: () => Promise<void>;
}

/** Starts the server and the client; `teardown` closes both and waits for the events. */
export function setup(
  options: Partial<KrakenWsOptions> = {},
  handler: ConnectionHandler = AUTO_ACK,
): ClientSetup {
  const server = ScriptedServer.start(handler);
  const clock = new VirtualClock(1_000_000);
  const kraken = new KrakenWs({ url: server.url, clock, reconnect: { seed: 11 }, ...options });
  const events = new EventCollector<KrakenEvent>(kraken.events());
  const teardown = async () => {
    await kraken.close();
    await events.done;
    await server.close();
  };
  return { server, clock, kraken, events, teardown };
}
