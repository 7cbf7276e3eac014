from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.index, name="index"),
    path("leaders/", views.leaders, name="leaders"),
    path("leaders/<int:pk>/", views.leader, name="leader"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("unvisited/", views.unvisited, name="unvisited"),
    path("communities/<int:pk>/", views.community, name="community"),
    path("communities/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("communities/<int:pk>/problem/", views.problem_new, name="problem_new"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("committees/", views.committees, name="committees"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("compounds/", views.compounds, name="compounds"),
    path("compounds/bodies/<int:pk>/", views.compound_body, name="compound_body"),
    path("social-orgs/", views.social_orgs, name="social_orgs"),
    path("social-orgs/<int:pk>/", views.social_org, name="social_org"),
]
