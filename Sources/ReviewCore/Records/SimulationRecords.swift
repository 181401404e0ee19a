import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore
import Postgres
import Reports

/// What a what-if reads (`Simulation`): the stored filings of a scope, projected for each module,
/// with their review contexts — read in ONE REPEATABLE READ, READ ONLY transaction under the
/// person's own login, so every filing is read at the same moment, nothing can be written, and row
/// security holds (a county reads its own county's filings only). Every statement of the
/// simulation lives here.
public enum SimulationRecords {
    /// Which stored filings a simulation runs.
    public enum Scope: Sendable, Hashable, CustomStringConvertible {
        /// Each cluster's latest reviewed application: of the initial applications and
        /// recertifications with a completed decision review and no correction filed after them,
        /// per cluster (its register entry when it has one, else its county and name) the latest filed.
        case filings
        /// Each active register entry's filing: the one that opened its current term.
        case register
        /// The round's applications (id or name) with a completed decision review and no correction after them.
        case round(String)

        public var description: String {
            switch self {
            case .filings: "filings"
            case .register: "register"
            case .round(let key): "round \(key)"
            }
        }
    }

    /// One stored filing as the simulation runs it.
    public struct StoredFiling: Sendable {
        public var id: Int64
        public var kind: FilingKind
        public var countyCode: String
        public var clusterName: String
        public var certificateNo: String?
        public var leadingIndustry: String
        /// The as-of date of its latest decision review (its filing date when that review has none).
        public var asOf: CivilDate
        /// The recommendation its latest decision review recorded.
        public var stored: ReviewSummary.Recommendation?
        /// The filing projected for each module that reads any of its members.
        public var projections: [String: Data]
        /// The review context (`review_context`), or `{"incidents": []}` for a login that may not read incidents.
        public var context: Data
    }

    /// What was read, at one moment.
    public struct Snapshot: Sendable {
        public var today: CivilDate
        public var filings: [StoredFiling]
    }

    /// Why a scope cannot be read.
    public enum ScopeError: Error, Sendable, Hashable, CustomStringConvertible {
        /// No round has this id or name.
        case noSuchRound(String)

        public var description: String { message.en }

        public var message: LocalizedText {
            switch self {
            case .noSuchRound(let key):
                LocalizedText(zh: "没有编号或名称为“\(key)”的批次（cluster-review rounds list 列出全部批次）",
                              en: "no round has the id or name \"\(key)\" (cluster-review rounds list shows them)")
            }
        }
    }

    /// Reads `scope` with each module's `reads`, in one read-only snapshot.
    public static func load(_ scope: Scope, reads: [String: [String]], on connection: PostgresConnection) throws -> Snapshot {
        try connection.transaction { connection in
            try connection.executeScript("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            // The system's date (cr_today(), the clock tests and demos move) for those who may read it;
            // the server's date for a county's login, which may not.
            let clock: Bool = try connection.queryRow("SELECT has_function_privilege('cr_today()', 'EXECUTE') AS clock").decode("clock")
            let today: String = try connection.queryRow(clock ? "SELECT cr_today()::text AS today" : "SELECT current_date::text AS today")
                .decode("today")
            var round: Int64?
            if case .round(let key) = scope {
                guard let found = try Rounds.round(key, on: connection) else { throw ScopeError.noSuchRound(key) }
                round = found.id
            }
            let rows = try connection.queryPrepared(selection(scope), round.map { [$0] } ?? []).rows
            var filings: [StoredFiling] = []
            for row in rows {
                let kind: String = try row.decode("kind")
                let asOf: String = try row.decode("as_of")
                let stored: String? = try row.decode("recommendation")
                filings.append(StoredFiling(
                    id: try row.decode("id"), kind: FilingKind(rawValue: kind) ?? .initial, countyCode: try row.decode("county_code"),
                    clusterName: try row.decode("cluster_name"), certificateNo: try row.decode("certificate_no"),
                    leadingIndustry: try row.decode("leading_industry"), asOf: CivilDate(asOf) ?? CivilDate(year: 1970, month: 1, day: 1)!,
                    stored: stored.flatMap(ReviewSummary.Recommendation.init(rawValue:)), projections: [:], context: Data(#"{"incidents":[]}"#.utf8)))
            }
            guard !filings.isEmpty else { return Snapshot(today: CivilDate(today) ?? CivilDate(year: 1970, month: 1, day: 1)!, filings: []) }
            let ids = TextArray(filings.map { String($0.id) })
            let index = Dictionary(uniqueKeysWithValues: filings.enumerated().map { ($0.element.id, $0.offset) })
            // Each payload read once (jsonb_each), its members handed to the modules that read them,
            // as the coordinator's ReviewQueue.loadWork does for a decision review.
            let modules = try JSONB(encoding: reads.map { ["module": JSONValue.string($0.key), "reads": .array($0.value.map(JSONValue.string))] })
            for row in try connection.queryPrepared("""
                SELECT f.id AS filing_id, m.module, jsonb_object_agg(e.key, e.value) AS projection
                FROM filings f
                CROSS JOIN LATERAL jsonb_each(f.payload) AS e
                JOIN jsonb_to_recordset($1::jsonb) AS m(module text, reads jsonb) ON m.reads ? e.key
                WHERE f.id = ANY($2::bigint[])
                GROUP BY f.id, m.module
                """, [modules, ids]).rows {
                let id: Int64 = try row.decode("filing_id")
                let module: String = try row.decode("module")
                if let i = index[id] { filings[i].projections[module] = try row.decode("projection", as: JSONB.self).bytes }
            }
            // The context the coordinator would send (one definition: review_context, sql/146 lets the
            // staff call it); a county may not read the incidents, so it runs without them — the same
            // for the baseline and the draft, so the comparison is not affected.
            let mayReadContext: Bool = try connection.queryRow("""
                SELECT has_function_privilege('review_context(bigint)', 'EXECUTE') AND has_table_privilege('incidents', 'SELECT') AS may
                """).decode("may")
            if mayReadContext {
                for (id, context) in try ReviewContextQuery.contexts(for: filings.map(\.id), on: connection) {
                    if let i = index[id] { filings[i].context = context }
                }
            }
            return Snapshot(today: CivilDate(today) ?? CivilDate(year: 1970, month: 1, day: 1)!, filings: filings)
        }
    }

    /// The statement that selects the scope's filings (`$1` the round's id for a round).
    static func selection(_ scope: Scope) -> String {
        let latest = """
            WITH latest AS (
                SELECT DISTINCT ON (r.filing_id) r.filing_id, r.recommendation, r.as_of
                FROM reviews r
                WHERE r.purpose = 'decision' AND r.outcome = 'completed'
                ORDER BY r.filing_id, r.finished_at DESC, r.id DESC
            )
            """
        let columns = """
            f.id, f.kind, f.county_code, f.cluster_name, f.leading_industry, coalesce(l.as_of, f.filed_on)::text AS as_of,
            l.recommendation, c.certificate_no
            """
        switch scope {
        case .register:
            return latest + """
                SELECT \(columns)
                FROM clusters c
                LEFT JOIN cluster_current_terms t ON t.cluster_id = c.id
                JOIN filings f ON f.id = coalesce(t.filing_id, c.filing_id)
                LEFT JOIN latest l ON l.filing_id = f.id
                WHERE c.status = 'active'
                ORDER BY f.id
                """
        case .filings, .round:
            let applications = """
                SELECT \(columns), f.filed_on, coalesce('c' || c.id::text, 'n' || f.county_code || '/' || f.cluster_name) AS cluster_key
                FROM filings f
                JOIN latest l ON l.filing_id = f.id
                LEFT JOIN clusters c ON c.id = coalesce(f.cluster_id, (SELECT r.id FROM clusters r WHERE r.filing_id = f.id))
                WHERE f.kind IN ('initial', 'recertification')
                  AND NOT EXISTS (SELECT FROM filings later WHERE later.supersedes = f.id)
                """
            if case .round = scope {
                return latest + applications + " AND f.round_id = $1 ORDER BY f.id"
            }
            return latest + """
                SELECT id, kind, county_code, cluster_name, leading_industry, as_of, recommendation, certificate_no
                FROM (SELECT DISTINCT ON (a.cluster_key) a.* FROM (\(applications)) AS a
                      ORDER BY a.cluster_key, a.filed_on DESC, a.id DESC) AS each_cluster
                ORDER BY id
                """
        }
    }
}
