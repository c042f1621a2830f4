// Client code that must not type-check against the declarations: a payload missing required
// properties, and a record of another lifecycle with a string timestamp.
import type * as Offers from "./lp_offers-1.0";

export const missing: Offers.OfferDisplayData = { campaignId: 1 };

export const crossed: Offers.EventRecord = {
  lifecycle: "callback",
  interaction: "ctx-1",
  event: "START",
  ts: "1",
};
