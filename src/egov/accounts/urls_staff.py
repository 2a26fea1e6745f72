from django.urls import path

from egov.accounts import views

app_name = "staff_accounts"
urlpatterns = [
    path("login/", views.staff_login, name="login"),
    path("login/code/", views.staff_login_otp, name="login_otp"),
    path("login/enrol/", views.staff_mfa_enrol, name="mfa_enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("accounts/verify/", views.window_verify, name="window_verify"),
]
