from django.apps import AppConfig

from . import stored_dates


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and agencies"

    def ready(self) -> None:
        from . import security  # noqa: F401 - connects the sign-in and account-change receivers

        stored_dates.install()
