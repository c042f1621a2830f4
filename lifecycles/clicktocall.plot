# Genesys Widgets ClickToCall: the interaction lifecycle and its metadata block, in the two
# versions the sources document:
# - 9.0: seeds/000_38700f96b20a0875.txt (wiki page of April 12, 2018): no `submitted` event,
#   a `proactive` flag;
# - 9.0.002.06: seeds/002_9f43a31a6d7a6bd7.txt (Widgets Reference PDF): `submitted` between
#   `started` and `completed`, `form` in the metadata block ("Introduced / Updated 9.0.002.06"),
#   no `proactive`.
# Where the sources are silent, the choice is marked "Choice:".
lifecycle clicktocall
title "Genesys Widgets ClickToCall"
description "Every ClickToCall interaction has a sequence of events that tracks progress and choices from the beginning of an interaction (opening ClickToCall) to the end (closing ClickToCall)."
source {
  file: 000_38700f96b20a0875.txt,
  title: "ClickToCall Metadata (wiki revision of April 12, 2018)",
}
source {
  file: 002_9f43a31a6d7a6bd7.txt,
  title: "ClickToCall Metadata (Widgets Reference PDF, 9.0.002.06 and later)",
}

version 9.0 with {description: "Before 9.0.002.06 (seed 000).", source: 000_38700f96b20a0875.txt}
version 9.0.002.06 with {
  description: "Adds the `submitted` event and the `form` field; drops `proactive` (seed 002).",
  source: 002_9f43a31a6d7a6bd7.txt,
}

event ready with {description: "ClickToCall is ready."}
event opened with {
  description: "ClickToCall was opened.",
  payload: {
    properties: {
      proactive: {type: boolean, description: "This session was started proactively.", until: 9.0.002.06},
    },
  },
}
event started with {description: "The user started filling out the form."}
event submitted with {
  description: "The user submitted the phone number request.",
  since: 9.0.002.06,
  payload: {properties: {form: {type: object, description: "The form parameters.", pii: true}}},
}
event cancelled with {description: "ClickToCall was cancelled without a phone request."}
event completed with {
  description: "ClickToCall was successfully filled out and submitted.",
  payload: {
    properties: {
      expired: {
        type: integer,
        description: "When the requested phone number expired (ms since the epoch).",
      },
    },
  },
}
event closed with {description: "ClickToCall was closed."}

state ready
state opened
state started
state submitted with {since: 9.0.002.06}
state cancelled
state completed
state closed final

idle -ready-> ready
ready -opened-> opened
opened -started-> started
opened, started -cancelled-> cancelled
started -completed-> completed with {until: 9.0.002.06}
started -submitted-> submitted with {since: 9.0.002.06}
submitted -completed-> completed with {since: 9.0.002.06}
cancelled, completed -closed-> closed

meta proactive: boolean with {
  description: "Indicates this chat session was started proactively.",
  until: 9.0.002.06,
  source: 000_38700f96b20a0875.txt,
}
meta ready: timestamp with {description: "Timestamp indicating when ClickToCall is ready."}
meta opened: timestamp with {description: "Timestamp indicating when ClickToCall was opened."}
meta started: timestamp with {description: "Timestamp indicating when user started filling out the form."}
meta cancelled: timestamp with {
  description: "Timestamp indicating when the ClickToCall was cancelled without a phone request.",
}
meta completed: timestamp with {
  description: "Timestamp indicating when ClickToCall successfully filled out and submitted a form.",
}
meta closed: timestamp with {description: "Timestamp indicating when ClickToCall was closed."}
meta expired: timestamp with {description: "Timestamp indicating when the requested phone number expired."}
meta form: object with {
  description: "An object containing the form parameters when the form is submitted.",
  pii: true,
  since: 9.0.002.06,
  source: 002_9f43a31a6d7a6bd7.txt,
}

# The sources list no `submitted` timestamp; none is invented.
rule {on: ready, set: {ready: ts}}
rule {on: opened, set: {opened: ts}}
rule {on: opened, set: {proactive: data.proactive}, until: 9.0.002.06}
rule {on: started, set: {started: ts}}
rule {on: submitted, set: {form: data.form}, since: 9.0.002.06}
rule {on: cancelled, set: {cancelled: ts}}
rule {on: completed, set: {completed: ts, expired: data.expired}}
rule {on: closed, set: {closed: ts}}

scenario changed-mind "The user opened ClickToCall but changed their mind and closed it without starting a chat session.":
  ready,
  opened,
  cancelled,
  closed
  with {source: 000_38700f96b20a0875.txt, until: 9.0.002.06}
scenario gave-up "The user started a chat session but ended it before an agent connected. Perhaps it was taking too long to reach someone.":
  ready,
  opened,
  started,
  cancelled,
  closed
  with {source: 000_38700f96b20a0875.txt, until: 9.0.002.06}
scenario completed "The user started a chat, met with an agent, and the session ended normally.":
  ready,
  {event: opened, data: {proactive: true}},
  started,
  {event: completed, after: 45000, data: {expired: 1732436100000}},
  closed
  with {source: 000_38700f96b20a0875.txt, until: 9.0.002.06}
scenario changed-mind "The user opened ClickToCall but changed their mind and closed it without entering any information.":
  ready,
  opened,
  cancelled,
  closed
  with {source: 002_9f43a31a6d7a6bd7.txt, since: 9.0.002.06}
scenario abandoned-form "The user started filling out the form but closed ClickToCall without submitting the phone number request.":
  ready,
  opened,
  started,
  cancelled,
  closed
  with {source: 002_9f43a31a6d7a6bd7.txt, since: 9.0.002.06}
scenario submitted "The user started filling out the form and submitted it successfully.":
  ready,
  opened,
  started,
  {
    event: submitted,
    after: 20000,
    data: {form: {firstname: Ada, lastname: Lovelace, phonenumber: "+15550100"}},
  },
  {event: completed, data: {expired: 1732436100000}},
  closed
  with {source: 002_9f43a31a6d7a6bd7.txt, since: 9.0.002.06}
# Where the versions disagree: the old flow is not a valid 9.0.002.06 interaction.
scenario old-flow-on-new-version "The 9.0 flow (started -> completed, no submitted) sent by a 9.0.002.06 widget.":
  ready,
  opened,
  started,
  completed,
  closed
  with {expect: {violations: [illegal_transition]}, since: 9.0.002.06}

format {
  name: genesys-bus,
  description: "Genesys Widgets bus events.",
  event: event,
  event_prefix: ClickToCall.,
  ts: "data.metadata.{event}",
  data: data,
  metadata: data.metadata,
}
