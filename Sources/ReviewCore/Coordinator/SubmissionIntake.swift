import Dispatch
import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// The submission door, the coordinator's side: claims pending submissions, validates each with
/// `FilingValidator` — the code `cluster-review validate` runs, with the same limits — and records
/// every verdict with `file_submissions` (sql/026), which files the valid ones (every column
/// derived from the document) and queues their reviews, or refuses them with their issues.
///
/// One transaction per batch: the claim's row locks hold until the verdicts are recorded, so a
/// coordinator that dies meanwhile leaves its submissions pending for another, and no submission
/// is filed twice. The documents of a batch are validated in parallel. A batch the database
/// refuses as a whole is recorded again submission by submission, each in a savepoint of its own;
/// one the database cannot file at all is refused with the database's error as its issue, so one
/// bad submission never holds up the others.
public enum SubmissionIntake {
    /// What one call did.
    public struct Report: Sendable, Hashable {
        /// Submissions claimed and checked.
        public var checked = 0
        /// Filed as new filings.
        public var filed = 0
        /// Accepted as a filing already on file.
        public var alreadyOnFile = 0
        /// Refused with their issues.
        public var refused = 0
    }

    /// Submissions claimed at once by default.
    public static let defaultBatch = 64

    /// Claims up to `limit` pending submissions, validates them and records their verdicts, in one
    /// transaction; returns what it did (`checked` is 0 when none was pending). Throws when the
    /// database is unreachable or refuses the coordinator (42501): nothing is recorded then, and
    /// the submissions stay pending.
    ///
    /// Loops of one coordinator share an `order`, so that while a round's quota is being counted
    /// their batches are recorded in the order they were claimed (`IntakeOrder`); a call of its
    /// own needs none.
    public static func checkPending(limit: Int = defaultBatch, on connection: PostgresConnection) throws -> Report {
        try checkPending(limit: limit, on: connection, order: IntakeOrder())
    }

    static func checkPending(limit: Int, on connection: PostgresConnection, order: IntakeOrder) throws -> Report {
        try connection.transaction { connection in
            let (claimed, ticket) = try order.claim {
                try connection.queryPrepared("SELECT submission_id, document FROM claim_submissions($1)", [limit])
            }
            // Finished before the commit: a later batch then waits in the database for this one's
            // locks (the rounds', the corrected filing's) and counts what it filed.
            defer { order.finish(ticket) }
            guard claimed.rowCount > 0 else { return Report() }
            let inOrder = try Rounds.quotaReceivingToday(on: connection)
            var ids: [Int64] = []
            var documents: [Data] = []
            for row in claimed.rows {
                ids.append(try row.decode("submission_id"))
                documents.append(try row.decode("document"))
            }
            let issues = validate(documents)
            return try order.inTurn(ticket, waiting: inOrder) {
                let states: [String: Int]
                do {
                    states = try connection.transaction { try record(ids, issues, on: $0) }
                } catch let error as PostgresError where !error.isConnectionLoss && error.sqlState != "42501" {
                    guard ids.count > 1 else { return report(ids.count, try recordAlone(ids[0], issues[0], on: connection, failure: error)) }
                    var counted: [String: Int] = [:]
                    for (id, found) in zip(ids, issues) {
                        counted.merge(try recordAlone(id, found, on: connection)) { $0 + $1 }
                    }
                    states = counted
                }
                return report(ids.count, states)
            }
        }
    }

    static func report(_ checked: Int, _ states: [String: Int]) -> Report {
        Report(checked: checked, filed: states["filed", default: 0], alreadyOnFile: states["already_on_file", default: 0],
               refused: states["refused", default: 0])
    }

    /// Every issue of each document, validated in parallel; an empty list for a valid one.
    static func validate(_ documents: [Data]) -> [[ValidationIssue]] {
        let results = Results(count: documents.count)
        DispatchQueue.concurrentPerform(iterations: documents.count) { index in
            results.set(index, FilingValidator.validate(documents[index]))
        }
        return results.values
    }

    /// One `file_submissions` call; the verdicts counted by kind.
    static func record(_ ids: [Int64], _ issues: [[ValidationIssue]], on connection: PostgresConnection) throws -> [String: Int] {
        var lists = ArrayLiteral(.jsonb, capacity: ids.count * 8)
        for found in issues { lists.append(utf8: found.isEmpty ? nil : encode(found)) }
        let result = try connection.queryPrepared(
            "SELECT state, already_on_file FROM file_submissions($1, $2)", [ArrayLiteral(.bigint, numbers: ids), lists])
        var counted: [String: Int] = [:]
        for row in result.rows {
            switch try row.decode("state", as: String.self) {
            case "accepted": counted[try row.decode("already_on_file", as: Bool.self) ? "already_on_file" : "filed", default: 0] += 1
            case "refused": counted["refused", default: 0] += 1
            default: break
            }
        }
        return counted
    }

    /// Records one submission's verdict in a savepoint of its own; when the database cannot file
    /// it (`failure`, or the error this attempt meets), it is refused with that error as its issue.
    static func recordAlone(
        _ id: Int64, _ issues: [ValidationIssue], on connection: PostgresConnection, failure: PostgresError? = nil
    ) throws -> [String: Int] {
        var error = failure
        if error == nil {
            do {
                return try connection.transaction { try record([id], [issues], on: $0) }
            } catch let caught as PostgresError where !caught.isConnectionLoss {
                error = caught
            }
        }
        let reason = error.map(\.description) ?? "the database could not file it"
        let refusal = ValidationIssue(
            path: "$", rule: "database",
            message: LocalizedText(zh: "数据库未能登记本材料：\(reason)", en: "the database could not file this document: \(reason)"),
            fix: LocalizedText(zh: "修正后重新提交；如仍失败请联系管理员", en: "correct it and submit again; if it fails again, tell an administrator"))
        return try connection.transaction { try record([id], [issues + [refusal]], on: $0) }
    }

    /// The issues as the JSON array `submissions.issues` holds: what `ValidationIssue` encodes, NUL
    /// made U+FFFD (a document may hold NUL bytes, which jsonb cannot).
    static func encode(_ issues: [ValidationIssue]) -> [UInt8] {
        let clean = issues.map { issue -> ValidationIssue in
            var issue = issue
            issue.path = ReviewText.clean(issue.path, limit: 2000)
            issue.message = LocalizedText(zh: ReviewText.clean(issue.message.zh, limit: 4000), en: ReviewText.clean(issue.message.en, limit: 4000))
            issue.fix = LocalizedText(zh: ReviewText.clean(issue.fix.zh, limit: 4000), en: ReviewText.clean(issue.fix.en, limit: 4000))
            if var position = issue.position {
                position.text = ReviewText.clean(position.text, limit: 400)
                issue.position = position
            }
            return issue
        }
        return (try? [UInt8](JSONEncoder().encode(clean))) ?? Array(#"[{"path":"$","rule":"refused"}]"#.utf8)
    }

    /// Results written by concurrent iterations, each to its own index.
    final class Results: @unchecked Sendable {
        // @unchecked: each index is written by exactly one iteration of concurrentPerform, under
        // `lock`, and read only after concurrentPerform has returned.
        private let lock = NSLock()
        private(set) var values: [[ValidationIssue]]

        init(count: Int) { values = Array(repeating: [], count: count) }

        func set(_ index: Int, _ issues: [ValidationIssue]) {
            lock.lock()
            values[index] = issues
            lock.unlock()
        }
    }
}
