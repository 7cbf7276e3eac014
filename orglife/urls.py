from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("my/", views.my, name="my"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/record.docx", views.session_docx, name="session_docx"),
    path("photos/<int:pk>/", views.session_photo, name="session_photo"),
    path("cadence/", views.cadence, name="cadence"),
    path("cadence/check/", views.cadence_check, name="cadence_check"),
    path("cadence/rules/", views.cadence_rules, name="cadence_rules"),
    path("members/<int:pk>/", views.member_life, name="member"),
    path("stats/", views.stats, name="stats"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("my/reviews/<int:pk>/", views.my_review, name="my_review"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("pipeline/new/", views.applicant_new, name="applicant_new"),
    path("pipeline/<int:pk>/", views.applicant_detail, name="applicant"),
    path("care/", views.care, name="care"),
    path("care/fund/", views.fund, name="fund"),
    path("care/fund/new/", views.fund_new, name="fund_new"),
    path("care/pairs/", views.mobile_pairs, name="pairs"),
    path("care/pairs/<int:pk>/", views.mobile_pair, name="pair"),
    path("care/<str:kind>/", views.care_visits, name="care_visits"),
    path("care/<str:kind>/new/", views.care_visit_new, name="care_visit_new"),
]
