-- Toward issue 16's target "the first sweep over 100,000 register entries under 2 s" (item 2),
-- after sql/161 (docs/benchmarks.md, "What a first sweep need not do"). A first sweep writes
-- 41,682 sweep actions and 56,676 notices; each row's two foreign keys (sweep_actions: the sweep
-- and the register entry; notifications: the filing and the register entry) were checked one row
-- at a time — a lookup and a KEY SHARE lock on the referenced row, per row and key: ≈ 1.1 s of the
-- 4.4 s. Here the same guarantee — no sweep action names a sweep or a register entry that does not
-- exist, no notice names a filing or a register entry that does not exist — is kept per statement:
--
-- * cr_keys_exist(), an AFTER INSERT statement trigger with the statement's transition table
--   (keys_new), looks every key of the statement up in one anti-join per key and refuses the
--   statement with SQLSTATE 23503 (foreign_key_violation) naming the first missing key, the
--   column and the table, as PostgreSQL's own check words it. It runs at the end of the statement,
--   where a NOT DEFERRABLE foreign key is checked, and rolls the statement back the same way.
-- * cr_key_exists(), a row trigger, checks a key an UPDATE changes (AFTER UPDATE OF the column,
--   only WHEN the key changed): as rare as it is (no function changes these keys), it is checked.
--
-- The lock the foreign key took on the referenced row (KEY SHARE) kept the row from being deleted
-- or its key changed until the writer's commit. It is not needed, because neither can happen to
-- any referenced row here — checked for every role, the owner's functions included:
-- * DELETE: no role holds DELETE on sweeps, clusters or filings (sql/010, 011, 013: only
--   SELECT/INSERT/UPDATE grants, and the *_writer_role triggers of sql/013 for the lifecycle
--   tables); no function deletes from them (sql/ has no DELETE FROM sweeps, clusters or filings).
--   The owner could, and a function added later might: refuse_delete() below refuses every DELETE
--   and every TRUNCATE of the three tables, whoever runs it (SQLSTATE 23001, restrict_violation).
--   A register entry is revoked, never deleted; a filing is superseded, never deleted; a sweep is
--   a record of the register's keeping.
-- * Key changes: id is GENERATED ALWAYS AS IDENTITY in all three (sql/002, 004, 005), so an UPDATE
--   can only set it to DEFAULT — a new key. refuse_key_change() refuses any UPDATE that changes
--   the id of a sweep, a register entry or a filing (SQLSTATE 23001), whoever runs it.
-- So a referenced row, once visible to the check, exists with that key for good, and the anti-join
-- is as strong as the per-row lookup. One difference, stricter: a key that names a row another
-- transaction has inserted and not yet committed is refused at once (the foreign key waited for that
-- transaction). No writer does that: every writer reads the key it writes in its own transaction.
-- What a foreign key shared with these triggers stays shared: session_replication_role = replica
-- (the bench's generator) and ALTER TABLE … DISABLE TRIGGER ALL, both the owner's alone, turn off
-- foreign keys and these triggers alike.
--
-- The four foreign keys are dropped: sweep_actions_sweep_id_fkey, sweep_actions_cluster_id_fkey,
-- notifications_filing_id_fkey, notifications_cluster_id_fkey. Every other foreign key stays.
-- Nothing else changes: the same actions, notices, audit rows and register entries, ids included.

-- MARK: referenced rows are never deleted nor rekeyed

-- Refuses a DELETE or TRUNCATE of a table whose rows other tables name by key (a BEFORE statement
-- trigger). Executable by nobody.
CREATE FUNCTION refuse_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = format('%s of %s is refused: its rows are named by key elsewhere and are kept for good', TG_OP, TG_TABLE_NAME),
        DETAIL = format('不得对 %s 执行 %s：其记录被其他表按编号引用，须永久保留', TG_TABLE_NAME, TG_OP),
        HINT = 'Revoke a register entry, supersede a filing; never delete them.';
END;
$$;
REVOKE ALL ON FUNCTION refuse_delete() FROM PUBLIC;

-- Refuses an UPDATE that changes a row's id (a BEFORE row trigger WHEN the id changes). Executable
-- by nobody.
CREATE FUNCTION refuse_key_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = format('the id of a row of %s never changes (%s)', TG_TABLE_NAME, OLD.id),
        DETAIL = format('%s 的记录编号不可更改（%s）', TG_TABLE_NAME, OLD.id),
        HINT = 'Leave id out of the UPDATE.';
END;
$$;
REVOKE ALL ON FUNCTION refuse_key_change() FROM PUBLIC;

CREATE TRIGGER sweeps_never_deleted BEFORE DELETE ON sweeps FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER sweeps_never_truncated BEFORE TRUNCATE ON sweeps FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER sweeps_key_kept BEFORE UPDATE OF id ON sweeps
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_key_change();
CREATE TRIGGER clusters_never_deleted BEFORE DELETE ON clusters FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER clusters_never_truncated BEFORE TRUNCATE ON clusters FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER clusters_key_kept BEFORE UPDATE OF id ON clusters
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_key_change();
CREATE TRIGGER filings_never_deleted BEFORE DELETE ON filings FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER filings_never_truncated BEFORE TRUNCATE ON filings FOR EACH STATEMENT EXECUTE FUNCTION refuse_delete();
CREATE TRIGGER filings_key_kept BEFORE UPDATE OF id ON filings
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION refuse_key_change();

-- MARK: the keys of a statement, checked once

-- Checks the keys of the rows one INSERT wrote (transition table keys_new). Arguments: pairs of
-- (column, referenced table); each referenced table's key is id. A NULL key is not checked (as a
-- foreign key's MATCH SIMPLE). The first missing key, in the statement's row order, is named.
-- A statement trigger: as the owner (who sees every row of the referenced tables), executable by
-- nobody.
CREATE FUNCTION cr_keys_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    missing_keys bigint;
    missing bigint;
BEGIN
    FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
        -- One hash anti-join over the statement's rows; the first missing key is looked for only
        -- when there is one.
        EXECUTE format('SELECT count(*) FROM keys_new n
                        WHERE n.%1$I IS NOT NULL AND NOT EXISTS (SELECT FROM %2$I r WHERE r.id = n.%1$I)',
                       TG_ARGV[2 * i], TG_ARGV[2 * i + 1])
        INTO missing_keys;
        IF missing_keys > 0 THEN
            EXECUTE format('SELECT n.%1$I FROM (SELECT row_number() OVER () AS position, %1$I FROM keys_new) n
                            WHERE n.%1$I IS NOT NULL AND NOT EXISTS (SELECT FROM %2$I r WHERE r.id = n.%1$I)
                            ORDER BY n.position LIMIT 1', TG_ARGV[2 * i], TG_ARGV[2 * i + 1])
            INTO missing;
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s_%s_fkey"',
                                 TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[2 * i]),
                DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[2 * i], missing, TG_ARGV[2 * i + 1]),
                HINT = format('Name an existing row of %s (%s %s 不存在).', TG_ARGV[2 * i + 1], TG_ARGV[2 * i + 1], missing),
                TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[2 * i];
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION cr_keys_exist() FROM PUBLIC;

-- Checks the key one UPDATE changed in one row. Arguments: the column, the referenced table (its
-- key id). An AFTER row trigger WHEN the key changed: as the owner, executable by nobody.
CREATE FUNCTION cr_key_exists() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    key bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    found boolean;
BEGIN
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT FROM %I r WHERE r.id = $1)', TG_ARGV[1]) INTO found USING key;
    IF NOT found THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s_%s_fkey"',
                             TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0]),
            DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], key, TG_ARGV[1]),
            HINT = format('Name an existing row of %s (%s %s 不存在).', TG_ARGV[1], TG_ARGV[1], key),
            TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[0];
    END IF;
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION cr_key_exists() FROM PUBLIC;

ALTER TABLE sweep_actions DROP CONSTRAINT sweep_actions_sweep_id_fkey;
ALTER TABLE sweep_actions DROP CONSTRAINT sweep_actions_cluster_id_fkey;
-- (AFTER triggers of one event fire in name order: the keys are checked after the audit rows are
-- written, before the notices; a refusal rolls the statement back with both.)
CREATE TRIGGER check_keys_sweep_actions AFTER INSERT ON sweep_actions
    REFERENCING NEW TABLE AS keys_new
    FOR EACH STATEMENT EXECUTE FUNCTION cr_keys_exist('sweep_id', 'sweeps', 'cluster_id', 'clusters');
CREATE TRIGGER check_key_sweep_actions_sweep AFTER UPDATE OF sweep_id ON sweep_actions
    FOR EACH ROW WHEN (OLD.sweep_id IS DISTINCT FROM NEW.sweep_id) EXECUTE FUNCTION cr_key_exists('sweep_id', 'sweeps');
CREATE TRIGGER check_key_sweep_actions_cluster AFTER UPDATE OF cluster_id ON sweep_actions
    FOR EACH ROW WHEN (OLD.cluster_id IS DISTINCT FROM NEW.cluster_id) EXECUTE FUNCTION cr_key_exists('cluster_id', 'clusters');

ALTER TABLE notifications DROP CONSTRAINT notifications_filing_id_fkey;
ALTER TABLE notifications DROP CONSTRAINT notifications_cluster_id_fkey;
CREATE TRIGGER check_keys_notifications AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS keys_new
    FOR EACH STATEMENT EXECUTE FUNCTION cr_keys_exist('filing_id', 'filings', 'cluster_id', 'clusters');
CREATE TRIGGER check_key_notifications_filing AFTER UPDATE OF filing_id ON notifications
    FOR EACH ROW WHEN (OLD.filing_id IS DISTINCT FROM NEW.filing_id) EXECUTE FUNCTION cr_key_exists('filing_id', 'filings');
CREATE TRIGGER check_key_notifications_cluster AFTER UPDATE OF cluster_id ON notifications
    FOR EACH ROW WHEN (OLD.cluster_id IS DISTINCT FROM NEW.cluster_id) EXECUTE FUNCTION cr_key_exists('cluster_id', 'clusters');
