import Foundation
import ReviewCore

/// A person's notifications (issue 17's outbox): read under the person's own role, so row-level
/// security gives each only the rows addressed to them or to a group they hold; marking read is
/// the same column update as `cluster-review inbox`, CSRF-checked.
extension WebDoor {
    /// Who has notifications: a county's officials, reviewers, administrators and experts
    /// (auditors and the coordinator are given none).
    static func receivesNotices(_ person: WebPerson) -> Bool {
        !person.counties.isEmpty || person.holds("reviewer") || person.holds("admin") || person.holds("expert")
    }

    func notificationsPage(_ web: WebRequest) async throws -> Reply {
        guard web.sessionToken != nil else { return signedOut(web) }
        let result = try await asPerson(web) { connection, person -> [InboxNotice]? in
            Self.receivesNotices(person) ? try Inbox.list(limit: Self.pageLimit, on: connection) : nil
        }
        guard case .found(let person, let notices) = result else { return signedOut(web) }
        guard let notices else { return notFound(web, person) }
        return html(200, Pages.notifications(context(web, person), notices: notices), person: person.login)
    }

    func markNotificationsRead(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        // Ids the page listed; anything else in the field is ignored, and RLS limits the update to the person's rows.
        let ids = (form["ids"] ?? "").split(separator: ",").prefix(Self.pageLimit).compactMap { Int64($0) }.filter { $0 > 0 }
        let result = try await asPerson(web) { connection, person -> Int? in
            Self.receivesNotices(person) ? try Inbox.markRead(ids, on: connection) : nil
        }
        guard case .found(let person, let marked) = result else { return signedOut(web) }
        guard let marked else { return notFound(web, person) }
        logger.info("notifications_read", ["person": .string(person.login), "marked": .number(Decimal(marked))])
        return redirect("/notifications", person: person.login)
    }
}
