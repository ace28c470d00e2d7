"""Suitable offers: the product catalogue, offer rules and suggestions; the default catalogue
(wealth management product, money market and equity funds, structured note, private-banking
mandate, trade finance, FX hedging, cash management, credit card, mortgage) and its rules."""

import compliance.fields
import django.contrib.postgres.fields
import django.contrib.postgres.functions
import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def add_defaults(apps, schema_editor):
    from customers.outreach.offers.defaults import ensure_defaults

    ensure_defaults(apps.get_model("customers", "Product"), apps.get_model("customers", "OfferRule"),
                    using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0016_campaigns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('product_type', models.CharField(choices=[('current_account', 'Current account'), ('savings_account', 'Savings account'), ('term_deposit', 'Term deposit'), ('wealth_product', 'Wealth management product'), ('fund', 'Fund'), ('insurance', 'Insurance'), ('mortgage', 'Mortgage'), ('consumer_loan', 'Consumer loan'), ('credit_card', 'Credit card'), ('corporate_loan', 'Corporate loan'), ('trade_finance', 'Trade finance'), ('cash_management', 'Cash management'), ('fx', 'Foreign exchange')], max_length=20, verbose_name='product type')),
                ('risk_level', models.PositiveSmallIntegerField(choices=[(1, 'R1 (low)'), (2, 'R2 (medium-low)'), (3, 'R3 (medium)'), (4, 'R4 (medium-high)'), (5, 'R5 (high)')], verbose_name='risk level')),
                ('segments', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('mass', 'Mass retail'), ('vip', 'VIP'), ('private', 'Private banking'), ('sme', 'SME'), ('large', 'Large enterprise'), ('multinational', 'Multinational')], max_length=16), blank=True, default=list, help_text='Empty: every segment.', size=None, verbose_name='segments')),
                ('kinds', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('individual', 'Individual'), ('corporate', 'Corporate')], max_length=12), blank=True, default=list, help_text='Empty: individuals and corporates.', size=None, verbose_name='kinds')),
                ('min_age', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(120)], verbose_name='minimum age')),
                ('max_age', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(120)], verbose_name='maximum age')),
                ('min_credit_rating', models.CharField(blank=True, choices=[('AAA', 'AAA'), ('AA+', 'AA+'), ('AA', 'AA'), ('AA-', 'AA-'), ('A+', 'A+'), ('A', 'A'), ('A-', 'A-'), ('BBB+', 'BBB+'), ('BBB', 'BBB'), ('BBB-', 'BBB-'), ('BB+', 'BB+'), ('BB', 'BB'), ('BB-', 'BB-'), ('B+', 'B+'), ('B', 'B'), ('B-', 'B-'), ('CCC', 'CCC'), ('CC', 'CC'), ('C', 'C'), ('D', 'D')], max_length=8, verbose_name='minimum credit rating')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'offer product',
                'verbose_name_plural': 'offer products',
                'ordering': ['code'],
                'constraints': [models.CheckConstraint(condition=models.Q(('risk_level__gte', 1), ('risk_level__lte', 5)), name='offer_product_risk_level'), models.CheckConstraint(condition=models.Q(('min_age__isnull', True), ('max_age__isnull', True), ('min_age__lte', models.F('max_age')), _connector='OR'), name='offer_product_age_range', violation_error_message='The maximum age must not be below the minimum age.')],
            },
        ),
        migrations.CreateModel(
            name='OfferRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('priority', models.PositiveSmallIntegerField(default=100, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='priority')),
                ('kinds', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('individual', 'Individual'), ('corporate', 'Corporate')], max_length=12), blank=True, default=list, size=None, verbose_name='kinds')),
                ('segments', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('mass', 'Mass retail'), ('vip', 'VIP'), ('private', 'Private banking'), ('sme', 'SME'), ('large', 'Large enterprise'), ('multinational', 'Multinational')], max_length=16), blank=True, default=list, size=None, verbose_name='segments')),
                ('need_type', models.CharField(blank=True, choices=[('wealth_growth', 'Wealth growth'), ('asset_preservation', 'Asset preservation'), ('consumer_credit', 'Consumer credit'), ('investment', 'Investment'), ('financing', 'Financing'), ('settlement', 'Settlement'), ('cash_management', 'Cash management'), ('international_business', 'International business')], max_length=24, verbose_name='open need')),
                ('holds_product_types', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('current_account', 'Current account'), ('savings_account', 'Savings account'), ('term_deposit', 'Term deposit'), ('wealth_product', 'Wealth management product'), ('fund', 'Fund'), ('insurance', 'Insurance'), ('mortgage', 'Mortgage'), ('consumer_loan', 'Consumer loan'), ('credit_card', 'Credit card'), ('corporate_loan', 'Corporate loan'), ('trade_finance', 'Trade finance'), ('cash_management', 'Cash management'), ('fx', 'Foreign exchange')], max_length=20), blank=True, default=list, size=None, verbose_name='holds any of')),
                ('lacks_product_types', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('current_account', 'Current account'), ('savings_account', 'Savings account'), ('term_deposit', 'Term deposit'), ('wealth_product', 'Wealth management product'), ('fund', 'Fund'), ('insurance', 'Insurance'), ('mortgage', 'Mortgage'), ('consumer_loan', 'Consumer loan'), ('credit_card', 'Credit card'), ('corporate_loan', 'Corporate loan'), ('trade_finance', 'Trade finance'), ('cash_management', 'Cash management'), ('fx', 'Foreign exchange')], max_length=20), blank=True, default=list, size=None, verbose_name='holds none of')),
                ('min_deposits', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='total deposits at least')),
                ('min_aum', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='AUM at least')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='customers.product', verbose_name='product')),
            ],
            options={
                'verbose_name': 'offer rule',
                'verbose_name_plural': 'offer rules',
                'ordering': ['priority', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Suggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rule_version', models.PositiveIntegerField(default=1, verbose_name='rule version')),
                ('priority', models.PositiveSmallIntegerField(default=100, verbose_name='priority')),
                ('status', models.CharField(choices=[('open', 'Open'), ('accepted', 'Accepted'), ('dismissed', 'Dismissed'), ('expired', 'Expired')], default='open', max_length=10, verbose_name='status')),
                ('reasons', models.JSONField(blank=True, default=list, verbose_name='reasons')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='suggested')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('decision_reason', models.CharField(blank=True, choices=[('not_interested', 'Customer not interested'), ('held_elsewhere', 'Already has it with another bank'), ('not_now', 'Not the right time'), ('unsuitable', "Not suitable in the RM's judgement"), ('other', 'Other')], max_length=20, verbose_name='reason')),
                ('record_key', compliance.fields.RecordKeyField(db_default=django.contrib.postgres.functions.RandomUUID())),
                ('decision_note', compliance.fields.EncryptedTextField(blank=True, max_length=1000, null=True, verbose_name='note')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suggestions', to='customers.customer', verbose_name='customer')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('interaction', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.interaction', verbose_name='interaction')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='suggestions', to='customers.product', verbose_name='product')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='suggestions', to='customers.offerrule', verbose_name='rule')),
            ],
            options={
                'verbose_name': 'suggestion',
                'verbose_name_plural': 'suggestions',
                'indexes': [models.Index(fields=['customer', 'status', 'priority'], name='suggestion_customer_open'), models.Index(fields=['rule', 'status'], name='suggestion_rule_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('customer', 'product'), name='suggestion_one_open_per_product')],
            },
        ),
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
