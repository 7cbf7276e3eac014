from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.service_new, name="service_new"),
    path("providers/new/", views.provider_new, name="provider_new"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("my/", views.provider_orders, name="provider_orders"),
    path("my/<int:pk>/", views.provider_order, name="provider_order"),
    path("errands/", views.errand_list, name="errands"),
    path("errands/new/", views.errand_new, name="errand_new"),
    path("errands/<int:pk>/", views.errand_detail, name="errand"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/new/", views.job_new, name="job_new"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/seekers/", views.seeker_list, name="seekers"),
    path("jobs/trainings/new/", views.training_new, name="training_new"),
    path("jobs/stats/", views.job_stats, name="job_stats"),
    path("charity/", views.charity, name="charity"),
    path("charity/items/new/", views.charity_item_new, name="charity_item_new"),
    path("charity/donations/new/", views.donation_new, name="donation_new"),
    path("charity/handouts/new/", views.handout_new, name="handout_new"),
    path("charity/account/", views.charity_account, name="charity_account"),
    path("charity/account.xlsx", views.charity_xlsx, name="charity_xlsx"),
    path("venues/", views.venue_list, name="venues"),
    path("venues/new/", views.venue_new, name="venue_new"),
    path("venues/<int:pk>/", views.venue_detail, name="venue"),
    path("duty/", views.duty, name="duty"),
    path("duty/new/", views.shift_new, name="shift_new"),
]
