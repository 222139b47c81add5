from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Here, not at the top: it imports the models, which exist only once apps are loaded.
        from . import audited
        from .people import trigrams

        audited.install()
        trigrams.install()
