import Postgres

/// Writes finished reviews in batches: while one transaction commits, the next ones gather, so
/// many reviews share a commit (group commit) without any review waiting on a timer. A batch the
/// database refuses is written again review by review (`ReviewQueue.complete`), so each review
/// learns its own fate: one review's bad row never fails another's write.
actor CompletionWriter {
    private let session: PostgresSession
    private let coordinator: String
    private var pending: [(CompletedReview, CheckedContinuation<CompletionResult, any Error>)] = []
    private var flushing = false

    init(session: PostgresSession, coordinator: String) {
        self.session = session
        self.coordinator = coordinator
    }

    /// Writes `review` with others; throws only when the connection was lost (nothing is known to
    /// be written; the caller tries again).
    func write(_ review: CompletedReview) async throws -> CompletionResult {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((review, continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending.removeAll()
            let reviews = batch.map(\.0)
            let name = coordinator
            do {
                let results = try await session.run { try ReviewQueue.complete(reviews, coordinator: name, on: $0) }
                for (review, continuation) in batch {
                    continuation.resume(returning: results[review.review.id] ?? .claimLost)
                }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }

    /// Closes the session.
    func close() async {
        await session.close()
    }
}
