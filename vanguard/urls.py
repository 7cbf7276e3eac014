from django.urls import path

from . import views

app_name = "vanguard"
urlpatterns = [
    # The member's own pages (phone first).
    path("my/", views.my, name="my"),
    path("my/register/", views.my_register, name="my_register"),
    path("my/posts/", views.my_posts, name="my_posts"),
    path("my/posts/<int:pk>/claim/", views.my_claim, name="my_claim"),
    path("my/claims/<int:pk>/leave/", views.my_leave, name="my_leave"),
    path("my/pledges/new/", views.my_pledge_new, name="my_pledge_new"),
    path("my/pledges/<int:pk>/", views.my_pledge, name="my_pledge"),
    path("my/pledges/<int:pk>/withdraw/", views.my_pledge_withdraw, name="my_pledge_withdraw"),
    path("my/pledges/<int:pk>/photo/", views.my_pledge_photo, name="my_pledge_photo"),
    path("my/consent/", views.my_consent, name="my_consent"),
    path("my/zone/", views.my_zone, name="my_zone"),
    path("my/zone/<int:household_pk>/contact/", views.my_contact, name="my_contact"),
    path("my/activities/", views.my_activities, name="my_activities"),
    path("activities/<int:pk>/signup/", views.signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("activities/<int:pk>/checkin/<str:token>/", views.checkin, name="checkin"),
    # Staff.
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("pledges/", views.pledges, name="pledges"),
    path("pledges/remind/", views.remind_overdue, name="remind_overdue"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pk>/photo/", views.pledge_photo, name="pledge_photo"),
    path("activities/", views.activities, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/add/", views.signup_add, name="signup_add"),
    path("stars/", views.stars, name="stars"),
    path("stars/propose/", views.star_propose, name="star_propose"),
    path("stars/<int:pk>/decide/", views.star_decide, name="star_decide"),
    path("community/", views.community_view, name="community"),
    path("community/remind/", views.community_remind, name="community_remind"),
    path("zones/", views.zones, name="zones"),
    path("zones/new/", views.zone_new, name="zone_new"),
    path("zones/<int:pk>/", views.zone_detail, name="zone"),
    path("zones/<int:pk>/households/<int:household_pk>/remove/", views.zone_household_remove,
         name="zone_household_remove"),
]
