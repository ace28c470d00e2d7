"""Make the audit table append-only in the database itself.

A row-level BEFORE trigger refuses UPDATE and DELETE; a statement-level BEFORE trigger
refuses TRUNCATE (which fires no row triggers). Only someone able to disable or drop
triggers (the table owner, a superuser) can get past them, and the hash chain exposes what
they change.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION compliance_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'compliance_auditevent is append-only: % refused', TG_OP
        USING HINT = 'Audit events can only be inserted, through compliance.audit.audit_record.';
END;
$$;

CREATE TRIGGER compliance_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON compliance_auditevent
    FOR EACH ROW EXECUTE FUNCTION compliance_auditevent_refuse_change();

CREATE TRIGGER compliance_auditevent_no_truncate
    BEFORE TRUNCATE ON compliance_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_auditevent_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS compliance_auditevent_no_truncate ON compliance_auditevent;
DROP TRIGGER IF EXISTS compliance_auditevent_no_update_delete ON compliance_auditevent;
DROP FUNCTION IF EXISTS compliance_auditevent_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
