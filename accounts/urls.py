from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("security/", views.account_security, name="security"),
    path("password/", views.password_change_view, name="password"),
    path("two-factor/", views.otp_setup_view, name="otp_setup"),
    path("two-factor/verify/", views.otp_verify_view, name="otp_verify"),
]
