"""Domain signals: what happened, sent by the blueprint where it happened, after the change.

The blueprint that changes something sends the signal inside its transaction; receivers (the
notifications) add their rows to the same transaction, so a rolled-back action notifies no one.
Senders never import their receivers: dependencies keep pointing one way.
"""

from blinker import Namespace

signals = Namespace()

# sender: the Event, just created (flushed: it has its id).
event_published = signals.signal("event-published")
# sender: the Event, just cancelled (its RSVPs are still active).
event_cancelled = signals.signal("event-cancelled")
# sender: the Rsvp; change: "promoted" (a place freed up for the first waiting).
rsvp_changed = signals.signal("rsvp-changed")
# sender: the Consultation whose contributions opened / whose vote closes soon.
consultation_opened = signals.signal("consultation-opened")
consultation_closing = signals.signal("consultation-closing")
# sender: the Group; post: the new thread / proposal: the new proposal.
group_post_created = signals.signal("group-post-created")
group_proposal_created = signals.signal("group-proposal-created")
