import Dispatch
import Foundation
import IndicatorKit
import Postgres
import ClusterStandard
import ReviewCore

/// Filing through the submission door in tests, without a coordinator process: the documents are
/// sent as the person on `sender` (a county's login, or the database's owner) and checked at once
/// by `SubmissionIntake` — the coordinator's own code — on `checker` (the owner, or a coordinator's
/// login).
public enum TestDoor {
    /// A document the door refused: its issues, or the error the door raised.
    public struct Refused: Error, CustomStringConvertible {
        public var issues: [ValidationIssue]
        public var error: PostgresError?

        public var description: String {
            error.map { "refused at the door: \($0)" } ?? "refused: " + issues.map(\.description).joined(separator: "; ")
        }

        /// The rules of the issues, sorted.
        public var rules: [String] { issues.map(\.rule).sorted() }
    }

    /// Files `documents` (sent as the person on `sender`, checked on `checker`); returns each one's
    /// filing id, a new one or the one already on file. Throws `Refused` for the first refused
    /// (a door error such as CR013 is thrown as that `PostgresError`).
    @discardableResult
    public static func file(_ documents: [Data], supersedes: Int64? = nil, on sender: PostgresConnection,
                            checkingOn checker: PostgresConnection) throws -> [Int64] {
        let verdicts = try submit(documents, supersedes: supersedes, on: sender, checkingOn: checker)
        return try verdicts.map { verdict in
            switch verdict {
            case .filed(let filing), .alreadyOnFile(let filing): return filing
            case .refused(let issues): throw Refused(issues: issues)
            case .pending: throw Refused(issues: [], error: .client("still pending after the intake ran"))
            }
        }
    }

    /// Files one document; see `file(_:supersedes:on:checkingOn:)`.
    @discardableResult
    public static func file(_ document: Data, supersedes: Int64? = nil, on sender: PostgresConnection,
                            checkingOn checker: PostgresConnection) throws -> Int64 {
        try file([document], supersedes: supersedes, on: sender, checkingOn: checker)[0]
    }

    /// Sends `documents` and checks them; returns each one's verdict. A document the door refused
    /// at once is thrown (its `PostgresError`).
    public static func submit(_ documents: [Data], supersedes: Int64? = nil, on sender: PostgresConnection,
                              checkingOn checker: PostgresConnection) throws -> [SubmissionVerdict] {
        let receipts = try SubmissionDoor.send(documents.map { SubmissionDoor.Document($0, supersedes: supersedes) }, on: sender)
        var ids: [Int64] = []
        for receipt in receipts {
            switch receipt {
            case .received(let id): ids.append(id)
            case .refused(let error): throw error
            }
        }
        while try SubmissionIntake.checkPending(on: checker).checked > 0 {}
        let verdicts = try SubmissionDoor.verdicts(of: ids, on: sender)
        try sender.executeScript("UNLISTEN *")
        return ids.map { verdicts[$0] ?? .pending }
    }
}

/// A coordinator's intake running in the test process, without modules: checks submissions as they
/// arrive (polling every 20 ms) on its own connection — the owner's, or a coordinator's login —
/// until `stop()`. For tests that run `cluster-review submit`, which waits for the verdicts.
public final class BackgroundIntake: @unchecked Sendable {
    // @unchecked: `stopped` is read and written only while `lock` is held; the connection is used
    // by the intake thread alone.
    private let lock = NSLock()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)
    private let connection: PostgresConnection

    /// Starts checking submissions on a connection of `conninfo`.
    public init(conninfo: String) throws {
        connection = try PostgresConnection(conninfo, applicationName: "test intake")
        let thread = Thread { [self] in
            while !isStopped {
                let checked = (try? SubmissionIntake.checkPending(on: connection).checked) ?? 0
                if checked == 0 { usleep(20_000) }
            }
            connection.close()
            done.signal()
        }
        thread.start()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// Stops checking and waits for the thread to finish.
    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        if first { done.wait() }
    }

    deinit { stop() }
}
