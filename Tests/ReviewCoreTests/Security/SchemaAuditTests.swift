import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The schema as a whole, read from the catalogs: a table, view or function added by any later
    /// migration without its grants and policies fails here, naming it.
    @Suite struct SchemaAuditTests {
        /// Tables without row-level security, on purpose: reference data and the migration record.
        static let tablesWithoutPolicies: Set<String> = ["counties", "schema_migrations"]

        /// What a county's login may execute (all used by policies, constraints and column defaults, none returns rows).
        static let countyFunctions: Set<String> = ["cr_my_counties", "cr_session_has", "cr_require", "jsonb_nesting_depth", "cr_person"]

        func names(_ sql: String, on connection: PostgresConnection) throws -> [String] {
            try connection.query(sql).rows.map { try $0.decode(column: 0) }
        }

        @Test func everyTableHasForcedRowLevelSecurity() throws {
            let connection = try TestCluster.connect()
            let missing = try names("""
                SELECT relname::text FROM pg_class
                WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace
                  AND NOT (relrowsecurity AND relforcerowsecurity)
                ORDER BY 1
                """, on: connection).filter { !Self.tablesWithoutPolicies.contains($0) }
            #expect(missing.isEmpty, "tables without ENABLE + FORCE ROW LEVEL SECURITY: \(missing)")
        }

        @Test func nothingIsGrantedToPublic() throws {
            let connection = try TestCluster.connect()
            let tables = try names("""
                SELECT c.relname::text FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
                WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = 0
                """, on: connection)
            #expect(tables.isEmpty, "tables or sequences with privileges for PUBLIC: \(tables)")
            let functions = try names("""
                SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
                  AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
                ORDER BY 1
                """, on: connection)
            #expect(Set(functions).isSubset(of: Self.countyFunctions), "functions PUBLIC may execute: \(functions)")
        }

        @Test func aCountyMayExecuteOnlyThePolicyHelpers() throws {
            let connection = try TestCluster.connect()
            let functions = try names("""
                SELECT DISTINCT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege('cr_county_469005', p.oid, 'EXECUTE')
                ORDER BY 1
                """, on: connection)
            #expect(Set(functions) == Self.countyFunctions, "\(functions)")
        }

        @Test func everySecurityDefinerFunctionSearchesPgTempLast() throws {
            let connection = try TestCluster.connect()
            let unsafe = try names("""
                SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
                  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) cfg WHERE cfg ~ '^search_path=.*pg_temp$')
                ORDER BY 1
                """, on: connection)
            #expect(unsafe.isEmpty, "SECURITY DEFINER functions whose search_path does not end with pg_temp: \(unsafe)")
        }

        /// `cr_person()` is the one place that says who acts (for the web door, the person it
        /// became); nothing else may read the session's login, or the web would name cr_web.
        @Test func onlyCrPersonReadsTheSessionsLogin() throws {
            let connection = try TestCluster.connect()
            let functions = try names("""
                SELECT p.proname::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prosrc ~* 'session_user' AND p.proname <> 'cr_person'
                ORDER BY 1
                """, on: connection)
            #expect(functions.isEmpty, "functions that read session_user: \(functions)")
            let defaults = try names("""
                SELECT d.adrelid::regclass::text || '.' || a.attname::text FROM pg_attrdef d
                JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                WHERE pg_get_expr(d.adbin, d.adrelid) ~* 'session_user|current_user'
                """, on: connection).filter { $0 != "schema_migrations.applied_by" }  // who ran `migrate`, never through the web
            #expect(defaults.isEmpty, "columns that default to the session's login: \(defaults)")
            let policies = try names("""
                SELECT tablename::text || '.' || policyname::text FROM pg_policies
                WHERE schemaname = 'public' AND (coalesce(qual, '') ~* 'session_user' OR coalesce(with_check, '') ~* 'session_user')
                """, on: connection)
            #expect(policies.isEmpty, "policies that read session_user: \(policies)")
        }

        @Test func everyViewRunsAsThePersonQuerying() throws {
            let connection = try TestCluster.connect()
            let views = try names("""
                SELECT c.relname::text FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
                  AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)
                """, on: connection)
            #expect(views.isEmpty, "views that run as their owner: \(views)")
        }

        @Test func everyCountyTableNamesItsCountyInAPolicy() throws {
            let connection = try TestCluster.connect()
            // Tables a county may read must have a policy for cr_county; no table is readable by a
            // county through a policy that is not restricted (USING true) — except those holding no
            // county data: coordinators' heartbeats, lifecycle settings, the calendar, and what
            // modules declare (titles of criteria, shown with every finding), and the province's
            // application rounds (when a county may file: sql/120).
            let open = try names("""
                SELECT p.tablename::text || '.' || p.policyname::text FROM pg_policies p
                WHERE p.schemaname = 'public' AND 'cr_county' = ANY (p.roles) AND p.qual = 'true'
                  AND p.tablename NOT IN ('coordinators', 'lifecycle_settings', 'calendar_days', 'module_declarations', 'rounds')
                """, on: connection)
            #expect(open.isEmpty, "county policies that let every row through: \(open)")
            let readable = try names("""
                SELECT c.relname::text FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                  AND has_table_privilege('cr_county_469005', c.oid, 'SELECT')
                  AND NOT EXISTS (SELECT FROM pg_policies p WHERE p.tablename = c.relname AND 'cr_county' = ANY (p.roles))
                """, on: connection).filter { !Self.tablesWithoutPolicies.contains($0) }
            #expect(readable.isEmpty, "tables a county may read without a county policy: \(readable)")
        }
    }
}
