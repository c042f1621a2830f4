// Client code written against the declarations of `plotline types --out DIR`: it must
// type-check with `tsc --strict`. Each `@ts-expect-error` line must be an error (tsc fails on
// one that is not), so the declarations are held to both what they allow and what they refuse.
import type * as Callback from "./callback-9.0.002.06";
import type * as ClickToCall9 from "./clicktocall-9.0";
import type * as ClickToCall906 from "./clicktocall-9.0.002.06";
import type * as Offers from "./lp_offers-1.0";

// Narrowing on `event` gives each record its own payload; the union is exhaustive.
export function describe(record: Offers.EventRecord): string {
  switch (record.event) {
    case "OFFER_DISPLAY":
    case "OFFER_IMPRESSION":
      return `${record.data.engagementName ?? "?"} as ${record.data.engagementType}`;
    case "START":
    case "OFFER_CLICK":
    case "OFFER_TIMEOUT":
    case "OFFER_DECLINED":
    case "OFFER_REMOVE":
      return record.event;
    default: {
      const unreachable: never = record;
      return unreachable;
    }
  }
}

export const display: Offers.OfferDisplayRecord = {
  lifecycle: "lp_offers",
  interaction: "ctx-1",
  event: "OFFER_DISPLAY",
  ts: 1732435200000,
  data: {
    contexts: [{ id: "3364218714" }],
    campaignId: 1105415570,
    engagementId: 1105415770,
    engagementRevision: 3,
    engagementType: 3,
    contextId: "3364218714",
    state: 1,
    confKey: "1105415570_1105415770_3",
  },
};

// Listed values are literal unions.
export const format: 0 | 1 | 2 | 3 | 5 | 6 = display.data.engagementType;

export const submitted: Callback.SubmittedRecord = {
  lifecycle: "callback",
  interaction: "cb-1",
  event: "submitted",
  ts: 1732435203000,
  data: { autoSubmitted: false, form: { firstname: "Ann" } },
};

// The metadata block: every value false until set.
export const metadata: Callback.Metadata = {
  proactive: false,
  prefilled: false,
  autoSubmitted: false,
  errors: false,
  form: { firstname: "Ann" },
  opened: 1732435201000,
  started: 1732435202000,
  cancelled: false,
  completed: false,
  closed: false,
  elapsed: false,
};

// ClickToCall gained `submitted` in 9.0.002.06.
export const newer: ClickToCall906.EventName = "submitted";
// @ts-expect-error: ClickToCall 9.0 has no `submitted`
export const older: ClickToCall9.EventName = "submitted";

// @ts-expect-error: 4 is not an engagement type
export const unlisted: Offers.OfferDisplayData["engagementType"] = 4;

// @ts-expect-error: a timestamp is a number or false, never true
export const opened: Callback.Metadata["opened"] = true;

// @ts-expect-error: the metadata block has no other fields
export const extra: Callback.Metadata = { ...metadata, surprise: 1 };
