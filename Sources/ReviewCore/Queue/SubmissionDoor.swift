import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import JSONCore

/// What became of a submission (`submissions`, sql/026).
public enum SubmissionVerdict: Sendable, Hashable {
    /// Not checked yet: no coordinator has taken it.
    case pending
    /// Valid and filed: a new filing, its review queued.
    case filed(filing: Int64)
    /// Valid, and the same content was on file already: that filing (nothing new was filed).
    case alreadyOnFile(filing: Int64)
    /// Refused with every issue found: the validator's, or the database's checks of the county,
    /// the kind, the format version, the date or the superseded filing (docs/security.md).
    case refused(issues: [ValidationIssue])
}

/// The submission door, a client's side: every statement a client runs on `submissions` lives
/// here. A person sends documents — the bytes as they are — and reads the verdicts; the database
/// names the county, the person and the time, and a coordinator (`SubmissionIntake`) validates and
/// files them. psql, `cluster-review submit` and any other client go through the same table and
/// get the same verdicts.
public enum SubmissionDoor {
    /// One document to submit.
    public struct Document: Sendable, Hashable {
        /// The document's bytes, as read from the file (a byte order mark included, if any).
        public var bytes: Data
        /// The client's own name for it (a file name), shown back with the verdict; plain text of
        /// at most 200 characters, else left out.
        public var reference: String?
        /// For a corrected filing: the returned filing it replaces.
        public var supersedes: Int64?

        /// A document to submit.
        public init(_ bytes: Data, reference: String? = nil, supersedes: Int64? = nil) {
            self.bytes = bytes
            self.reference = reference.flatMap(Self.plainReference)
            self.supersedes = supersedes
        }

        /// `text` when the database takes it as a reference (1–200 characters, none of the
        /// characters a name may not hold), else nil.
        static func plainReference(_ text: String) -> String? {
            let scalars = text.unicodeScalars
            guard (1...200).contains(scalars.count) else { return nil }
            let refused: (Unicode.Scalar) -> Bool = { scalar in
                switch scalar.value {
                case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF: return true
                default: return false
                }
            }
            return scalars.contains(where: refused) ? nil : text
        }
    }

    /// What the door said to one document as it was sent.
    public enum Receipt: Sendable {
        /// Received as submission `id`; its verdict follows.
        case received(Int64)
        /// Not received: the database refused it at the door (the ceiling of pending work, CR013;
        /// a document over the size bound, 23514). Nothing of it was written.
        case refused(PostgresError)
    }

    /// Rows per INSERT statement (three parameters each).
    static let rowsPerStatement = 100

    /// Documents per transaction: each lot is committed as soon as it is sent, so that a
    /// coordinator checks it while the next is being sent.
    static let documentsPerTransaction = 100

    /// Sends `documents` in transactions of up to `documentsPerTransaction` each, LISTENing on
    /// their verdict channel in each (so that no verdict can be missed by `wait`). Each lot is
    /// committed as soon as it is sent, so that a coordinator is checking it while the next is
    /// sent; a client that dies meanwhile leaves the lots it committed received (each document
    /// whole, checked on its own) and nothing of the others. When the database refuses a lot's
    /// transaction (one document over the ceiling of pending work, or over the size bound), each
    /// document of that lot is sent again in a transaction of its own, so that those that fit are
    /// received and each refused one carries its error. A refusal of the person (42501: not a
    /// county's login) is thrown; a lost connection is thrown as `Interrupted`, which carries the
    /// receipts of everything committed before it. Receipts are in the order of `documents`.
    public static func send(_ documents: [Document], on connection: PostgresConnection) throws -> [Receipt] {
        var receipts: [Receipt] = []
        receipts.reserveCapacity(documents.count)
        var start = 0
        while start < documents.count {
            let lot = documents[start..<min(start + documentsPerTransaction, documents.count)]
            try sendLot(lot, into: &receipts, on: connection)
            start += lot.count
        }
        return receipts
    }

    /// The connection was lost part way through `send`. The documents before `receipts.count`
    /// were committed (or refused) as their receipts say; those in `unconfirmed` were in a
    /// transaction whose `COMMIT` went unanswered, so they may or may not have been received; every
    /// later one was not sent. Sending a document again is safe: the same content is never filed
    /// twice (its verdict names the filing already on file).
    public struct Interrupted: Error, Sendable {
        /// The receipts of `documents[0..<receipts.count]`.
        public var receipts: [Receipt]
        /// Indices in `documents` of the lot whose commit was not confirmed (empty when the
        /// connection was lost before a commit was asked for).
        public var unconfirmed: Range<Int>
        /// The error that ended the connection.
        public var cause: PostgresError
    }

    /// One lot in one transaction, or each of its documents alone when the database refuses it;
    /// appends their receipts to `receipts` as each transaction commits.
    private static func sendLot(_ lot: ArraySlice<Document>, into receipts: inout [Receipt], on connection: PostgresConnection) throws {
        guard !lot.isEmpty else { return }
        do {
            let ids = try committing(lot.startIndex..<lot.endIndex, after: receipts) { try insert(Array(lot), on: $0) }
            receipts += ids.map(Receipt.received)
        } catch let error as PostgresError where !error.isConnectionLoss && error.sqlState != "42501" {
            guard lot.count > 1 else {
                receipts.append(.refused(error))
                return
            }
            for index in lot.indices {
                do {
                    let id = try committing(index..<index + 1, after: receipts) { try insert([lot[index]], on: $0)[0] }
                    receipts.append(.received(id))
                } catch let error as PostgresError where !error.isConnectionLoss && error.sqlState != "42501" {
                    receipts.append(.refused(error))
                }
            }
        }

        /// `body` in a transaction on `connection`; a lost connection becomes `Interrupted`, with
        /// `indices` unconfirmed when the loss came while committing (the statements had all run).
        func committing<T>(_ indices: Range<Int>, after receipts: [Receipt], _ body: (PostgresConnection) throws -> T) throws -> T {
            var ran = false
            do {
                return try connection.transaction { connection in
                    let value = try body(connection)
                    ran = true
                    return value
                }
            } catch let error as PostgresError where error.isConnectionLoss {
                throw Interrupted(receipts: receipts, unconfirmed: ran ? indices : indices.lowerBound..<indices.lowerBound, cause: error)
            }
        }
    }

    /// Inserts `documents` and LISTENs on their channels, inside the caller's transaction; returns
    /// their ids in order.
    private static func insert(_ documents: [Document], on connection: PostgresConnection) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(documents.count)
        var channels: Set<String> = []
        var start = 0
        while start < documents.count {
            let chunk = documents[start..<min(start + rowsPerStatement, documents.count)]
            var values: [String] = []
            var parameters: [any PostgresEncodable] = []
            for document in chunk {
                let n = parameters.count
                values.append("($\(n + 1)::bytea, $\(n + 2)::text, $\(n + 3)::bigint)")
                parameters += [document.bytes, document.reference, document.supersedes]
            }
            let result = try connection.query(
                "INSERT INTO submissions (document, client_reference, supersedes) VALUES \(values.joined(separator: ", ")) "
                    + "RETURNING id, verdict_channel", parameters)
            // Ids are drawn in the order the rows are inserted, which is the order of VALUES.
            var rows: [(id: Int64, channel: String)] = []
            for row in result.rows { rows.append((try row.decode("id"), try row.decode("verdict_channel"))) }
            rows.sort { $0.id < $1.id }
            ids += rows.map(\.id)
            channels.formUnion(rows.map(\.channel))
            start += chunk.count
        }
        // LISTEN takes effect when this transaction commits, before any coordinator can see the rows.
        for channel in channels.sorted() { try connection.listen(channel) }
        return ids
    }

    /// Sends one document inside the caller's transaction, without LISTENing (a client on a
    /// shared connection, such as the web door, follows the verdict by reading it with `record`):
    /// the same INSERT as `send`, so the database names the county, the person and the time and
    /// applies the same bounds. Returns the submission's id; the database's refusal is thrown.
    public static func receive(_ document: Document, on connection: PostgresConnection) throws -> Int64 {
        try connection.queryRow(
            "INSERT INTO submissions (document, client_reference, supersedes) VALUES ($1::bytea, $2::text, $3::bigint) RETURNING id",
            document.bytes, document.reference, document.supersedes
        ).decode("id")
    }

    /// One submission as its sender sees it.
    public struct Record: Sendable {
        public var id: Int64
        public var reference: String?
        /// `.pending` until a coordinator has checked it.
        public var verdict: SubmissionVerdict
    }

    /// Submission `id` with its verdict (`.pending` while unchecked), or nil when the person may
    /// not read it (another county's) or there is none.
    public static func record(_ id: Int64, on connection: PostgresConnection) throws -> Record? {
        guard let row = try connection.queryPrepared(
            "SELECT id, client_reference, state FROM submissions WHERE id = $1", [id]).rows.first
        else { return nil }
        let state: String = try row.decode("state")
        let verdict = state == "pending" ? SubmissionVerdict.pending : try verdicts(of: [id], on: connection)[id] ?? .pending
        return Record(id: id, reference: try row.decode("client_reference"), verdict: verdict)
    }

    /// The verdicts of those of `ids` that have been checked (a pending one is left out, as is an
    /// id the person may not read: another county's, or none).
    public static func verdicts(of ids: [Int64], on connection: PostgresConnection) throws -> [Int64: SubmissionVerdict] {
        guard !ids.isEmpty else { return [:] }
        let result = try connection.queryPrepared("""
            SELECT id, state, filing_id, already_on_file, issues FROM submissions
            WHERE id = ANY($1::bigint[]) AND state <> 'pending'
            """, [ArrayLiteral(.bigint, numbers: ids)])
        var verdicts: [Int64: SubmissionVerdict] = [:]
        let decoder = JSONDecoder()
        for row in result.rows {
            let id: Int64 = try row.decode("id")
            if try row.decode("state", as: String.self) == "accepted" {
                let filing: Int64 = try row.decode("filing_id")
                verdicts[id] = try row.decode("already_on_file", as: Bool.self) ? .alreadyOnFile(filing: filing) : .filed(filing: filing)
            } else {
                let issues = try row.decode("issues", as: JSONB.self)
                verdicts[id] = .refused(issues: (try? decoder.decode([ValidationIssue].self, from: issues.bytes)) ?? [Self.unreadable(issues)])
            }
        }
        return verdicts
    }

    /// An issue list the client cannot read as issues (written by a newer server), as one issue.
    static func unreadable(_ issues: JSONB) -> ValidationIssue {
        let text = String(decoding: issues.bytes.prefix(2000), as: UTF8.self)
        return ValidationIssue(
            path: "$", rule: "refused", message: LocalizedText(zh: "被拒绝：\(text)", en: "refused: \(text)"),
            fix: LocalizedText(zh: "查看 submissions.issues", en: "read submissions.issues"))
    }

    /// Waits until every one of `ids` has its verdict or `timeout` has passed, woken by the verdict
    /// channel `send` LISTENs on (and polling, with back-off, in case a notification is missed).
    /// `progress` is called with each new lot of verdicts. Returns every verdict found; those still
    /// pending at the deadline are missing from it.
    public static func wait(
        for ids: [Int64], timeout: Duration, on connection: PostgresConnection,
        progress: ([Int64: SubmissionVerdict]) -> Void = { _ in }
    ) throws -> [Int64: SubmissionVerdict] {
        let deadline = ContinuousClock.now + timeout
        var remaining = ids
        var found: [Int64: SubmissionVerdict] = [:]
        var poll = Duration.milliseconds(100)
        while !remaining.isEmpty {
            let lot = try verdicts(of: remaining, on: connection)
            if !lot.isEmpty {
                found.merge(lot) { $1 }
                remaining.removeAll { lot[$0] != nil }
                progress(lot)
            }
            let left = deadline - ContinuousClock.now
            if remaining.isEmpty || left <= .zero { break }
            if try connection.waitForNotification(timeout: min(left, poll)) != nil {
                // Several batches may have answered meanwhile: one query reads them all.
                while try connection.waitForNotification(timeout: .zero) != nil {}
                poll = .milliseconds(100)
            } else {
                poll = min(poll * 2, .seconds(2))
            }
        }
        return found
    }
}
