from django.db import migrations


def add_profiles(apps, schema_editor):
    from compliance.privacy.defaults import ensure_profiles

    ensure_profiles(apps.get_model("compliance", "DeadlineProfile"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_privacy_requests")]

    operations = [migrations.RunPython(add_profiles, migrations.RunPython.noop)]
