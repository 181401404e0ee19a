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
            let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
            Layout.table(&main, headers: [context.t(WebText.noticeWhen), context.t(WebText.noticeWhat), context.t(WebText.noticeState)],
                         rows: notices.map { notice -> [Layout.Cell] in
                let words = notice.text(in: context.language, commands: false)
                return [.text(minute(notice.createdAt, in: shanghai)),
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

    /// `2026-12-01 09:29` in the province's time.
    private static func minute(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
