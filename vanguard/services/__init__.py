"""Every write of posts, pledges, zones, volunteering and stars: one transaction each, audited, with
Chinese messages naming the field. Import from ``vanguard.services``."""
from .community import members_remind
from .pledges import (
    pledge_deliberate,
    pledge_draft,
    pledge_fulfil,
    pledge_publish,
    pledge_rate,
    pledge_review,
    pledge_revise,
    pledge_withdraw,
    pledges_remind_overdue,
)
from .posts import post_claim, post_claim_decide, post_create, post_leave, post_update
from .stars import consent_set, star_decide, star_propose
from .zones import zone_add_households, zone_contact_log, zone_create, zone_remove_household, zone_set_members

__all__ = [
    "pledge_deliberate", "pledge_draft", "pledge_fulfil", "pledge_publish", "pledge_rate", "pledges_remind_overdue",
    "pledge_review", "pledge_revise", "pledge_withdraw", "post_claim", "post_claim_decide", "post_create",
    "post_leave", "post_update", "zone_add_households", "zone_contact_log", "zone_create", "zone_remove_household",
    "zone_set_members", "members_remind", "consent_set", "star_decide", "star_propose",
]
