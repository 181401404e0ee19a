import Foundation
import Reports
import ReviewCore

/// A person's notifications: the outbox rows row-level security lets them read, in words, with
/// one form that marks the listed unread ones read.
extension Pages {
    static func notifications(_ context: PageContext, notices: [InboxNotice]) -> String {
        Layout.page(context, title: context.t(WebText.notifications), place: .inbox) { main in
            main.element("h1", [:], context.t(WebText.notifications))
            main.element("p", ["class": "muted"], context.t(WebText.notificationsIntro))
            guard !notices.isEmpty else {
                main.element("p", ["class": "muted", "id": "no-notifications"], context.t(WebText.noNotifications))
                return
            }
            Layout.table(&main, headers: [context.t(WebText.noticeWhen), context.t(WebText.noticeWhat), context.t(WebText.noticeState)],
                         rows: notices.map { notice -> [Layout.Cell] in
                let words = notice.text(in: context.language, commands: false)
                return [.text(ReportStamp.beijingTime(notice.createdAt)),
                        notice.filingId.map { .link(words, href: "/\(notice.kind == "expert_assigned" ? "panels" : "filings")/\($0)") } ?? .text(words),
                        .text(context.t(notice.readAt == nil ? WebText.unread : WebText.readState))]
            })
            let unread = notices.filter { $0.readAt == nil }.map(\.id)
            guard !unread.isEmpty else { return }
            main.wrap("form", ["method": "post", "action": "/notifications", "id": "mark-read"]) { form in
                token(&form, context)
                form.empty("input", ["type": "hidden", "name": "ids", "value": unread.map(String.init).joined(separator: ",")])
                form.element("button", ["type": "submit"], context.t(WebText.markAllRead))
            }
        }
    }
}
