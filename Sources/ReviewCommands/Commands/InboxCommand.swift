import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import Reports

/// `inbox [--unread] [--json] [--limit N]`: the person's notifications, newest first, in words; the
/// shown ones are marked read (issue 17, item 3; sql/122, docs/notifications.md). A thin call into
/// `ReviewCore.Inbox`; row-level security decides what the person reads.
enum InboxCommand {
    static let command = Command(
        words: ["inbox"],
        summary: "Your notifications, newest first; marks them read · 查看通知",
        synopsis: "[--unread] [--limit N]",
        details: """
            Everything you (your county, the reviewers, the administrators, or you as an expert) must
            act on: a submission refused at the door, a filing reviewed, returned, refused, in public
            notice, objected to, recognized; a register entry expiring in 90 or 30 days; an annual
            report due or missing; a revocation proposed; a panel assignment. The ones shown are
            marked read (a county's or a group's notice is read for the whole group). --unread shows
            only those not yet read. A client may LISTEN to be woken: docs/notifications.md.
            """,
        examples: ["cluster-review inbox", "cluster-review inbox --unread", "cluster-review inbox --json --lang en"],
        options: [
            .flag("--unread", "Only the unread ones · 只看未读"),
            .value("--limit", "N", "At most N (default 50) · 最多显示条数"),
            .flag("--json", "Print JSON · 输出 JSON"),
        ],
        exits: ExitUse.database,
        run: { invocation in
            let limit = try invocation.count("--limit") ?? 50
            let connection = try invocation.connect()
            defer { connection.close() }
            let notices = try Inbox.read(unreadOnly: invocation.flag("--unread"), limit: limit, on: connection)
            let language = invocation.language
            if invocation.flag("--json") {
                try invocation.console.printJSON(notices.map { Line(notice: $0, language: language) }, snakeCaseKeys: true)
                return ExitCode.success
            }
            for notice in notices {
                let mark = notice.readAt == nil ? "•" : " "
                invocation.console.print("\(mark) \(notice.id)  \(ReportStamp.beijingTime(notice.createdAt))  \(notice.text(in: language))")
            }
            let unread = notices.filter { $0.readAt == nil }.count
            invocation.console.print(language == .zh
                ? "共 \(notices.count) 条通知，其中 \(unread) 条未读（现已标为已读）"
                : "\(notices.count) notifications, \(unread) unread (now marked read)")
            return ExitCode.success
        })

    /// One notification in `--json`: the stored fields and the words in the chosen language.
    struct Line: Encodable {
        var id: Int64
        var kind: String
        var filingId: Int64?
        var clusterId: Int64?
        var ids: [String: Int64]
        var recipient: String
        var createdAt: Date
        var wasUnread: Bool
        var text: String

        init(notice: InboxNotice, language: Language) {
            id = notice.id
            kind = notice.kind
            filingId = notice.filingId
            clusterId = notice.clusterId
            ids = notice.ids
            recipient = notice.recipient
            createdAt = notice.createdAt
            wasUnread = notice.readAt == nil
            text = notice.text(in: language)
        }
    }
}
