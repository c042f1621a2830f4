# Genesys Widgets Callback: the interaction lifecycle and its metadata block.
# Sources: seeds/001_9277d3444434471b.txt (wiki, 2018-09-26) and seeds/003_c2ff8333589a3bf1.txt
# (PDF export of the same page). The two copies agree; every event, field and scenario below is
# taken from them. Where they are silent, the choice is marked "Choice:".
lifecycle callback
title "Genesys Widgets Callback"
description "Every Callback interaction has a sequence of events that tracks progress and choices from the beginning of an interaction (opening Callback) to the end (closing Callback)."
source {
  file: 001_9277d3444434471b.txt,
  title: "Callback Metadata (wiki revision of September 26, 2018)",
}
source {file: 003_c2ff8333589a3bf1.txt, title: "Callback Metadata (Widgets Reference PDF)"}

version 9.0 with {description: "Genesys Widgets 9.0 before 9.0.002.06."}
version 9.0.002.06 with {
  description: "Adds `form` to the metadata block.",
  source: "001_9277d3444434471b.txt (\"form ... Introduced / Updated 9.0.002.06\")",
}

event ready with {description: "Callback is ready."}
event opened with {
  description: "Callback was opened.",
  payload: {
    properties: {proactive: {type: boolean, description: "Callback was offered and accepted proactively."}},
  },
}
event started with {
  description: "The user started entering information into the form.",
  payload: {
    properties: {prefilled: {type: boolean, description: "The form was prefilled with info automatically."}},
  },
}
event submitted with {
  description: "The user submitted the form.",
  payload: {
    properties: {
      autoSubmitted: {
        type: boolean,
        description: "The form was submitted automatically, usually after being prefilled.",
      },
      errors: {
        type: array,
        description: "Error codes encountered after submitting the form.",
        items: {type: any},
      },
      form: {type: object, description: "The form parameters.", since: 9.0.002.06},
    },
  },
}
event cancelled with {
  description: "The user abandoned the interaction by closing Callback before scheduling a callback.",
}
event completed with {description: "The callback request was sent successfully."}
event closed with {description: "Callback was closed."}

state ready
state opened
state started
state submitted
state cancelled
state completed
state closed final

idle -ready-> ready
ready -opened-> opened
opened -started-> started
started -submitted-> submitted
opened, started -cancelled-> cancelled
submitted -completed-> completed
cancelled, completed -closed-> closed

meta proactive: boolean with {description: "Indicates Callback was offered and accepted proactively."}
meta prefilled: boolean with {description: "Indicates the form was prefilled with info automatically."}
meta autoSubmitted: boolean with {description: "Indicates the form was submitted automatically, usually after being prefilled."}
meta errors: array with {
  description: "An array of error codes encountered after submitting the form. If no errors, this value will be false.",
}
meta form: object with {
  description: "An object containing the form parameters when the form is submitted.",
  since: 9.0.002.06,
}
# The seeds list no `ready` or `submitted` timestamp for Callback; none is invented here.
meta opened: timestamp with {description: "Timestamp indicating when Callback was opened."}
meta started: timestamp with {description: "Timestamp indicating when the user started entering information into the form."}
meta cancelled: timestamp with {description: "Timestamp indicating when the callback request is cancelled."}
meta completed: timestamp with {description: "Timestamp indicating when the callback request was sent successfully."}
meta closed: timestamp with {description: "Timestamp indicating when Callback was closed."}
meta elapsed: duration with {
  description: "Total elapsed time in milliseconds from when the user started entering information to when the user cancelled or completed the interaction.",
}

# One timestamp per event that the metadata block lists, set when the event is accepted.
rule {on: opened, set: {opened: ts, proactive: data.proactive}}
rule {on: started, set: {started: ts, prefilled: data.prefilled}}
rule {on: submitted, set: {autoSubmitted: data.autoSubmitted, errors: data.errors}}
rule {on: submitted, set: {form: data.form}, since: 9.0.002.06}
# elapsed: "from when the user started entering information to when the user cancelled or
# completed". Without `started` (cancelled right after opening) it stays false.
rule {on: cancelled, set: {cancelled: ts, elapsed: "ts - meta.started"}}
rule {on: completed, set: {completed: ts, elapsed: "ts - meta.started"}}
rule {on: closed, set: {closed: ts}}

scenario changed-mind "The user opened Callback but changed their mind and closed it without entering any information.":
  ready,
  opened,
  cancelled,
  closed
  with {source: "001_9277d3444434471b.txt, 003_c2ff8333589a3bf1.txt"}
scenario abandoned-form "The user started filling out the form but closed Callback without submitting the callback request.":
  ready,
  opened,
  started,
  cancelled,
  closed
  with {source: "001_9277d3444434471b.txt, 003_c2ff8333589a3bf1.txt"}
scenario submitted "The user started filling out the form and submitted it successfully.":
  ready,
  {event: opened, data: {proactive: true}},
  {event: started, after: 2500, data: {prefilled: true}},
  {
    event: submitted,
    after: 30000,
    data: {autoSubmitted: false, form: {firstname: Ada, lastname: Lovelace, phonenumber: "+15550100"}},
  },
  completed,
  closed
  with {source: "001_9277d3444434471b.txt, 003_c2ff8333589a3bf1.txt", since: 9.0.002.06}
scenario submitted "The user started filling out the form and submitted it successfully.":
  ready,
  {event: opened, data: {proactive: true}},
  {event: started, after: 2500, data: {prefilled: true}},
  {event: submitted, after: 30000, data: {autoSubmitted: false}},
  completed,
  closed
  with {source: "001_9277d3444434471b.txt, 003_c2ff8333589a3bf1.txt", until: 9.0.002.06}
# Not from the documents: how a lost event is reported (one violation, then back in step).
scenario lost-submitted "The `submitted` event is lost; `completed` arrives after `started`.":
  ready,
  opened,
  started,
  completed,
  closed
  with {expect: {violations: [illegal_transition]}}
scenario reported-metadata "The widget reports its metadata block with every event, and it agrees with the computed one.":
  {
    event: ready,
    metadata: {
      proactive: false,
      prefilled: false,
      autoSubmitted: false,
      errors: false,
      form: false,
      opened: false,
      started: false,
      cancelled: false,
      completed: false,
      closed: false,
      elapsed: false,
    },
  },
  {
    event: opened,
    metadata: {
      proactive: false,
      prefilled: false,
      autoSubmitted: false,
      errors: false,
      form: false,
      opened: 1732435201000,
      started: false,
      cancelled: false,
      completed: false,
      closed: false,
      elapsed: false,
    },
  },
  {
    event: cancelled,
    metadata: {
      proactive: false,
      prefilled: false,
      autoSubmitted: false,
      errors: false,
      form: false,
      opened: 1732435201000,
      started: false,
      cancelled: 1732435202000,
      completed: false,
      closed: false,
      elapsed: 5,
    },
  },
  closed
  with {expect: {violations: [metadata_mismatch]}, since: 9.0.002.06}

format {
  name: genesys-bus,
  description: "Genesys Widgets bus events.",
  event: event,
  event_prefix: Callback.,
  ts: "data.metadata.{event}",
  data: data,
  metadata: data.metadata,
}
