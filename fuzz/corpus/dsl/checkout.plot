# A made-up e-commerce checkout funnel that uses every construct of the lifecycle language at
# once (chat.yaml shows the older ones):
# - guarded transitions with a fallback, reading `data`, `meta` and `state`;
# - a timeout to a state that sets a field, and a timeout that reports a violation;
# - states where the interaction may end without being final (`may_end`);
# - an internal field, a `number` field, counters;
# - aggregates with element functions, number and string functions, single-quoted strings;
# - payload keywords (bounds, lengths, pattern, format, items, uniqueness, const), bare,
#   labelled and shared enums;
# - a deadline across states, counted from an event;
# - a source given by URL;
# - shared declarations imported from another file of the catalog (commerce.yaml);
# - version 2.0 changes a guard, a timeout, a keyword and `may_end`, for `diff`.
lifecycle checkout
description "A checkout funnel used to test the lifecycle language."
import commerce.yaml
source {url: "https://example.com/docs/checkout-events", title: "Checkout events (made up)"}

version 1.0
version 2.0 with {
  description: "Carts of ten items or more need review; payment waits less; quantities up to 99.",
}

event viewed with {payload: {properties: {session: {type: string, format: uuid, required: true}}}}
event added with {payload: {use: [line]}}
event checkout with {
  payload: {
    properties: {
      email: {type: string, format: email, required: true},
      items: {
        type: array,
        required: true,
        minItems: 1,
        maxItems: 50,
        items: {type: object, properties: {sku: {type: string, minLength: 8, maxLength: 8}}},
      },
    },
  },
}
event paid with {
  payload: {
    properties: {
      revenue: {type: number, required: true, minimum: 0},
      currency: {type: string, required: true, enum: currencies},
      method: {type: string, enum: [card, paypal, invoice]},
      products: {
        type: array,
        required: true,
        uniqueItems: true,
        items: {
          type: object,
          properties: {
            price: {type: number, required: true},
            quantity: {type: integer, required: true, multipleOf: 1},
          },
        },
      },
      channel: {type: string, const: web},
    },
  },
}
event approved
event failed with {payload: {properties: {code: {type: integer, required: true, exclusiveMinimum: 0}}}}
event abandoned

state browsing may_end
state cart may_end with {until: "2.0"}
state cart_v2 with {
  description: "The same cart, from 2.0, where leaving with a cart is not an ending.",
  since: "2.0",
}
state review with {description: "Large carts are reviewed before payment (2.0).", since: "2.0"}
state paying with {timeout: {after: 15m, to: lapsed, set: {lapsed_at: ts}}}
state lapsed may_end
state confirming with {timeout: {after: 30s, violation: "no confirmation within 30 s of payment"}}
state done final
state lost final

idle -viewed-> browsing
browsing, cart, lapsed -added-> cart with {until: "2.0"}
browsing, cart_v2, lapsed -added-> cart_v2 with {since: "2.0"}
cart -checkout-> paying with {until: "2.0"}
cart_v2 -checkout-> review when len(data.items) >= 10 with {since: "2.0"}
cart_v2 -checkout-> paying with {since: "2.0"}
review -approved-> paying with {since: "2.0"}
paying -paid-> confirming when data.revenue > 0 and state == 'paying'
paying -failed-> stay when data.code < 500
paying -failed-> lost
confirming -approved-> done
"*" -abandoned-> lost

meta items: integer with {default: 0, description: "Lines added."}
meta value: number with {description: "Value of the cart."}
meta revenue: number with {description: "Revenue paid."}
meta currency: string
meta lapsed_at: timestamp with {description: "When payment lapsed (15 minutes)."}
meta failures: integer with {default: 0}
meta paying_since: timestamp with {internal: true}
meta paid_after: duration with {description: "From checkout to payment."}
meta big_lines: integer with {description: "Products of 100 or more."}

rule {
  on: added,
  set: {items: "meta.items + 1", value: "(meta.value ?? 0) + data.price * data.quantity"},
}
rule {on: checkout, when: "next_state == 'paying'", set: {paying_since: ts}}
rule {on: approved, when: "next_state == 'paying'", set: {paying_since: ts}}
rule {
  on: paid,
  set: {
    revenue: data.revenue,
    currency: "lower(data.currency)",
    paid_after: "ts - meta.paying_since",
    big_lines: "count(data.products, p => p.price >= 100)",
  },
}
rule {
  on: paid,
  assert: "abs(data.revenue - sum(data.products, p => p.price * p.quantity)) <= 0.01",
  message: "revenue is not the sum of price times quantity over the products",
}
rule {
  on: paid,
  assert: "not starts_with(data.method ?? '', 'inv') or round(data.revenue) < 1000",
  message: "invoices are for orders under 1000",
}
rule {on: failed, set: {failures: "meta.failures + 1"}}

# From 2.0 an order must be confirmed within an hour of checkout, whatever the states between.
deadline {
  from: checkout,
  within: 1h,
  violation: "not confirmed within an hour of checkout",
  since: "2.0",
}

example viewed {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}
example added {sku: ABC-1234, price: 19.5, quantity: 2}
example checkout {email: "ann@example.com", items: [{sku: ABC-1234}]}
example paid {revenue: 39, currency: EUR, method: card, products: [{price: 19.5, quantity: 2}], channel: web}

scenario bought "View, add, check out, pay, confirmed.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {
    event: paid,
    after: 60000,
    data: {
      revenue: 39,
      currency: EUR,
      method: card,
      products: [{price: 19.5, quantity: 2}],
      channel: web,
    },
  },
  approved
scenario payment-lapsed-then-resumed "Payment left for more than 15 minutes lapses; the visitor adds again and leaves.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {event: added, after: 1200000, data: {sku: ABC-1234, price: 19.5, quantity: 2}}
  with {until: "2.0"}
scenario lapsed-cart-is-incomplete "From 2.0 a visitor who leaves with a cart did not end the interaction.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {event: added, after: 1200000, data: {sku: ABC-1234, price: 19.5, quantity: 2}}
  with {since: "2.0", expect: {violations: [incomplete]}}
scenario no-confirmation "A payment that is not confirmed within 30 seconds.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {
    event: paid,
    data: {
      revenue: 39,
      currency: EUR,
      method: card,
      products: [{price: 19.5, quantity: 2}],
      channel: web,
    },
  },
  {event: approved, after: 45000}
  with {expect: {violations: [timeout]}}
scenario wrong-revenue "Revenue that is not the sum over the products, in pounds.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {event: paid, data: {revenue: 50, currency: GBP, products: [{price: 19.5, quantity: 2}]}},
  approved
  with {expect: {violations: [rule_violation]}}
scenario retry-after-a-soft-failure "A failure under 500 keeps the interaction paying; the next one loses it.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {event: checkout, data: {email: "ann@example.com", items: [{sku: ABC-1234}]}},
  {event: failed, data: {code: 402}},
  {event: failed, data: {code: 503}}
scenario bad-payloads "A malformed SKU and a session that is not a UUID.":
  {event: viewed, data: {session: nope}},
  {event: added, data: {sku: abc, price: 1, quantity: 1}},
  abandoned
  with {expect: {violations: [invalid_payload, invalid_payload]}}
scenario large-cart-reviewed "From 2.0 a cart of ten lines or more is reviewed before payment.":
  {event: viewed, data: {session: 3f1c9a2e-6b7d-4e8f-9a01-2b3c4d5e6f70}},
  {event: added, data: {sku: ABC-1234, price: 19.5, quantity: 2}},
  {
    event: checkout,
    data: {
      email: "ann@example.com",
      items: [
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
        {sku: ABC-1234},
      ],
    },
  },
  approved,
  {
    event: paid,
    data: {
      revenue: 39,
      currency: EUR,
      method: card,
      products: [{price: 19.5, quantity: 2}],
      channel: web,
    },
  },
  approved
  with {since: "2.0"}

format {
  name: analytics-track,
  description: "Analytics track calls as a tag manager sends them; named for people, timed in ISO 8601.",
  match: {type: track},
  event: event,
  event_names: {
    "Product Viewed": viewed,
    "Product Added": added,
    "Checkout Started": checkout,
    "Order Completed": paid,
    "Order Approved": approved,
    "Payment Failed": failed,
    "Cart Abandoned": abandoned,
  },
  interaction: anonymousId,
  ts: timestamp,
  ts_format: iso8601,
  data: properties,
  version: context.app.version,
  default_version: "2.0",
}
