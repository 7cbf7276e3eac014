from django.urls import path
from django.views.generic import RedirectView

from bulkimport import import_urls

from . import views
from .imports import MemberImporter, MemberUpdateImporter

app_name = "members"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="members:list"), name="index"),
    path("list/", views.member_index, name="list"),
    path("new/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/edit/photo/", views.member_photo_set, name="photo_set"),
    path("<int:pk>/edit/photo/remove/", views.member_photo_remove, name="photo_remove"),
    path("<int:pk>/edit/account/", views.member_user_link, name="user_link"),
    path("<int:pk>/photo/", views.member_photo, name="photo"),
    path("<int:pk>/dues/", views.member_dues_pay, name="dues_pay"),
    path("<int:pk>/transfer/", views.member_transfer, name="transfer"),
    path("<int:pk>/card.docx", views.member_card_docx, name="card_docx"),
    path("<int:pk>/card.pdf", views.member_card_pdf, name="card_pdf"),
    path("roster/", views.roster, name="roster"),
    path("roster.xlsx", views.roster_export, name="roster_export"),
    path("orgs/<int:org_id>/activity-card.<str:fmt>", views.org_card, name="org_card"),
    path("dual/", views.dual_index, name="dual"),
    path("dual/<int:pk>/decide/", views.dual_decide, name="dual_decide"),
    path("mobile/", views.mobile_index, name="mobile"),
    path("mobile/<int:pk>/inflow/", views.mobile_inflow, name="mobile_inflow"),
    path("mobile/<int:pk>/contact/", views.mobile_contact, name="mobile_contact"),
    path("transfers/", views.transfer_index, name="transfers"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
    path("transfers/batches/<int:pk>/confirm/<int:org_id>/", views.batch_confirm, name="batch_confirm"),
    path("dues/", views.dues_index, name="dues"),
    path("dues/tiers/", views.dues_tiers, name="dues_tiers"),
    path("me/", views.my_record, name="me"),
    path("me/card.<str:fmt>", views.my_card, name="my_card"),
    path("me/photo/", views.my_photo, name="my_photo"),
    path("me/register/", views.my_register, name="my_register"),
    path("stats/", views.stats, name="stats"),
    *import_urls(MemberImporter, back_url_name="members:list"),
    *import_urls(MemberUpdateImporter, prefix="import/update/", name="import_update", back_url_name="members:list"),
]
