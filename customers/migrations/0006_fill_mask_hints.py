"""Fill the new mask hint columns from the stored values (each decrypted once, in batches)."""

from django.db import migrations


def fill_mask_hints(apps, schema_editor):
    from compliance.mask_hints import refresh_mask_hints

    refresh_mask_hints(
        [apps.get_model("customers", name) for name in ("Customer", "Holding")],
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    # Batches commit one by one, so an interrupted fill keeps its progress; running
    # `manage.py refresh_mask_hints` finishes it.
    atomic = False

    dependencies = [
        ("customers", "0005_mask_hints"),
    ]

    operations = [
        migrations.RunPython(fill_mask_hints, migrations.RunPython.noop, elidable=True),
    ]
