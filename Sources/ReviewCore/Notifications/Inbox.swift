import Foundation
import IndicatorKit
import Postgres

/// One notification as its recipient reads it (`notifications`, sql/122): the kind, the ids it is
/// about, when it was written and whether it has been read. The words are `text(in:)`'s.
public struct InboxNotice: Sendable, Hashable, Codable {
    public var id: Int64
    /// One of `Inbox.kinds`.
    public var kind: String
    /// The filing it is about, if any.
    public var filingId: Int64?
    /// The register entry it is about, if any.
    public var clusterId: Int64?
    /// The ids it carries (`filing`, `review`, `submission`, `notice`, `objection`, `cluster`,
    /// `sweep_action`, `panel`, `decision`) and the `year` or `days` of a daily notice.
    public var ids: [String: Int64]
    /// `county:469005`, `reviewers`, `admins`, or `me` (addressed to the person).
    public var recipient: String
    public var createdAt: Date
    /// When it was read (by anybody of its group), nil while unread.
    public var readAt: Date?
    public var readBy: String?

    /// What happened and what to do, in `language`; `commands`: naming the command that shows more.
    public func text(in language: Language, commands: Bool = true) -> String {
        NotificationText.text(kind: kind, ids: ids, commands: commands).text(in: language)
    }
}

/// The person's notifications: the one Swift place that reads and marks `notifications`, for the
/// CLI's `inbox` and the web door alike. Row-level security decides what the connection's person
/// reads and may mark read: rows addressed to them, or to a group they hold (their county, the
/// reviewers, the administrators). A group's row is shared: read by one member, read for all.
///
/// Written by the database alone (triggers of the state changes, `notify_due` in the sweep); no
/// client writes a notification.
public enum Inbox {
    /// The kinds `notifications.kind` admits, in the order docs/notifications.md lists them.
    public static let kinds = [
        "submission_refused", "reviewed", "returned", "refused", "recertified", "in_publicity", "objected", "recognized",
        "expiring_90", "expiring_30", "annual_report_due", "annual_report_missing", "revocation_proposed", "revoked",
        "expert_assigned",
    ]

    /// The person's notifications, newest first: all, or only the unread; at most `limit`.
    public static func list(unreadOnly: Bool = false, limit: Int = 100, on connection: PostgresConnection) throws -> [InboxNotice] {
        try connection.query(
            """
            SELECT id, kind, filing_id, cluster_id, payload, created_at, read_at, read_by,
                   CASE WHEN recipient_login IS NOT NULL THEN 'me'
                        WHEN recipient_role = 'cr_reviewer' THEN 'reviewers'
                        WHEN recipient_role = 'cr_admin' THEN 'admins'
                        ELSE 'county:' || substr(recipient_role, 11) END AS recipient
            FROM notifications
            WHERE (NOT $1::boolean OR read_at IS NULL)
            ORDER BY id DESC LIMIT $2
            """, [unreadOnly, max(1, limit)]
        ).rows.map(notice)
    }

    /// Marks `ids` read (those the person may read and that are unread); returns how many it marked.
    @discardableResult
    public static func markRead(_ ids: [Int64], on connection: PostgresConnection) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try connection.query(
            "UPDATE notifications SET read_at = now() WHERE id = ANY ($1::bigint[]) AND read_at IS NULL RETURNING id",
            [ArrayLiteral(.bigint, numbers: ids)]
        ).rowCount
    }

    /// Lists as `list` does and marks what it listed read, in one transaction; the notices are
    /// returned as they were before (unread ones with `readAt` nil).
    public static func read(unreadOnly: Bool = false, limit: Int = 100, on connection: PostgresConnection) throws -> [InboxNotice] {
        try connection.transaction { connection in
            let notices = try list(unreadOnly: unreadOnly, limit: limit, on: connection)
            try markRead(notices.filter { $0.readAt == nil }.map(\.id), on: connection)
            return notices
        }
    }

    /// How many unread notifications the person has.
    public static func unreadCount(on connection: PostgresConnection) throws -> Int {
        Int(try connection.queryRow("SELECT count(*) AS n FROM notifications WHERE read_at IS NULL").decode("n", as: Int64.self))
    }

    /// The channels that wake the person (LISTEN on each; every notification written for them
    /// notifies its channel with an empty payload): their county's, the reviewers', the
    /// administrators' as they hold those roles, and their own. The names are sql/122's.
    public static func channels(on connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            SELECT 'cr_notify_county_' || code AS channel FROM unnest((SELECT cr_my_counties())) AS code
            UNION ALL SELECT 'cr_notify_reviewers' WHERE pg_has_role(cr_person(), 'cr_reviewer', 'USAGE')
            UNION ALL SELECT 'cr_notify_admins' WHERE pg_has_role(cr_person(), 'cr_admin', 'USAGE')
            UNION ALL SELECT CASE WHEN length(cr_person()) <= 47 THEN 'cr_notify_login_' || cr_person()
                                  ELSE 'cr_notify_login_' || md5(cr_person()) END
            """
        ).rows.map { try $0.decode("channel") }
    }

    /// LISTENs on every channel of `channels(on:)`: `connection.waitForNotification` then wakes
    /// when a notification is written for the person; read them with `list`.
    public static func listen(on connection: PostgresConnection) throws {
        for channel in try channels(on: connection) { try connection.listen(channel) }
    }

    static func notice(_ row: Row) throws -> InboxNotice {
        let ids = try row.decode("payload", as: JSONB.self).decode([String: Int64].self)
        return InboxNotice(
            id: try row.decode("id"), kind: try row.decode("kind"), filingId: try row.decode("filing_id"),
            clusterId: try row.decode("cluster_id"), ids: ids, recipient: try row.decode("recipient"),
            createdAt: try row.decode("created_at"), readAt: try row.decode("read_at"), readBy: try row.decode("read_by"))
    }
}
