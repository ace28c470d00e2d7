"""Branch managers add customers to their own branch by hand, as they already do by import
(the policy's ADD rule limits them to their branch)."""

from django.db import migrations

ROLE = "branch_manager"
CODENAME = "add_customer"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="customers", codename=CODENAME))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ROLE).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="customers", codename=CODENAME)
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_fill_mask_hints")]

    operations = [migrations.RunPython(grant, revoke)]
