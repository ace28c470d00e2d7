"""The default segmentation rules, version 1 (active), for a bank whose currency is CNY.

Retail
    private banking   AUM >= 6,000,000 (the usual threshold of Chinese banks' private banking)
    VIP               AUM >= 500,000
    VIP               income band >= 1,000,000
    mass retail       everyone else
Corporate
    multinational     operates in >= 3 countries and revenue band >= 500,000,000
    multinational     operates in >= 5 countries
    large enterprise  revenue band >= 500,000,000 (the band floor nearest above the
                      400,000,000 of the national size standard)
    large enterprise  >= 1,000 employees
    SME               everyone else

Income and revenue rules use band floors (customers.models.INCOME_BANDS) because only the
floor is stored in clear. Priorities step by 10 so a later version can slot rules in between.
"""

from django.db import migrations

VERSION = 1
NOTE = "Default rules"

RULES = [
    ("individual", "private", 10, [{"metric": "aum", "op": ">=", "value": "6000000"}]),
    ("individual", "vip", 20, [{"metric": "aum", "op": ">=", "value": "500000"}]),
    ("individual", "vip", 30, [{"metric": "income", "op": ">=", "value": "1000000"}]),
    ("individual", "mass", 40, []),
    ("corporate", "multinational", 10, [
        {"metric": "countries", "op": ">=", "value": "3"},
        {"metric": "revenue", "op": ">=", "value": "500000000"},
    ]),
    ("corporate", "multinational", 20, [{"metric": "countries", "op": ">=", "value": "5"}]),
    ("corporate", "large", 30, [{"metric": "revenue", "op": ">=", "value": "500000000"}]),
    ("corporate", "large", 40, [{"metric": "employees", "op": ">=", "value": "1000"}]),
    ("corporate", "sme", 50, []),
]


def create_default_rules(apps, schema_editor):
    SegmentRuleSet = apps.get_model("customers", "SegmentRuleSet")
    SegmentRule = apps.get_model("customers", "SegmentRule")
    if SegmentRuleSet.objects.exists():
        return  # a database that already has rules keeps them
    rule_set = SegmentRuleSet.objects.create(version=VERSION, is_active=True, note=NOTE)
    SegmentRule.objects.bulk_create([
        SegmentRule(rule_set=rule_set, kind=kind, segment=segment, priority=priority, conditions=conditions)
        for kind, segment, priority, conditions in RULES
    ])


def remove_default_rules(apps, schema_editor):
    SegmentRuleSet = apps.get_model("customers", "SegmentRuleSet")
    Customer = apps.get_model("customers", "Customer")
    rule_set = SegmentRuleSet.objects.filter(version=VERSION, note=NOTE, created_by__isnull=True).first()
    if rule_set is None:
        return
    Customer.objects.filter(segment_rule__rule_set=rule_set).update(segment_rule=None)
    rule_set.rules.all().delete()
    rule_set.delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_role_permissions")]

    operations = [migrations.RunPython(create_default_rules, remove_default_rules)]
