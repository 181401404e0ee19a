import IndicatorKit
import Postgres

/// A lifecycle transition the database refused: the SQL functions of sql/004–006 and 020–023 raise
/// these with a custom SQLSTATE (`CR001`…`CR013`), an English message, a Chinese detail and a hint.
///
/// Any other database error (a lost connection, a bug) is not a `LifecycleError` and passes
/// through unchanged. A refused transition changes nothing: the function's transaction rolls back.
public struct LifecycleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the transition was refused.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        /// The filing, finding, objection, cluster or action does not exist (CR001).
        case notFound = "CR001"
        /// Not allowed in the current state (CR002).
        case wrongState = "CR002"
        /// Approval blocked: a manual finding unconfirmed or rejected, a warned one unacknowledged or rejected, or a finding failed or errored (CR003).
        case approvalBlocked = "CR003"
        /// A note, grounds or other required reason is missing (CR004).
        case reasonRequired = "CR004"
        /// Outside the public notice period, or the period has not ended (CR005).
        case outsideNoticePeriod = "CR005"
        /// Objections are still pending (CR006).
        case objectionPending = "CR006"
        /// A revoked cluster cannot be recertified (CR007).
        case revokedCluster = "CR007"
        /// Invalid input: a code, category or grade (CR008).
        case invalidInput = "CR008"
        /// Already done: resolved, accepted, on the register; a confirmation after the decision, which made it final (CR009).
        case alreadyDone = "CR009"
        /// The audit log is append-only (CR010).
        case appendOnly = "CR010"
        /// A date the clock does not allow: after today, or before the record's own date (CR011).
        case dateRefused = "CR011"
        /// Another sweep is running and did not finish in time (CR012).
        case sweepRunning = "CR012"
        /// A limit was reached, e.g. a county's filings waiting for review (CR013).
        case limitReached = "CR013"
        /// An expert with a conflict of interest with the filing: from its county, or declared (CR020).
        case conflictOfInterest = "CR020"
    }

    /// The SQLSTATE, as a case.
    public var code: Code
    /// What was refused, in Chinese and English.
    public var message: LocalizedText
    /// What to do about it (English).
    public var hint: String?

    /// A lifecycle error with every field.
    public init(code: Code, message: LocalizedText, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// The lifecycle error inside `error`, or nil when it is some other failure.
    public init?(_ error: any Error) {
        guard case .server(let server) = error as? PostgresError, let code = Code(rawValue: server.sqlState) else {
            return nil
        }
        self.init(code: code, message: LocalizedText(zh: server.detail ?? server.message, en: server.message), hint: server.hint)
    }

    /// `[CR003] filing 7 cannot be approved: … (hint)`.
    public var description: String {
        "[\(code.rawValue)] \(message.en)" + (hint.map { " — \($0)" } ?? "")
    }

    /// Runs `body`, turning a lifecycle refusal from the database into a `LifecycleError`.
    static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            if let lifecycle = LifecycleError(error) { throw lifecycle }
            throw error
        }
    }
}
