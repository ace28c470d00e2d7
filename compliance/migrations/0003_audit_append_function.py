"""Append to the audit chain in one statement.

`compliance_audit_append` takes the chain's advisory lock, reads the head after it (a
volatile PL/pgSQL function takes a fresh snapshot for each statement under READ COMMITTED,
so the previous holder's event is visible), computes the new event's SHA-256 over the
canonical text the application prepared around the head's sequence and hash, inserts the row
and returns (sequence, previous hash, hash). The hash is the same `canonical_event_bytes`
digest the verifier recomputes, so events written before and after this migration form one
chain. Nothing secret reaches the database: the chain's hash is not keyed.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION compliance_audit_append(
    lock_key bigint,
    genesis_hash text,
    text_before_previous_hash text,
    text_before_sequence text,
    text_after_sequence text,
    p_occurred_at timestamptz,
    p_actor_id bigint,
    p_actor_username text,
    p_ip_address inet,
    p_user_agent text,
    p_action text,
    p_object_type text,
    p_object_id text,
    p_fields text[],
    p_purpose text,
    p_request_id text,
    p_extra jsonb
) RETURNS TABLE (new_sequence bigint, new_previous_hash text, new_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head_sequence bigint;
    head_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT e.sequence, e.hash INTO head_sequence, head_hash
        FROM compliance_auditevent AS e ORDER BY e.sequence DESC LIMIT 1;
    IF NOT FOUND THEN
        head_sequence := 0;
        head_hash := genesis_hash;
    END IF;
    new_sequence := head_sequence + 1;
    new_previous_hash := head_hash;
    new_hash := encode(sha256(convert_to(
        text_before_previous_hash || head_hash || text_before_sequence
        || new_sequence::text || text_after_sequence, 'UTF8')), 'hex');
    INSERT INTO compliance_auditevent (
        sequence, occurred_at, actor_id, actor_username, ip_address, user_agent, action,
        object_type, object_id, fields, purpose, request_id, extra, previous_hash, hash
    ) VALUES (
        new_sequence, p_occurred_at, p_actor_id, p_actor_username, p_ip_address,
        p_user_agent, p_action, p_object_type, p_object_id, p_fields, p_purpose,
        p_request_id, p_extra, new_previous_hash, new_hash
    );
    RETURN NEXT;
END;
$$;
"""

REVERSE = """
DROP FUNCTION IF EXISTS compliance_audit_append(
    bigint, text, text, text, text, timestamptz, bigint, text, inet, text, text, text, text,
    text[], text, text, jsonb
);
"""


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_audit_event_append_only")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
