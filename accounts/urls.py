from django.contrib.auth import views as auth_views
from django.urls import path

from . import token_views, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("locked/", views.locked_accounts, name="locked_accounts"),
    path("locked/<int:user_pk>/release/", views.unlock_account, name="unlock_account"),
    path("profile/", token_views.api_tokens, name="api_tokens"),
    path("profile/tokens/<int:token_pk>/revoke/", token_views.revoke_api_token, name="api_token_revoke"),
    path("integrations/", token_views.integration_accounts, name="integration_accounts"),
    path("integrations/<int:account_pk>/", token_views.integration_account, name="integration_account"),
    path(
        "integrations/<int:account_pk>/active/",
        token_views.integration_account_active,
        name="integration_account_active",
    ),
    path(
        "integrations/<int:account_pk>/tokens/<int:token_pk>/revoke/",
        token_views.revoke_integration_token,
        name="integration_token_revoke",
    ),
]
