# A made-up chat widget that exercises every point of generality of the lifecycle format:
# - a start that is not the first event (`loaded` may come any number of times before `opened`);
# - several final states, none named `closed` (`ended`, `transferred`);
# - events allowed in every open state that keep the state (`minimized`, `message`), via `*`;
# - a counter (`messages`) and a duration between two arbitrary events (`wait`);
# - a version that adds an event, a state, a transition and a field (`rated`, 2.0) and one that
#   removes an event (`minimized`, gone in 2.0);
# - a property set shared by several events;
# - a payload that forbids properties it does not declare (`rated`).
lifecycle chat
description "A chat widget used to test the lifecycle format."

version 1.0
version 2.0 with {description: "Adds rating after the chat; drops `minimized`."}

properties who {properties: {agent: {type: string, required: true}}}

event loaded
event opened
event message with {payload: {use: [who], properties: {text: {type: string}}}}
event minimized with {until: "2.0"}
event connected with {payload: {use: [who]}}
event ended
event transferred with {payload: {use: [who]}}
event rated with {
  since: "2.0",
  payload: {additional: false, properties: {stars: {type: integer, required: true}}},
}

state chatting
state waiting
state ended final with {until: "2.0"}
state transferred final
state rating with {since: "2.0"}
state rated final with {since: "2.0"}

idle -loaded-> stay
idle -opened-> waiting
waiting -connected-> chatting
"*" -message-> stay
"*" -minimized-> stay with {until: "2.0"}
chatting -transferred-> transferred
waiting, chatting -ended-> ended with {until: "2.0"}
waiting, chatting -ended-> rating with {since: "2.0"}
rating -rated-> rated with {since: "2.0"}

meta messages: integer with {default: 0}
meta opened: timestamp
meta wait: duration with {description: "From opened to connected."}
meta agent: string
meta stars: integer with {since: "2.0"}

rule {on: opened, set: {opened: ts}}
rule {on: connected, set: {wait: "ts - meta.opened", agent: data.agent}}
rule {on: message, when: "data.agent != \"system\"", set: {messages: "meta.messages + 1"}}
rule {on: rated, set: {stars: data.stars}, since: "2.0"}
rule {
  on: rated,
  assert: "data.stars >= 1 and data.stars <= 5",
  message: "stars must be 1 to 5",
  since: "2.0",
}

scenario preamble-and-counters "Loaded twice before opening; two counted messages, one system message, minimized.":
  loaded,
  loaded,
  opened,
  {event: message, data: {agent: system, text: "please wait"}},
  {event: connected, after: 4500, data: {agent: ann}},
  {event: message, data: {agent: ann, text: hi}},
  minimized,
  {event: message, data: {agent: ann, text: bye}},
  {event: transferred, data: {agent: bob}}
  with {until: "2.0"}
scenario rated "Version 2.0 adds a rating after the chat.":
  opened,
  {event: connected, data: {agent: ann}},
  ended,
  {event: rated, data: {stars: 4}}
  with {since: "2.0"}
scenario minimized-removed "Version 2.0 has no `minimized` event.":
  opened,
  minimized,
  ended,
  {event: rated, data: {stars: 9}}
  with {expect: {violations: [unknown_event, rule_violation]}, since: "2.0"}
scenario event-after-end "A message after the interaction ended.":
  opened,
  ended,
  {event: message, data: {agent: ann}}
  with {expect: {violations: [after_end]}, until: "2.0"}

# One vendor, two record shapes keyed differently, joined into one interaction by key.
format {
  name: window-state,
  description: "The chat window's state (`Loaded`, `Opened`), in seconds.",
  match: {source: window},
  event: state,
  event_case: snake_case,
  interaction: [session, widget],
  ts: at,
  ts_format: seconds,
  default_version: "2.0",
}
format {
  name: ui,
  description: "What the visitor and agents do in the window (`MESSAGE`, `CONNECTED`).",
  match: {source: ui},
  event: action,
  event_case: lowercase,
  interaction: [ids.session, ids.widget],
  ts: at,
  ts_format: seconds,
  data: detail,
  version: v,
  default_version: "2.0",
}
