from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "studio_tracker.accounts"
    label = "accounts"
    verbose_name = "Accounts"
