from django.apps import AppConfig

from . import stored_dates


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and agencies"

    def ready(self) -> None:
        # Here, not at the top: importing security connects the sign-in and account-change
        # receivers, and it imports the models, which exist only once apps are loaded.
        from . import security, user_cache  # noqa: F401

        stored_dates.install()
