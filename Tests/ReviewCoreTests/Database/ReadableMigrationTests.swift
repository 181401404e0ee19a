import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing

/// Issue 13 item 6, "SQL you can read": what runs is what one reads. The last
/// `CREATE [OR REPLACE] FUNCTION` of each function in sql/ is its form in the catalog; sql/094
/// states what sql/013's catalog loops did, object by object; no later migration loops.
@Suite struct ReadableMigrationTests {
    /// Migrations older than sql/094 that set properties in DO blocks with dynamic SQL or loops,
    /// or with `… ON ALL … IN SCHEMA`. They are immutable; 094 restates 013's result.
    static let oldFilesWithPropertyLoops: Set<String> = [
        "010_roles", "013_lifecycle_security", "024_catalog_hardening",
    ]

    func migrations() throws -> [Migration] {
        try Migrator.load(from: try TestCluster.installation.sqlDirectory)
    }

    // MARK: what a reader finds

    /// A function as its last definition in sql/ states it.
    struct Definition {
        var file: String
        var securityDefiner: Bool
        /// `name=value` as pg_proc.proconfig spells it, in order.
        var settings: [String]
        var body: String
    }

    /// The last `CREATE [OR REPLACE] FUNCTION` of each function name in `migrations`.
    static func lastDefinitions(in migrations: [Migration]) throws -> [String: Definition] {
        let create = try Regex(#"(?i)CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?(\w+)\s*\("#)
        let bodyStart = try Regex(#"(?i)\bAS\s+(\$\w*\$)"#)
        var found: [String: Definition] = [:]
        for migration in migrations {
            let sql = migration.sql  // bodies keep their comments, as prosrc does
            for match in sql.matches(of: create) {
                let name = String(sql[match.output[1].range!]).lowercased()
                let rest = sql[match.range.upperBound...]
                guard let start = rest.firstMatch(of: bodyStart) else { continue }
                let tag = String(rest[start.output[1].range!])
                guard let end = rest[start.range.upperBound...].range(of: tag) else { continue }
                let trailer = rest[end.upperBound...].prefix { $0 != ";" }
                let options = String(rest[..<start.range.lowerBound]) + " " + String(trailer)
                found[name] = Definition(
                    file: migration.name,
                    securityDefiner: options.range(of: #"(?i)\bSECURITY\s+DEFINER\b"#, options: .regularExpression) != nil,
                    settings: try Self.settings(in: options),
                    body: String(rest[start.range.upperBound..<end.lowerBound]))
            }
        }
        return found
    }

    /// `SET name = value` clauses of a function's options, as proconfig spells them.
    static func settings(in options: String) throws -> [String] {
        let set = try Regex(
            #"(?is)\bSET\s+(\w+)\s*(?:=|\bTO\b)\s*(.+?)(?=\s+(?:SET|AS|LANGUAGE|SECURITY|STABLE|IMMUTABLE|VOLATILE|STRICT|PARALLEL|COST|ROWS|CALLED|LEAKPROOF|RETURNS)\b|\s*$)"#)
        return options.matches(of: set).map { match in
            let value = String(options[match.output[2].range!])
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
                .trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            return String(options[match.output[1].range!]).lowercased() + "=" + value
        }
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// `sql` with its `--` comment lines blanked.
    static func withoutLineComments(_ sql: String) -> String {
        sql.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.trimmingCharacters(in: .whitespaces).hasPrefix("--") ? "" : String(line)
        }.joined(separator: "\n")
    }

    @Test func everyFunctionsLastDefinitionIsItsFormInTheCatalog() throws {
        let connection = try TestCluster.connect()
        let definitions = try Self.lastDefinitions(in: try migrations())
        var differences: [String] = []
        for row in try connection.query("""
            SELECT p.proname::text AS name, count(*) OVER (PARTITION BY p.proname) AS overloads, p.prosecdef AS definer,
                   coalesce(array_to_string(p.proconfig, E'\\n'), '') AS settings, p.prosrc AS body
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1
            """).rows {
            let name: String = try row.decode("name")
            guard let definition = definitions[name] else {
                differences.append("\(name): no CREATE FUNCTION in sql/")
                continue
            }
            if try row.decode("overloads", as: Int.self) > 1 {
                differences.append("\(name): overloaded; this test matches definitions by name")
            }
            if try row.decode("definer", as: Bool.self) != definition.securityDefiner {
                differences.append("\(name): SECURITY DEFINER differs from \(definition.file)")
            }
            let settings = try Self.lines(row.decode("settings"))
            if settings != definition.settings {
                differences.append("\(name): the catalog says \(settings), \(definition.file) says \(definition.settings)")
            }
            if try row.decode("body", as: String.self) != definition.body {
                differences.append("\(name): its body differs from \(definition.file)")
            }
        }
        #expect(differences.isEmpty, "functions whose last definition is not what runs:\n\(differences.joined(separator: "\n"))")
    }

    // MARK: 094 states what 013's loops did

    /// Functions, relations, policies and triggers of schema public, one line each, sorted.
    static let catalogSnapshot = """
        SELECT 'function ' || p.oid::regprocedure::text || ' definer=' || p.prosecdef::text
               || ' config=' || coalesce(array_to_string(p.proconfig, ';'), '')
               || ' acl=' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(p.proacl) a), 'default')
               || ' body=' || md5(p.prosrc) || ' ' || p.provolatile::text || p.proisstrict::text AS line
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'relation ' || c.relname::text || ' ' || c.relkind::text
               || ' rls=' || c.relrowsecurity::text || '/' || c.relforcerowsecurity::text
               || ' options=' || coalesce(array_to_string(c.reloptions, ','), '')
               || ' acl=' || coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(c.relacl) a), 'default')
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'policy ' || pol.polrelid::regclass::text || '.' || pol.polname::text || ' ' || pol.polcmd::text
               || ' permissive=' || pol.polpermissive::text
               || ' to=' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY 1) FROM unnest(pol.polroles) r)
               || ' using=' || coalesce(pg_get_expr(pol.polqual, pol.polrelid), '')
               || ' check=' || coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '')
        FROM pg_policy pol
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
        FROM pg_trigger t WHERE NOT t.tgisinternal
        ORDER BY 1
        """

    static func snapshot(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(catalogSnapshot).rows.map { try $0.decode("line") }
    }

    @Test func restatingTheLoopsChangesNothingInTheCatalog() throws {
        let all = try migrations()
        let before = try TestCluster.connect(migrated: false)
        _ = try Migrator.migrate(before, migrations: all.filter { $0.version < 94 })
        // Through 094 only: later migrations change the catalog on purpose.
        let after = try TestCluster.connect(migrated: false)
        _ = try Migrator.migrate(after, migrations: all.filter { $0.version <= 94 })
        let old = try Self.snapshot(before), new = try Self.snapshot(after)
        #expect(old.count > 300)
        #expect(old == new, "094 changed:\n\(Set(old).symmetricDifference(Set(new)).sorted().joined(separator: "\n"))")
    }

    /// The tables and triggers 013's loops named (013 is immutable; this mirrors its VALUES lists).
    static let countyDataTables = [
        "clusters", "cluster_enterprises", "confirmations", "decisions", "recertifications",
        "publicity_notices", "objections", "annual_reports", "change_reports", "sweep_actions",
    ]
    static let staffOnlyTables = ["incidents", "false_filing_flags", "sweeps"]
    static let writerRoleTables = [
        "confirmations", "decisions", "recertifications", "publicity_notices", "objections",
        "false_filing_flags", "change_reports", "annual_reports", "clusters", "cluster_enterprises",
        "incidents", "sweeps", "sweep_actions", "lifecycle_settings", "calendar_days",
    ]

    /// Takes away what 013's loops (and its blanket REVOKE) left, and what the files before 094
    /// do not show: then 094's text alone must bring the catalog back.
    @Test func the094StatementsAloneMakeWhatTheLoopsMade() throws {
        let all = try migrations()
        guard let readable = all.first(where: { $0.version == 94 }) else {
            Issue.record("sql/094 is missing")
            return
        }
        let connection = try TestCluster.connect()
        let expected = try Self.snapshot(connection)

        var undo: [String] = []
        for table in Self.writerRoleTables {
            undo.append("DROP TRIGGER \(table)_writer_role ON \(table)")
        }
        for table in Self.countyDataTables + Self.staffOnlyTables {
            for policy in ["owner", "county_read", "staff_read"] {
                undo.append("DROP POLICY IF EXISTS \(table)_\(policy) ON \(table)")
            }
            undo.append("ALTER TABLE \(table) NO FORCE ROW LEVEL SECURITY")
            undo.append("ALTER TABLE \(table) DISABLE ROW LEVEL SECURITY")
            undo.append("REVOKE SELECT ON \(table) FROM cr_county, cr_reviewer, cr_admin, cr_auditor")
        }
        undo.append("ALTER VIEW cluster_watchlist RESET (security_invoker)")
        // Each function as the files before 094 show it, executable by PUBLIC as PostgreSQL makes it.
        let shown = try Self.lastDefinitions(in: all.filter { $0.version < 94 })
        for row in try connection.query("""
            SELECT p.proname::text AS name, p.oid::regprocedure::text AS signature,
                   coalesce(array_to_string(p.proconfig, E'\\n'), '') AS settings
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
            """).rows {
            let name: String = try row.decode("name"), signature: String = try row.decode("signature")
            guard let definition = shown[name], try Self.lines(row.decode("settings")) != definition.settings else { continue }
            undo.append("ALTER FUNCTION \(signature) RESET ALL")
            for setting in definition.settings {
                let parts = setting.split(separator: "=", maxSplits: 1)
                undo.append("ALTER FUNCTION \(signature) SET \(parts[0]) = \(parts[1])")
            }
            undo.append("GRANT EXECUTE ON FUNCTION \(signature) TO PUBLIC")
        }
        try connection.executeScript(undo.joined(separator: ";\n"))
        #expect(try Self.snapshot(connection) != expected)

        try connection.transaction { try $0.executeScript(readable.sql) }
        let restored = try Self.snapshot(connection)
        let missing = Set(expected).subtracting(restored).sorted(), extra = Set(restored).subtracting(expected).sorted()
        #expect(missing.isEmpty && extra.isEmpty, "094 does not state:\n\(missing.joined(separator: "\n"))\nleaves instead:\n\(extra.joined(separator: "\n"))")
    }

    // MARK: no property loops after 094

    /// Where `sql` sets properties other than by plain statements: DO blocks that loop or run
    /// dynamic SQL, and grants or revokes `ON ALL … IN SCHEMA`.
    static func propertyLoops(in sql: String) throws -> [String] {
        let text = withoutLineComments(sql)
        var found: [String] = []
        let doBlock = try Regex(#"(?is)\bDO\s+(\$\w*\$)(.*?)\1"#)
        for match in text.matches(of: doBlock) {
            let body = String(text[match.output[2].range!])
            if body.range(of: #"(?i)\bEXECUTE\b|\bLOOP\b"#, options: .regularExpression) != nil {
                found.append("a DO block with EXECUTE or LOOP: " + body.split(separator: "\n").prefix(3).joined(separator: " "))
            }
        }
        for match in text.matches(of: try Regex(#"(?i)\bON\s+ALL\s+(FUNCTIONS|TABLES|SEQUENCES|ROUTINES|PROCEDURES)\s+IN\s+SCHEMA\b"#)) {
            found.append("a statement on every object of a schema: " + String(text[match.range]))
        }
        return found
    }

    @Test func noNewMigrationSetsPropertiesInALoop() throws {
        var offenders: [String] = []
        var oldWithLoops: Set<String> = []
        for migration in try migrations() {
            let loops = try Self.propertyLoops(in: migration.sql)
            if Self.oldFilesWithPropertyLoops.contains(migration.name) {
                if !loops.isEmpty { oldWithLoops.insert(migration.name) }
                continue
            }
            offenders += loops.map { "\(migration.name): \($0)" }
        }
        #expect(offenders.isEmpty, "state each object's properties as plain statements (docs/security.md):\n\(offenders.joined(separator: "\n"))")
        #expect(oldWithLoops == Self.oldFilesWithPropertyLoops, "the allow-list names only files that loop")
    }

    @Test func theLoopCheckFindsADynamicLoopAndABlanketGrant() throws {
        let sql = """
            DO $$
            DECLARE f record;
            BEGIN
                FOR f IN SELECT oid::regprocedure AS s FROM pg_proc LOOP
                    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog', f.s);
                END LOOP;
            END;
            $$;
            REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
            DO $guard$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'x') THEN CREATE ROLE x; END IF; END; $guard$;
            -- EXECUTE format( in a comment is not a loop
            """
        let found = try Self.propertyLoops(in: sql)
        #expect(found.count == 2, "\(found)")
    }
}
