import Postgres

/// Writes finished reviews in batches: while one transaction commits, the next ones gather, so
/// many reviews share a commit (group commit) without any review waiting on a timer.
actor CompletionWriter {
    private let session: PostgresSession
    private let coordinator: String
    private var pending: [(CompletedReview, CheckedContinuation<Bool, any Error>)] = []
    private var flushing = false

    init(session: PostgresSession, coordinator: String) {
        self.session = session
        self.coordinator = coordinator
    }

    /// Writes `review` with others; returns false when its claim was lost (another attempt owns it).
    func write(_ review: CompletedReview) async throws -> Bool {
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
                let written = try await session.run { try ReviewQueue.complete(reviews, coordinator: name, on: $0) }
                for (review, continuation) in batch { continuation.resume(returning: written.contains(review.review.id)) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
