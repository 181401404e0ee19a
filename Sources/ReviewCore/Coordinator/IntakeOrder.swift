import Foundation

/// The order in which one coordinator's intake loops record their batches: the order they
/// claimed them in, which is the submissions' order. A round's quota is counted in submission
/// order (sql/120's `file_submissions`), and two corrections of one filing are decided in the
/// order they were sent; with several intake loops (`CoordinatorConfiguration.intakeConnections`)
/// a later batch must therefore not be recorded before an earlier one while a quota is being
/// counted. The loops still overlap where it pays: one validates its batch while another's is
/// being recorded; and while no round with a quota receives filings, batches are recorded side by
/// side (recorded in turn, `cluster-review-bench submit` ran at 781–946 filings/s against 979–1,081
/// side by side: PostgreSQL then files one batch at a time).
///
/// Between coordinators (separate processes) the order is the database's, as it always was: the
/// rounds' row locks serialize the counting.
final class IntakeOrder: @unchecked Sendable {
    // @unchecked: every stored property is read and written only while `condition` is locked,
    // and `claiming` serializes the claims; nothing else touches them.
    private let condition = NSCondition()
    private let claiming = NSLock()
    private var issued = 0
    private var served = 0
    private var finishedAhead: Set<Int> = []

    /// A batch's place in the order.
    struct Ticket: Sendable, Hashable {
        fileprivate let number: Int
    }

    /// Runs `claim` alone among the loops, so tickets follow the claims' order; a claim that
    /// throws takes no ticket.
    func claim<T>(_ claim: () throws -> T) rethrows -> (T, Ticket) {
        claiming.lock()
        defer { claiming.unlock() }
        let claimed = try claim()
        condition.lock()
        defer { condition.unlock() }
        issued += 1
        return (claimed, Ticket(number: issued - 1))
    }

    /// Runs `record` once every batch claimed before `ticket` has finished; at once when
    /// `waiting` is false (nothing the order decides is being counted).
    func inTurn<T>(_ ticket: Ticket, waiting: Bool = true, _ record: () throws -> T) rethrows -> T {
        if waiting {
            condition.lock()
            while served < ticket.number { condition.wait() }
            condition.unlock()
        }
        return try record()
    }

    /// Marks `ticket`'s batch finished — recorded, empty or failed; every ticket is finished once.
    func finish(_ ticket: Ticket) {
        condition.lock()
        defer { condition.unlock() }
        finishedAhead.insert(ticket.number)
        while finishedAhead.remove(served) != nil { served += 1 }
        condition.broadcast()
    }
}
