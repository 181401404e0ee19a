import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import Reports
import JSONCore

/// Reads the reviewer's whole record of filings (`ReviewerRecord`): confirmations, what still
/// awaits confirmation, decisions, notices with objections, certificate and term, a change
/// report's acceptance and the correction links. Set-based: a fixed number of statements for any
/// number of filings, each under the caller's row-level security (a county sees its own filings'
/// records, staff all).
public enum ReviewerRecords {
    /// The record of filing `id`, or nil when there is no such filing (or the caller may not see it).
    public static func load(filing id: Int64, on connection: PostgresConnection) throws -> ReviewerRecord? {
        try load(filings: [id], on: connection)[id]
    }

    /// The records of `ids` the caller may see, by filing id.
    public static func load(filings ids: [Int64], on connection: PostgresConnection) throws -> [Int64: ReviewerRecord] {
        guard !ids.isEmpty else { return [:] }
        let idArray = TextArray(ids.map(String.init))
        func day(_ text: String?) -> CivilDate? { text.flatMap(CivilDate.init) }

        var records: [Int64: ReviewerRecord] = [:]
        var reviewOf: [Int64: Int64] = [:]
        for row in try connection.query("""
            SELECT f.id, f.kind, f.supersedes, n.superseded_by, r.id AS review_id, r.recommendation, c.state AS change_state
            FROM filings f
            LEFT JOIN LATERAL (SELECT min(x.id) AS superseded_by FROM filings x WHERE x.supersedes = f.id) n ON true
            LEFT JOIN LATERAL (
                SELECT id, recommendation FROM reviews WHERE filing_id = f.id AND outcome = 'completed' AND purpose <> 'national' ORDER BY finished_at DESC, id DESC LIMIT 1
            ) r ON true
            LEFT JOIN change_reports c ON c.filing_id = f.id
            WHERE f.id = ANY ($1::bigint[])
            """, idArray).rows {
            let id: Int64 = try row.decode("id")
            let recommendation: String? = try row.decode("recommendation")
            records[id] = ReviewerRecord(
                kind: FilingKind(rawValue: try row.decode("kind")) ?? .initial,
                recommendation: recommendation.flatMap(ReviewSummary.Recommendation.init(rawValue:)),
                changeState: try row.decode("change_state"), supersedes: try row.decode("supersedes"),
                supersededBy: try row.decode("superseded_by"))
            if let review: Int64 = try row.decode("review_id") { reviewOf[review] = id }
        }
        guard !records.isEmpty else { return [:] }
        let reviews = TextArray(reviewOf.keys.map(String.init))

        for row in try connection.query("""
            SELECT review_id, criterion, accepted, confirmed_by, note, (confirmed_at AT TIME ZONE 'Asia/Shanghai')::date::text AS day
            FROM confirmations WHERE review_id = ANY ($1::bigint[]) ORDER BY id
            """, reviews).rows {
            guard let filing = reviewOf[try row.decode("review_id", as: Int64.self)] else { continue }
            records[filing]?.confirmations.append(ReviewReport.Confirmation(
                criterion: try row.decode("criterion"), accepted: try row.decode("accepted"), reviewer: try row.decode("confirmed_by"),
                note: try row.decode("note"), date: day(try row.decode("day"))))
        }
        for row in try connection.query("""
            SELECT x.review_id, x.criterion FROM findings x
            WHERE x.review_id = ANY ($1::bigint[]) AND x.verdict IN ('manual', 'warn')
              AND NOT EXISTS (SELECT FROM confirmations c WHERE c.review_id = x.review_id AND c.criterion = x.criterion)
            ORDER BY x.review_id, x.criterion
            """, reviews).rows {
            guard let filing = reviewOf[try row.decode("review_id", as: Int64.self)] else { continue }
            records[filing]?.awaitingConfirmation.append(try row.decode("criterion"))
        }
        for row in try connection.query("""
            SELECT filing_id, decision, note, grounds, decided_on::text AS decided_on, decided_by
            FROM decisions WHERE filing_id = ANY ($1::bigint[]) ORDER BY decided_at, id
            """, idArray).rows {
            records[try row.decode("filing_id", as: Int64.self)]?.decisions.append(ReviewerRecord.Decision(
                decision: try row.decode("decision"), note: try row.decode("note"), grounds: try row.decode("grounds"),
                decidedOn: day(try row.decode("decided_on")), decidedBy: try row.decode("decided_by")))
        }
        var objections: [Int64: [ReviewerRecord.Objection]] = [:]
        for row in try connection.query("""
            SELECT notice_id, objector, reason, filed_on::text AS filed_on, state, resolution, resolved_by,
                   (resolved_at AT TIME ZONE 'Asia/Shanghai')::date::text AS resolved_on
            FROM objections WHERE filing_id = ANY ($1::bigint[]) ORDER BY id
            """, idArray).rows {
            objections[try row.decode("notice_id"), default: []].append(ReviewerRecord.Objection(
                objector: try row.decode("objector"), reason: try row.decode("reason"), filedOn: day(try row.decode("filed_on")),
                state: try row.decode("state"), resolution: try row.decode("resolution"), resolvedBy: try row.decode("resolved_by"),
                resolvedOn: day(try row.decode("resolved_on"))))
        }
        for row in try connection.query("""
            SELECT id, filing_id, starts_on::text AS starts_on, ends_on::text AS ends_on, state, closed_on::text AS closed_on
            FROM publicity_notices WHERE filing_id = ANY ($1::bigint[]) ORDER BY id
            """, idArray).rows {
            let notice: Int64 = try row.decode("id")
            records[try row.decode("filing_id", as: Int64.self)]?.notices.append(ReviewerRecord.Notice(
                startsOn: day(try row.decode("starts_on")), endsOn: day(try row.decode("ends_on")), state: try row.decode("state"),
                closedOn: day(try row.decode("closed_on")), objections: objections[notice] ?? []))
        }
        for row in try connection.query("""
            SELECT t.filing_id, c.certificate_no, t.term_no, t.starts_on::text AS starts_on, t.ends_on::text AS ends_on, c.status
            FROM cluster_terms t JOIN clusters c ON c.id = t.cluster_id
            WHERE t.filing_id = ANY ($1::bigint[])
            """, idArray).rows {
            records[try row.decode("filing_id", as: Int64.self)]?.certificate = ReviewerRecord.Certificate(
                number: try row.decode("certificate_no"), term: try row.decode("term_no", as: Int.self),
                startsOn: day(try row.decode("starts_on")), endsOn: day(try row.decode("ends_on")), registerStatus: try row.decode("status"))
        }
        return records
    }
}

/// Reads what changed between a corrected filing and the returned filing it supersedes.
public enum CorrectionDiffs {
    /// Why there is no diff to show.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No filing of that id, or the caller may not see it.
        case noFiling(Int64)
        /// The filing names no filing in `supersedes`.
        case correctsNothing(Int64)

        public var description: String {
            switch self {
            case .noFiling(let id): "there is no filing \(id) you may see: check the id with cluster-review list"
            case .correctsNothing(let id): "filing \(id) corrects no filing: give the id of a filing whose document names another in supersedes"
            }
        }
    }

    /// The diff of filing `id` against the filing it supersedes: payloads field by field and the
    /// verdicts of their latest completed reviews. Two statements, under the caller's row-level security.
    public static func diff(of id: Int64, on connection: PostgresConnection) throws -> FilingDiff {
        let rows = try connection.query("""
            SELECT f.id, f.supersedes, f.cluster_name, f.payload
            FROM filings f
            WHERE f.id = $1 OR f.id = (SELECT supersedes FROM filings WHERE id = $1)
            """, id).rows
        var payloads: [Int64: JSONB] = [:]
        var supersedes: Int64?
        var name = ""
        for row in rows {
            let filing: Int64 = try row.decode("id")
            payloads[filing] = try row.decode("payload", as: JSONB.self)
            if filing == id {
                supersedes = try row.decode("supersedes")
                name = try row.decode("cluster_name")
            }
        }
        guard let new = payloads[id] else { throw Failure.noFiling(id) }
        guard let supersedes, let old = payloads[supersedes] else { throw Failure.correctsNothing(id) }
        var verdicts: [Int64: [String: Verdict]] = [:]
        for row in try connection.query("""
            SELECT r.filing_id, x.criterion, x.verdict
            FROM (SELECT DISTINCT ON (filing_id) id, filing_id FROM reviews
                  WHERE filing_id = ANY (ARRAY[$1, $2]::bigint[]) AND outcome = 'completed' AND purpose <> 'national'
                  ORDER BY filing_id, finished_at DESC, id DESC) r
            JOIN findings x ON x.review_id = r.id
            """, id, supersedes).rows {
            verdicts[try row.decode("filing_id"), default: [:]][try row.decode("criterion")] =
                Verdict(rawValue: try row.decode("verdict")) ?? .error
        }
        return FilingDiff(
            filingID: id, supersedes: supersedes, clusterName: name,
            old: try old.decode(JSONValue.self), new: try new.decode(JSONValue.self),
            oldVerdicts: verdicts[supersedes], newVerdicts: verdicts[id])
    }
}
