# Names that diagram formats cannot take raw: colons, semicolons, arrows, quotes, hashes,
# braces and spaces, in events, states and a guard.
lifecycle awkward_names

version 1

event "Order: Completed"
event "a;b --> c" with {payload: {properties: {n: {type: integer}, s: {type: string}}}}
event "say \"hi\" #1"
event "{x}"

state "state one"
state "end: here" final

idle -"Order: Completed"-> "state one"
"state one" -"a;b --> c"-> "state one" when data.n > 1 and data.s != 'x:y'
"state one" -"say \"hi\" #1"-> "end: here"
"state one" -"{x}"-> "end: here"
