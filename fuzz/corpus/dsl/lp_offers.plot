# LivePerson engagement events (appName LP_OFFERS): START, OFFER_DISPLAY, OFFER_IMPRESSION,
# OFFER_CLICK, OFFER_TIMEOUT, OFFER_DECLINED, OFFER_REMOVE, with the property set the source
# documents under START ("See START event" for the others).
# Source: seeds/004_efa8ff3eb529d9a5.txt. Where it is silent, the choice is marked "Choice:".
lifecycle lp_offers
title "LivePerson engagement offers (LP_OFFERS)"
description "Engagement-related events: rendering, display and interactions with an engagement. One interaction is one engagement impression (one engagement context)."
source {file: 004_efa8ff3eb529d9a5.txt, title: "LivePerson lpTag engagement events (LP_OFFERS)"}

version 1.0 with {description: "The events as documented."}
initial idle

properties engagement {
  description: "Engagement properties, documented under START and shared by every event.",
  properties: {
    contexts: {
      type: array,
      description: "The engagement and page context ID (impression ID) in the current monitored session.",
      items: {type: object},
      required: true,
    },
    campaignId: {type: alphanumeric, description: "The engagement's campaign ID.", required: true},
    engagementId: {type: alphanumeric, description: "The engagement ID.", required: true},
    engagementRevision: {type: alphanumeric, description: "The engagement revision.", required: true},
    engagementType: {
      type: integer,
      description: "The engagement format.",
      required: true,
      enum: [
        {value: 0, label: "Peeling corner"},
        {value: 1, label: Overlay},
        {value: 2, label: Toaster},
        {value: 3, label: Slide-out},
        {value: 5, label: Embedded},
        {value: 6, label: Sticky},
      ],
    },
    contextId: {
      type: alphanumeric,
      description: "The engagement context ID (engagement impression ID) in the current monitored session.",
      required: true,
    },
    zoneId: {type: alphanumeric, description: "Internal. The engagement zone ID."},
    state: {
      type: integer,
      description: "The agent's state.",
      required: true,
      enum: [{value: 1, label: online}, {value: 2, label: offline}, {value: 4, label: busy}],
    },
    confKey: {
      type: string,
      description: "Internal. CampaignId + EngagementId + Revision.",
      required: true,
    },
    tglName: {type: string, description: "Internal. The engagement format description."},
    done: {type: boolean, description: "If the configuration has finished loading."},
    engagementName: {type: string, description: "The engagement name as defined in LiveEngage UI."},
  },
}

event START with {description: "The flow to display the engagement has started.", payload: {use: [engagement]}}
event OFFER_DISPLAY with {
  description: "The engagement has been rendered and is going to be displayed on the page.",
  payload: {use: [engagement]},
}
event OFFER_IMPRESSION with {description: "The engagement has been displayed on the page.", payload: {use: [engagement]}}
event OFFER_CLICK with {description: "The engagement has been accepted by a user.", payload: {use: [engagement]}}
event OFFER_TIMEOUT with {description: "An engagement duration has timed out.", payload: {use: [engagement]}}
event OFFER_DECLINED with {description: "An engagement is closed by a user.", payload: {use: [engagement]}}
event OFFER_REMOVE with {
  description: "An engagement is removed from the DOM (auto or user initiated).",
  payload: {use: [engagement]},
}

state starting with {description: "The display flow has started."}
state displayed with {description: "Rendered, about to be displayed."}
state shown with {description: "Displayed on the page."}
state accepted with {description: "Accepted by the user."}
state declined with {description: "Closed by the user."}
state timed_out with {description: "Its duration timed out."}
state removed final with {description: "Removed from the DOM."}

idle -START-> starting
starting -OFFER_DISPLAY-> displayed
displayed -OFFER_IMPRESSION-> shown
shown -OFFER_CLICK-> accepted
shown -OFFER_DECLINED-> declined
shown -OFFER_TIMEOUT-> timed_out
# Choice: "removed from the DOM (auto or user initiated)" can only follow a render: after
# OFFER_DISPLAY (removed before it was seen), after the impression, and after any outcome.
displayed, shown, accepted, declined, timed_out -OFFER_REMOVE-> removed

rule {
  name: confKey,
  on: "*",
  assert: "data.confKey == \"${data.campaignId}_${data.engagementId}_${data.engagementRevision}\"",
  message: "confKey must be campaignId_engagementId_engagementRevision",
}
rule {
  name: contextId,
  on: "*",
  assert: "data.contextId in data.contexts[*].EngagementContext.id",
  message: "contextId must be the id of the EngagementContext in contexts",
}

example START {
  contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
  campaignId: 210599710,
  engagementId: 210600710,
  engagementRevision: 18,
  engagementType: 3,
  contextId: "1",
  zoneId: 471288710,
  state: 2,
  confKey: 210599710_210600710_18,
  tglName: slider,
  done: true,
  engagementName: "Slide-out chat button",
}
example OFFER_DISPLAY {
  contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
  campaignId: 248955910,
  engagementId: 248956110,
  engagementRevision: 14,
  engagementType: 6,
  contextId: "2",
  zoneId: 471288510,
  state: 2,
  confKey: 248955910_248956110_14,
  tglName: overlay,
  done: true,
  engagementName: Mine,
}

scenario accepted "Flow of an engagement the user accepts: START, OFFER_DISPLAY, OFFER_IMPRESSION, OFFER_CLICK, OFFER_REMOVE (payloads: the START example).":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_IMPRESSION,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_CLICK,
    after: 8000,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  }
  with {source: 004_efa8ff3eb529d9a5.txt}
scenario declined "Flow of an engagement the user closes: ... OFFER_IMPRESSION, OFFER_DECLINED, OFFER_REMOVE (payloads: the OFFER_DISPLAY example).":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_IMPRESSION,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_DECLINED,
    after: 4000,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  }
  with {source: 004_efa8ff3eb529d9a5.txt}
scenario timed-out "Flow of an engagement whose duration times out: ... OFFER_IMPRESSION, OFFER_TIMEOUT, OFFER_REMOVE.":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_IMPRESSION,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_TIMEOUT,
    after: 60000,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  }
  with {source: 004_efa8ff3eb529d9a5.txt}
scenario removed-before-impression "An engagement rendered and removed from the DOM before it was displayed: START, OFFER_DISPLAY, OFFER_REMOVE.":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "2"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 248955910,
      engagementId: 248956110,
      engagementRevision: 14,
      engagementType: 6,
      contextId: "2",
      zoneId: 471288510,
      state: 2,
      confKey: 248955910_248956110_14,
      tglName: overlay,
      done: true,
      engagementName: Mine,
    },
  }
  with {source: 004_efa8ff3eb529d9a5.txt}
scenario start-example-alone "The documented START example payload, alone; the engagement never displays.":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  }
  with {source: 004_efa8ff3eb529d9a5.txt, expect: {violations: [incomplete]}}
scenario wrong-confkey "A payload whose confKey is not campaignId_engagementId_engagementRevision.":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "1"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      state: 2,
      confKey: 210599710_210600710_17,
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  }
  with {expect: {violations: [rule_violation]}}
scenario unknown-engagement-type "An engagementType outside the documented values (4 is not one) and a contextId that is not the EngagementContext's.":
  {
    event: START,
    data: {
      contexts: [{EngagementContext: {id: "1"}}],
      campaignId: 1,
      engagementId: 2,
      engagementRevision: 3,
      engagementType: 4,
      contextId: "1",
      state: 2,
      confKey: 1_2_3,
    },
  },
  {
    event: OFFER_DISPLAY,
    data: {
      contexts: [{EngagementContext: {id: "1"}}],
      campaignId: 1,
      engagementId: 2,
      engagementRevision: 3,
      engagementType: 3,
      contextId: "9",
      state: 2,
      confKey: 1_2_3,
    },
  },
  {
    event: OFFER_REMOVE,
    data: {
      contexts: [{EngagementContext: {id: "1"}}, {pageContext: {id: "1738225948"}}],
      campaignId: 210599710,
      engagementId: 210600710,
      engagementRevision: 18,
      engagementType: 3,
      contextId: "1",
      zoneId: 471288710,
      state: 2,
      confKey: 210599710_210600710_18,
      tglName: slider,
      done: true,
      engagementName: "Slide-out chat button",
    },
  }
  with {expect: {violations: [invalid_payload, rule_violation]}}

format {
  name: lptag,
  description: "LivePerson lpTag.events records.",
  match: {appName: LP_OFFERS},
  event: eventName,
  interaction: eventData.contextId,
  data: eventData,
}
