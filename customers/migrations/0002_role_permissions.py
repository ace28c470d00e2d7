"""Give each role its model-level customer permissions.

Per-customer access (the relationship manager's book) is granted per object; these are the
role-wide rights: compliance officers see every customer masked and may reveal; branch
managers reassign, delegate, reveal (their branch only, enforced by the policy) and export;
branch staff add prospects; service accounts (core banking) read and write with PII.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "compliance_officer": ["view_customer", "reveal_customer_pii", "export_customer"],
    "branch_manager": ["reassign_customer", "reveal_customer_pii", "export_customer", "change_customer",
                       "import_customer"],
    "relationship_manager": ["add_customer", "change_customer", "export_customer"],
    "branch_staff": ["add_customer"],
    "service_account": ["view_customer", "view_customer_pii", "add_customer", "change_customer",
                        "import_customer"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("customers")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="customers", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="customers", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("crm", "0002_roles")]

    operations = [migrations.RunPython(grant, revoke)]
