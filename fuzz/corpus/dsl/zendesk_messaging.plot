# Zendesk messaging Web Widget, as its public events API describes it. The API reports what the
# widget does on the page (opened, closed, unread count, proactive messages, a conversation
# begun); each event object carries `id`, `createdAt` and `type`. The widget has no "end"
# event: a page can keep it for hours. Where the documents are silent, the choice is marked
# "Choice:".
lifecycle zendesk_messaging
title "Zendesk messaging Web Widget"
description "The messaging Web Widget's session on a page: opened and closed any number of times, proactive messages shown and clicked, conversations begun, the unread count as it changes."
source {
  url: "https://developer.zendesk.com/api-reference/widget-messaging/web/events/",
  title: "Messaging Web Widget events API",
}
source {
  url: "https://developer.zendesk.com/api-reference/widget-messaging/web/core/",
  title: "Core messaging Web Widget API (open, close, unreadMessages)",
}
source {
  url: "https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/messaging_events",
  title: "Tracking with Messaging Web Widget events",
}

version 1.0 with {description: "The messaging Web Widget with the events API."}

properties event_object {
  description: "What every event object carries.",
  properties: {
    id: {type: string, format: uuid, description: "The unique identifier of the event (UUID)."},
    createdAt: {type: integer, minimum: 0, description: "When the event fired (Unix time)."},
  },
}

event messagingOpened with {
  description: "The widget opened (`zE('messenger:on', 'open', ...)`).",
  payload: {use: [event_object]},
}
event messagingClosed with {
  description: "The widget closed (`zE('messenger:on', 'close', ...)`).",
  payload: {use: [event_object]},
}
event unreadMessages with {
  description: "The number of unread messages changed; the callback gets the count.",
  payload: {
    properties: {count: {type: integer, minimum: 0, required: true, description: "Unread messages now."}},
  },
}
event proactiveMessageDisplayed with {description: "A proactive message was shown to the visitor.", payload: {use: [event_object]}}
event proactiveMessageClicked with {
  description: "The visitor clicked a proactive message, which opens the widget.",
  payload: {use: [event_object]},
}
event conversationStarted with {description: "A conversation began in the widget.", payload: {use: [event_object]}}

state prompted with {
  description: "A proactive message is on screen.",
  timeout: {after: 5m, to: closed, set: {ignored: ts}},
}
state opening with {
  description: "The visitor clicked the proactive message; the widget must open now.",
  timeout: {
    after: 10s,
    violation: "the widget did not open within 10 s of a click on the proactive message",
  },
}
state open may_end with {description: "The widget is open, no conversation begun yet."}
state conversing may_end with {description: "The widget is open on a conversation."}
state closed may_end with {description: "The widget is closed; it may open again.", timeout: {after: 30m, to: ended}}
state ended final with {description: "The session is over (30 minutes closed)."}

idle -messagingOpened-> open
idle -proactiveMessageDisplayed-> prompted
prompted -proactiveMessageClicked-> opening
prompted, opening -messagingOpened-> open
prompted -messagingClosed-> closed with {description: "The visitor dismissed it."}
open -conversationStarted-> conversing
open, conversing -messagingClosed-> closed
# Reopening goes back to the conversation when one was begun.
closed -messagingOpened-> conversing when meta.conversations > 0
closed -messagingOpened-> open
closed -proactiveMessageDisplayed-> prompted when meta.conversations == 0
"*" -unreadMessages-> stay

meta opened: timestamp with {description: "When the widget first opened."}
meta opens: integer with {default: 0, description: "How many times it opened."}
meta conversations: integer with {default: 0, description: "Conversations begun."}
meta proactive: integer with {default: 0, description: "Proactive messages shown."}
meta clicked: boolean with {description: "A proactive message was clicked."}
meta ignored: timestamp with {description: "When a proactive message was given up on (5 minutes)."}
meta unread: integer with {default: 0, description: "The unread count last reported."}
meta peak_unread: integer with {default: 0, description: "The highest unread count."}
meta open_ms: duration with {description: "Time spent open over every opening."}
meta open_since: timestamp with {internal: true, description: "When the current opening began."}

rule {
  on: messagingOpened,
  set: {opened: "meta.opened ?? ts", opens: "meta.opens + 1", open_since: ts},
}
rule {
  on: messagingClosed,
  when: "exists(meta.open_since)",
  set: {open_ms: "(meta.open_ms ?? 0) + ts - meta.open_since", open_since: "null"},
}
rule {on: conversationStarted, set: {conversations: "meta.conversations + 1"}}
rule {on: proactiveMessageDisplayed, set: {proactive: "meta.proactive + 1"}}
rule {on: proactiveMessageClicked, set: {clicked: "true"}}
rule {
  on: unreadMessages,
  set: {unread: data.count, peak_unread: "max([meta.peak_unread, data.count])"},
}
rule {
  on: unreadMessages,
  when: "state == 'open' or state == 'conversing'",
  assert: "data.count <= meta.unread or meta.unread == 0",
  message: "the unread count grew while the widget was open and being read",
}

scenario open-converse-close "The visitor opens the widget, begins a conversation, gets two replies, closes it.":
  {
    event: messagingOpened,
    data: {id: 9c1b3a52-0f4e-4b8e-9d57-2c3a1d0e6f11, createdAt: 1732435200},
  },
  conversationStarted,
  {event: unreadMessages, data: {count: 0}},
  {event: messagingClosed, after: 60000},
  {event: unreadMessages, data: {count: 2}}
  with {expect: accepted}
scenario proactive-clicked "A proactive message is shown and clicked; the widget opens on it.":
  proactiveMessageDisplayed,
  {event: proactiveMessageClicked, after: 4000},
  {event: messagingOpened, after: 300},
  conversationStarted
scenario proactive-click-did-not-open "A click on a proactive message that does not open the widget within 10 s.":
  proactiveMessageDisplayed,
  proactiveMessageClicked,
  {event: unreadMessages, after: 20000, data: {count: 1}},
  messagingOpened
  with {expect: {violations: [timeout]}}
scenario proactive-ignored "A proactive message left alone for 5 minutes; later the visitor opens the widget.":
  proactiveMessageDisplayed,
  {event: messagingOpened, after: 600000},
  messagingClosed
scenario reopen-returns-to-the-conversation "Reopened after a conversation, the widget is back on it (a guard on `meta`).":
  messagingOpened,
  conversationStarted,
  messagingClosed,
  messagingOpened,
  messagingClosed
scenario session-over "Closed for more than 30 minutes, the session ended; a later event is after its end.":
  messagingOpened,
  messagingClosed,
  {event: messagingOpened, after: 2400000}
  with {expect: {violations: [after_end]}}
scenario bad-uuid "An event object whose id is not a UUID.":
  {event: messagingOpened, data: {id: not-a-uuid, createdAt: 1732435200}},
  messagingClosed
  with {expect: {violations: [invalid_payload]}}
