import Foundation
import Postgres
import PostgresTestSupport
import Testing

@Suite struct NotificationTests {
    @Test func aNotifyFromAnotherConnectionArrivesWithinTheWait() throws {
        let conninfo = try ThrowawayPostgres.makeDatabase()
        let listener = try PostgresConnection(conninfo)
        try listener.listen("review_queued")
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            let sender = try? PostgresConnection(conninfo)
            try? sender?.notify("review_queued", payload: "469005")
        }
        thread.start()
        // The wait returns when the notification arrives; the timeout only stops a broken wait
        // from hanging the run, and is long because a busy machine may be slow to send it.
        let notification = try listener.waitForNotification(timeout: .seconds(120))
        #expect(notification?.channel == "review_queued")
        #expect(notification?.payload == "469005")
    }

    @Test func withoutANotifyTheWaitReturnsNilAfterItsTimeout() throws {
        let listener = try ThrowawayPostgres.connect()
        try listener.listen("review_queued")
        let started = ContinuousClock.now
        let notification = try listener.waitForNotification(timeout: .milliseconds(300))
        let waited = ContinuousClock.now - started
        #expect(notification == nil)
        #expect(waited >= .milliseconds(290))
    }

    @Test func aChannelNameThatIsNotAnIdentifierIsRefused() throws {
        let connection = try ThrowawayPostgres.connect()
        #expect(throws: PostgresError.self) { try connection.listen("x; DROP TABLE filings") }
    }
}
