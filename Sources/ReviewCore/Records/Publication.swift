import Foundation
import IndicatorKit
import Postgres
import Reports

/// Why a publication could not be read; says in one sentence what to do.
public enum PublicationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No round has this id or name.
    case noSuchRound(String)

    /// The sentence a person reads.
    public var message: LocalizedText {
        switch self {
        case .noSuchRound(let key):
            LocalizedText(zh: "没有批次 \(key)：请用 cluster-review rounds list 查看批次的编号或名称",
                          en: "there is no round \(key): see cluster-review rounds list for the rounds' ids and names")
        }
    }

    public var description: String { message.en }
}

/// What the province publishes for a round (issue 17, item 4): the public-notice list (公示名单)
/// and the recognition list (认定名单), read set-based, one statement each, as the person:
/// reviewers, administrators and auditors read the whole round; a county's login and an expert's
/// are refused by `cr_require` (42501, naming the roles) — the lists and certificates are the
/// province's, issued by its staff; row-level security would still give a county its own rows only. Only the published fields are selected: county, cluster name,
/// leading industry, management body, the notice period, the certificate number, the term and the
/// day it was decided. The web door may call the same functions.
public enum Publication {
    /// The round `key` (its id or its name) and the day (`cr_today()`, Asia/Shanghai).
    public static func round(_ key: String, on connection: PostgresConnection) throws -> (round: Round, today: CivilDate) {
        // Who may publish is the database's check, said in words (42501 naming the roles), before
        // anything is read; a county could not read the clock that dates the documents anyway.
        _ = try connection.queryRow("""
            SELECT cr_require(ARRAY['cr_reviewer', 'cr_admin', 'cr_auditor'],
                              'publishing a round''s lists and certificates', '发布批次的名单和证书')::text AS checked
            """)
        let today = try civil(try connection.queryRow("SELECT cr_today()::text AS today"), "today")
        guard let round = try Rounds.round(key, on: connection) else { throw PublicationError.noSuchRound(key) }
        return (round, today)
    }

    /// The public-notice list: every filing of the round whose public notice opened — running, or
    /// ended whatever its outcome, since the list is what was published when the notice opened —
    /// with its latest notice's period; ordered by county, then cluster name.
    public static func notice(round key: String, on connection: PostgresConnection) throws -> PublishedList {
        let (round, today) = try Self.round(key, on: connection)
        let rows = try connection.query(
            """
            SELECT county_code, cluster_name, leading_industry, management_body, starts_on, ends_on FROM (
                SELECT DISTINCT ON (f.id) f.county_code, f.cluster_name, coalesce(rf.leading_industry, '') AS leading_industry,
                       coalesce(rf.management_body, '') AS management_body, n.starts_on::text AS starts_on, n.ends_on::text AS ends_on
                FROM filings f
                JOIN publicity_notices n ON n.filing_id = f.id
                CROSS JOIN LATERAL register_fields(f.payload) rf
                WHERE f.round_id = $1
                ORDER BY f.id, n.id DESC) noticed
            ORDER BY county_code, cluster_name
            """, [round.id]
        ).rows.map { row in
            PublishedList.Row(
                countyCode: try row.decode("county_code"), clusterName: try row.decode("cluster_name"),
                leadingIndustry: try row.decode("leading_industry"), managementBody: try row.decode("management_body"),
                noticeStartsOn: try civil(row, "starts_on"), noticeEndsOn: try civil(row, "ends_on"))
        }
        return PublishedList(kind: .notice, roundName: round.name, issuedOn: today, rows: rows)
    }

    /// The recognition list: the round's clusters on the register and not revoked (a revoked
    /// recognition is no longer published), with the certificate number and the term the round
    /// recognized (term 1) and the day it was decided; ordered by county, then certificate number.
    public static func recognition(round key: String, on connection: PostgresConnection) throws -> PublishedList {
        let (round, today) = try Self.round(key, on: connection)
        let rows = try connection.query(
            """
            SELECT c.county_code, c.name, c.leading_industry, c.management_body, c.certificate_no,
                   t.starts_on::text AS starts_on, t.ends_on::text AS ends_on,
                   -- The day the recognition was made: its notice closed (the sweep's closing too).
                   coalesce((SELECT n.closed_on FROM publicity_notices n WHERE n.filing_id = f.id AND n.state = 'recognized'
                             ORDER BY n.id DESC LIMIT 1), t.decided_on)::text AS decided_on
            FROM clusters c
            JOIN filings f ON f.id = c.filing_id
            JOIN cluster_terms t ON t.cluster_id = c.id AND t.term_no = 1
            WHERE f.round_id = $1 AND c.status <> 'revoked'
            ORDER BY c.county_code, c.certificate_no
            """, [round.id]
        ).rows.map { row in
            PublishedList.Row(
                countyCode: try row.decode("county_code"), clusterName: try row.decode("name"),
                leadingIndustry: try row.decode("leading_industry"), managementBody: try row.decode("management_body"),
                certificateNo: try row.decode("certificate_no"), termStartsOn: try civil(row, "starts_on"),
                termEndsOn: try civil(row, "ends_on"), recognizedOn: try civil(row, "decided_on"))
        }
        return PublishedList(kind: .recognition, roundName: round.name, issuedOn: today, rows: rows)
    }
}
