from .own import (
    my,
    my_claim,
    my_leave,
    my_pledge,
    my_pledge_new,
    my_pledge_photo,
    my_pledge_withdraw,
    my_posts,
    my_register,
)
from .staff import claim_decide, pledge_detail, pledge_photo, pledges, post_new, posts, remind_overdue
from .stars import community_remind, community_view, my_consent, star_decide, star_propose, stars
from .volunteer import (
    activities,
    activity_detail,
    activity_new,
    checkin,
    my_activities,
    signup,
    signup_add,
    signup_cancel,
)
from .zones import my_contact, my_zone, zone_detail, zone_household_remove, zone_new, zones

__all__ = ["my", "my_claim", "my_leave", "my_pledge", "my_pledge_new", "my_pledge_photo", "my_pledge_withdraw",
           "my_posts", "claim_decide", "pledge_detail", "pledge_photo", "pledges", "post_new", "posts",
           "remind_overdue", "my_register", "my_contact", "my_zone", "zone_detail", "zone_household_remove", "zone_new",
           "zones", "activities", "activity_detail", "activity_new", "checkin", "my_activities", "signup",
           "signup_cancel", "community_remind", "community_view", "my_consent", "star_decide", "star_propose",
           "stars", "signup_add"]
