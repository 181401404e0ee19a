import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import Reports

extension ReviewReport {
    /// The report of filing `id`'s latest finished review, with the confirmations reviewers made of
    /// it, read from the database; nil when the filing does not exist (or the caller may not see
    /// it) or has no finished review.
    /// With `record` false the reviewers' record is left out (`load(filings:)` reads them all at once).
    public static func load(filing id: Int64, record withRecord: Bool = true, on connection: PostgresConnection) throws -> ReviewReport? {
        guard let record = try ReviewRecords.latestReview(of: id, on: connection),
            let rulebook = record.rulebook, let hash = record.rulebookHash,
            let asOf = record.asOf.flatMap(CivilDate.init)
        else { return nil }
        let payload = try connection.queryRow("SELECT payload FROM filings WHERE id = $1", id).decode("payload", as: JSONB.self)
        let filing = try? Filing.decode(payload.bytes)
        let modules = ModuleReport.grouped(record.findings.map { ($0.module, $0.finding) })
        let summary = record.summary ?? Aggregation.aggregate(modules, declarations: record.declarations)
        let confirmations = try record.filing.reviewId.map { review in
            try connection.query("""
                SELECT criterion, accepted, confirmed_by, note, (confirmed_at AT TIME ZONE 'Asia/Shanghai')::date::text AS day
                FROM confirmations WHERE review_id = $1 ORDER BY id
                """, review).rows.map { row in
                Confirmation(
                    criterion: try row.decode("criterion"), accepted: try row.decode("accepted"), reviewer: try row.decode("confirmed_by"),
                    note: try row.decode("note"), date: CivilDate(try row.decode("day", as: String.self)))
            }
        } ?? []
        var report = ReviewReport(
            filingID: String(id), kind: FilingKind(rawValue: record.filing.kind) ?? .initial,
            county: County(code: record.filing.countyCode), clusterName: record.filing.clusterName,
            leadingIndustry: filing?.cluster?.leadingIndustry ?? "", filedOn: CivilDate(record.filing.filedOn),
            status: record.filing.status, rulebook: RulebookReference(name: rulebook, hash: hash, asOf: asOf),
            summary: summary, modules: modules, figures: filing?.figures ?? [], confirmations: confirmations,
            declarations: record.declarations, filingHash: record.contentHash)
        // The expert panel's result, for those who may read it (staff and the panel's experts).
        report.panel = try Panels.readableResults(filing: id, on: connection).map {
            PanelOutcome(criterion: $0.criterion, median: $0.median, lowest: $0.lowest, highest: $0.highest, agree: $0.agree,
                         disagree: $0.disagree, scored: $0.scored, members: $0.members, flagged: $0.flagged)
        }
        if withRecord { report.record = try ReviewerRecords.load(filing: id, on: connection) }
        return report
    }

    /// The reports of `ids` that exist and have a finished review, in the order given, each with
    /// its reviewers' record (read for all of them in one set of statements). `progress` is told
    /// after each filing (done, total).
    public static func load(
        filings ids: [Int64], on connection: PostgresConnection, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> [ReviewReport] {
        var reports: [ReviewReport] = []
        for (index, id) in ids.enumerated() {
            if let report = try load(filing: id, record: false, on: connection) { reports.append(report) }
            progress(index + 1, ids.count)
        }
        let records = try ReviewerRecords.load(filings: reports.compactMap { Int64($0.filingID) }, on: connection)
        for index in reports.indices { reports[index].record = Int64(reports[index].filingID).flatMap { records[$0] } }
        return reports
    }
}
