/**
 * Kraken's documented level 3 examples, as test vectors shared by the decoder's and the book's
 * tests.
 *
 * - `GUIDE_*`: the worked example of "Spot Websockets (v2) Level3 Checksum"
 *   (https://docs.kraken.com/api/docs/guides/spot-ws-l3-v2, also
 *   https://docs.kraken.com/exchange/guides/websockets/l3-checksum-v2): a BTC/USD snapshot, the
 *   checksum string it builds and its checksum 1063832831. The guide prints the decimals as JSON
 *   strings ("using json string decoder"); the wire sends JSON numbers.
 * - `REFERENCE_*`: the snapshot and update examples of the `level3` channel reference
 *   (https://docs.kraken.com/api/docs/websocket-v2/level3). The snapshot is abridged (three orders
 *   a side), so its checksum 281817320 covers orders the page does not show.
 *
 * @module
 */

/** [order_id, limit_price, order_qty, timestamp], in the guide's order (queue order). */
type Row = readonly [string, string, string, string];

export const GUIDE_BIDS: readonly Row[] = [
  ["OTCFZG-YOE2Q-LQKNM3", "44939.4", "0.88968699", "2024-01-08T12:26:39.526146327Z"],
  ["OFGP5R-B3E7G-54EZD6", "44939.4", "0.45210000", "2024-01-08T12:26:39.530287934Z"],
  ["OMPHVY-IZPJ4-KOKA3P", "44939.4", "0.10000000", "2024-01-08T12:26:39.576380340Z"],
  ["OAI5QZ-AMPLW-NBNO72", "44939.4", "0.14296323", "2024-01-08T12:26:39.602118534Z"],
  ["O7VFZI-CTFWH-FF6EIR", "44939.4", "0.25000000", "2024-01-08T12:26:41.780601700Z"],
  ["O472V3-ZG4EZ-OLD66C", "44939.4", "0.10292988", "2024-01-08T12:26:43.087136366Z"],
  ["OEK26P-BGPUK-LDHMD2", "44939.4", "0.33880000", "2024-01-08T12:26:43.822433365Z"],
  ["OSMYPE-S5VOC-YSS3WM", "44939.4", "1.28140860", "2024-01-08T12:26:45.066096694Z"],
  ["OJPMIN-NXZL5-SOWP6V", "44937.1", "0.03346877", "2024-01-08T12:26:39.691304329Z"],
  ["O6PUGE-SQWYQ-TRJEEE", "44934.7", "0.35630000", "2024-01-08T12:26:44.129718463Z"],
  ["OPUOGC-Q532V-3OKLPM", "44930.2", "0.22734299", "2024-01-08T12:26:30.769031831Z"],
  ["OCIU7J-VB3CI-HPULSF", "44930.2", "0.01000000", "2024-01-08T12:26:36.054352106Z"],
  ["ORWVAF-LJFLY-ZWEHDQ", "44930.2", "0.05550000", "2024-01-08T12:26:36.635882793Z"],
  ["OYRAHE-PI5AN-7KOQ4E", "44930.2", "0.70000000", "2024-01-08T12:26:37.296554518Z"],
  ["OGBHYU-UILDD-6DLLYJ", "44930.2", "0.15000000", "2024-01-08T12:26:41.222733191Z"],
  ["O74ZBU-K2TKC-R76XSW", "44928.0", "0.00105240", "2024-01-08T12:26:23.542563322Z"],
  ["OQVTQF-Y56MR-BM6LWL", "44919.6", "0.33870000", "2024-01-08T12:26:42.808132842Z"],
  ["OYEH6U-ZCHA2-3HFR3W", "44919.5", "0.07610000", "2024-01-08T12:26:34.269600037Z"],
  ["OLGPG7-HVKXU-J6SANK", "44912.0", "0.35630000", "2024-01-08T12:26:34.961292766Z"],
  ["OHGC3L-FRZQ3-UIVZRU", "44909.7", "0.06690000", "2024-01-08T12:26:31.912880024Z"],
  ["O73C6Y-VZXYA-H4LDFY", "44901.9", "0.00088982", "2024-01-08T12:26:42.883315043Z"],
];

export const GUIDE_ASKS: readonly Row[] = [
  ["OFVLAA-HRSSP-BK75KB", "44939.5", "4.52308393", "2024-01-08T12:18:05.770906486Z"],
  ["OYBAMK-O5DKX-WMPUTM", "44939.5", "0.00111261", "2024-01-08T12:18:12.847426441Z"],
  ["O3DRCT-J5M2S-KYV526", "44939.5", "0.00100000", "2024-01-08T12:26:42.108176464Z"],
  ["OF3X3A-72WZY-6EKA5F", "44939.5", "0.01000000", "2024-01-08T12:26:43.955098263Z"],
  ["OF5UA6-6IIZ2-YGQTSJ", "44950.0", "0.10334926", "2024-01-08T12:25:52.800473795Z"],
  ["OSDOZX-7UZ6Y-QDNPVI", "44953.0", "0.00064537", "2024-01-08T12:24:58.086806970Z"],
  ["OV7KTS-A2TWV-3XKRIA", "44955.0", "0.00250000", "2024-01-08T12:21:52.257936228Z"],
  ["OOF2V5-RYOHC-GLRNPM", "44959.6", "0.35630000", "2024-01-08T12:26:44.202823127Z"],
  ["OTVOVS-QLST3-3JG7JI", "44959.6", "0.35630000", "2024-01-08T12:26:44.203383999Z"],
  ["OGZCIU-RDQ77-DAAL3P", "44960.1", "0.00338072", "2024-01-08T12:26:42.724829715Z"],
  ["OVLG3E-HYBQM-CWNGCY", "44960.2", "0.88967575", "2024-01-08T12:26:12.935924248Z"],
  ["OWEOFO-HUCJC-T37MVO", "44967.0", "3.14392283", "2024-01-08T12:26:39.474431925Z"],
  ["OVYTHY-D2N76-5QYREQ", "44978.5", "0.06778960", "2024-01-08T12:26:41.229379178Z"],
  ["OFO525-PHRVS-236RMN", "44979.2", "0.35630000", "2024-01-08T12:26:20.271584488Z"],
];

/** The guide's checksum of its snapshot. */
export const GUIDE_CHECKSUM = 1063832831;

/** The asks string of the guide's step 1, copied from the page. */
export const GUIDE_ASKS_STRING =
  "44939545230839344939511126144939510000044939510000004495001033492644953064537449550250000" +
  "449596356300004495963563000044960133807244960288967575449670314392283449785677896044979235630000";

/** The bids string of the guide's step 2, copied from the page. */
export const GUIDE_BIDS_STRING =
  "44939488968699449394452100004493941000000044939414296323449394250000004493941029298844939433880000" +
  "4493941281408604493713346877449347356300004493022273429944930210000004493025550000449302700000004" +
  "493021500000044928010524044919633870000449195761000044912035630000449097669000044901988982";

function orderJson(row: Row, quoted: boolean, event?: string): string {
  const [id, price, qty, timestamp] = row;
  const number = (text: string) => quoted ? `"${text}"` : text;
  const head = event === undefined ? "" : `"event":"${event}",`;
  return `{${head}"order_id":"${id}","limit_price":${number(price)},"order_qty":${
    number(qty)
  },"timestamp":"${timestamp}"}`;
}

/**
 * The guide's snapshot as a frame: with `quoted`, the decimals as the guide prints them (JSON
 * strings); without, as the wire sends them (JSON numbers).
 */
export function guideSnapshotFrame(quoted: boolean): string {
  const side = (rows: readonly Row[]) => rows.map((row) => orderJson(row, quoted)).join(",");
  return `{"channel":"level3","type":"snapshot","data":[{"symbol":"BTC/USD","checksum":${GUIDE_CHECKSUM},` +
    `"bids":[${side(GUIDE_BIDS)}],"asks":[${side(GUIDE_ASKS)}]}]}`;
}

/** The `level3` reference's snapshot example, verbatim but for whitespace. */
export const REFERENCE_SNAPSHOT = `{
  "channel": "level3",
  "type": "snapshot",
  "data": [
    {
      "symbol": "MATIC/USD",
      "checksum": 281817320,
      "bids": [
        {"order_id": "O6ZQNQ-BXL4E-5WGINO", "limit_price": 0.5629, "order_qty": 111.56125344, "timestamp": "2023-10-06T17:35:00.279389650Z"},
        {"order_id": "OEP26Y-YAFEF-OFR62B", "limit_price": 0.5625, "order_qty": 6390.19338, "timestamp": "2023-10-06T18:19:55.056070105Z"},
        {"order_id": "OKNAY7-67JRK-AIZ4JO", "limit_price": 0.5625, "order_qty": 14084.5, "timestamp": "2023-10-06T18:20:55.357467423Z"}
      ],
      "asks": [
        {"order_id": "OLLSXO-HDMT3-BUOKEI", "limit_price": 0.563, "order_qty": 4422.9978357, "timestamp": "2023-10-06T18:18:20.734897896Z"},
        {"order_id": "O5SR5W-L7OLY-BLDEJV", "limit_price": 0.563, "order_qty": 420.0, "timestamp": "2023-10-06T18:18:20.738706230Z"},
        {"order_id": "OXV6QS-2GG4Q-F4EECM", "limit_price": 0.563, "order_qty": 490.0, "timestamp": "2023-10-06T18:18:21.064657206Z"}
      ]
    }
  ]
}`;

/**
 * What our checksum gives for the abridged reference snapshot, cross-checked with node:zlib over
 * "563442299783575634200563490056291115612534456256390193385625140845".
 */
export const REFERENCE_SNAPSHOT_COMPUTED = 3050883524;

/** The `level3` reference's update example, verbatim but for whitespace. */
export const REFERENCE_UPDATE = `{
  "channel": "level3",
  "type": "update",
  "data": [
    {
      "checksum": 2841398499,
      "symbol": "MATIC/USD",
      "bids": [],
      "asks": [
        {"event": "delete", "order_id": "OOIATY-6EIWY-ACVIUN", "limit_price": 0.5636, "order_qty": 302.89736033, "timestamp": "2023-10-06T18:21:00.097010033Z"},
        {"event": "add", "order_id": "O2BN53-5RSB2-V3J57T", "limit_price": 0.564, "order_qty": 3500.77668626, "timestamp": "2023-10-06T18:20:27.383408052Z"},
        {"event": "add", "order_id": "OWG5ZU-LHUHH-BICPEX", "limit_price": 0.564, "order_qty": 22149.62881248, "timestamp": "2023-10-06T18:20:50.842854530Z"},
        {"event": "add", "order_id": "ONVDB3-2DRUF-Y6MF7D", "limit_price": 0.564, "order_qty": 42196.34088652, "timestamp": "2023-10-06T18:20:58.101850535Z"}
      ]
    }
  ]
}`;

/** An order row as an update's order event. */
export function eventJson(event: string, row: Row): string {
  return orderJson(row, false, event);
}
