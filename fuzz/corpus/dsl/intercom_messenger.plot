# Intercom Messenger on a web page, as its JavaScript API describes it: the page boots the
# Messenger with the visitor's settings, Intercom calls back when the Messenger is shown or
# hidden, when the unread count changes and when a visitor supplies an e-mail address, and the
# page shuts the Messenger down when the visitor logs out. Each callback is recorded as one
# event. Where the documents are silent, the choice is marked "Choice:".
lifecycle intercom_messenger
title "Intercom Messenger"
description "One Messenger session on a page: booted with the visitor's settings, shown and hidden any number of times, unread conversations counted, shut down at logout."
source {
  url: "https://developers.intercom.com/installing-intercom/web/methods",
  title: "Javascript API: Methods (boot, shutdown, update, show, hide, onShow, onHide, onUnreadCountChange, onUserEmailSupplied)",
}
source {
  url: "https://www.intercom.com/help/en/articles/172-the-intercom-javascript-api",
  title: "The Intercom JavaScript API",
}

version 1.0 with {description: "The Messenger JavaScript API."}

event boot with {
  description: "`Intercom('boot', intercomSettings)`: the Messenger starts for this visitor.",
  payload: {
    properties: {
      app_id: {type: string, required: true, minLength: 1, description: "The workspace's app id."},
      user_id: {type: string, description: "The visitor's id in your product (logged-in users)."},
      email: {type: string, format: email, description: "The visitor's e-mail address."},
      created_at: {type: integer, minimum: 0, description: "When the user signed up (Unix time)."},
    },
  },
}
event update with {
  description: "`Intercom('update', ...)`: new settings or a page change.",
  payload: {properties: {email: {type: string, format: email}}},
}
event onShow with {description: "The Messenger was shown."}
event onHide with {description: "The Messenger was hidden."}
event onUnreadCountChange with {
  description: "The number of unread conversations changed.",
  payload: {properties: {unreadCount: {type: integer, minimum: 0, required: true}}},
}
event onUserEmailSupplied with {
  description: "A visitor entered an e-mail address in the Messenger.",
  payload: {properties: {email: {type: string, format: email}}},
}
event shutdown with {description: "`Intercom('shutdown')`: the page ended the session (at logout)."}

state booted may_end with {description: "Booted; the launcher is on the page, the Messenger hidden."}
state shown may_end with {description: "The Messenger is open."}
state ended final with {description: "Shut down."}

idle -boot-> booted
booted -onShow-> shown
shown -onHide-> booted
"*" -update, onUnreadCountChange-> stay
# Choice: an e-mail address is typed in the open Messenger; supplied once per session.
shown -onUserEmailSupplied-> stay when not meta.email_supplied
"*" -shutdown-> ended

meta shows: integer with {default: 0, description: "How many times the Messenger was shown."}
meta first_shown: timestamp with {description: "When it was first shown."}
meta unread: integer with {default: 0, description: "The unread count last reported."}
meta logged_in: boolean with {description: "Booted with a `user_id`."}
meta email_supplied: boolean with {default: false, description: "A visitor supplied an e-mail address."}
meta shown_ms: duration with {description: "Time the Messenger was open over every showing."}
meta shown_since: timestamp with {internal: true, description: "When the current showing began."}

rule {on: boot, set: {logged_in: "exists(data.user_id)"}}
rule {
  on: onShow,
  set: {shows: "meta.shows + 1", first_shown: "meta.first_shown ?? ts", shown_since: ts},
}
rule {
  on: [onHide, shutdown],
  when: "exists(meta.shown_since)",
  set: {shown_ms: "(meta.shown_ms ?? 0) + ts - meta.shown_since", shown_since: "null"},
}
rule {on: onUnreadCountChange, set: {unread: data.unreadCount}}
rule {on: onUserEmailSupplied, set: {email_supplied: "true"}}
rule {
  on: onUnreadCountChange,
  when: "state == 'shown'",
  assert: "data.unreadCount <= meta.unread",
  message: "the unread count grew while the Messenger was open",
}

scenario visitor-reads-a-reply "Booted for a logged-in user, shown, a reply read, hidden, shut down at logout.":
  {
    event: boot,
    data: {app_id: abc12345, user_id: "9876", email: "john.doe@example.com", created_at: 1234567890},
  },
  {event: onUnreadCountChange, data: {unreadCount: 1}},
  onShow,
  {event: onUnreadCountChange, data: {unreadCount: 0}},
  {event: onHide, after: 30000},
  shutdown
scenario anonymous-visitor-leaves "A visitor who is not logged in opens the Messenger, gives an e-mail address, leaves the page.":
  {event: boot, data: {app_id: abc12345}},
  onShow,
  {event: onUserEmailSupplied, data: {email: "visitor@example.com"}}
scenario email-supplied-twice "A second e-mail address in one session is refused by its guard.":
  {event: boot, data: {app_id: abc12345}},
  onShow,
  {event: onUserEmailSupplied, data: {email: "a@example.com"}},
  {event: onUserEmailSupplied, data: {email: "b@example.com"}}
  with {expect: {violations: [illegal_transition]}}
scenario bad-settings "Boot without an app id and with an e-mail address that is not one.":
  {event: boot, data: {email: not-an-address}},
  shutdown
  with {expect: {violations: [invalid_payload]}}
