/**
 * The local Kraken simulator and the seeded simulation: Deno only (`Deno.serve`, sockets), so
 * they live apart from the portable `@kraken-ws/sdk/extended`. Both drive one fake exchange,
 * `Exchange`, which is sans-I/O: drive it yourself to put a client of your own against Kraken's
 * rules and faults in virtual time.
 *
 * @example
 * ```ts
 * import { runSimulation } from "@kraken-ws/sdk/sim";
 * const report = await runSimulation({ seed: 1, durationMs: 10_000 });
 * console.log(report.violations.length); // 0
 * ```
 *
 * @module
 */

export {
  KrakenSimulator,
  type KrakenSimulatorOptions,
  type SimConnectionInfo,
  type SimulatorAccount,
  type SimulatorFaults,
} from "./simulator.ts";
export {
  DEFAULT_DURATION_MS,
  runSimulation,
  seedCommand,
  type SimulationOptions,
  type SimulationReport,
} from "./simulation.ts";
export type { InvariantStats, Tamper } from "./invariants.ts";
export type { StreamTarget } from "../client/driver.ts";
export { recordedFrames } from "./recorded_frames.ts";
export {
  type ConnectionInfo,
  type ConnectionKind,
  Exchange,
  type ExchangeFaults,
  type ExchangeOptions,
  type ExchangeOutput,
} from "../exchange/exchange.ts";
export {
  FAULT_KINDS,
  type FaultKind,
  isPrivateFault,
  PRIVATE_FAULT_KINDS,
  type PrivateFaultKind,
  type ScheduledFault,
} from "../exchange/faults.ts";
export {
  Account,
  type AccountBalance,
  type AccountEvent,
  type AccountOptions,
  type AccountOrder,
  type TradingAnswer,
  type TradingRequestRecord,
} from "../exchange/account.ts";
export { answerTokenRequest, TOKEN_PATH, verifyRestSignature } from "../exchange/token_endpoint.ts";
export type {
  BookOracle,
  Feed,
  FeedView,
  Level3Oracle,
  SimFrame,
  SimSubscription,
} from "../exchange/feed.ts";
export {
  DEFAULT_SIM_SYMBOLS,
  type SimChange,
  type SimLevel,
  SimMarket,
  type SimSymbol,
  SimSymbolState,
  type SimTrade,
} from "../exchange/market.ts";
export { MarketFeed, MarketView } from "../exchange/market_feed.ts";
export {
  type RecordedFrame,
  ReplayFeed,
  type ReplayFrame,
  ReplayView,
} from "../exchange/replay_feed.ts";
export { TokenBook } from "../exchange/tokens.ts";
export { NumberText, type OrderRequest, type TradingCall } from "../exchange/private_requests.ts";
export type { WireObject, WireValue } from "../exchange/private_frames.ts";
export {
  type SimOrder,
  type SimOrderLevel,
  SimOrders,
  type SimSymbolOrders,
} from "../exchange/level3_orders.ts";
