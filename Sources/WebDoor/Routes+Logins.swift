import Foundation
import IndicatorKit
import Postgres
import ReviewCore

/// People's logins on the web (issue 19, the administrator's pages): an administrator lists them,
/// adds one and disables one through the same `Logins` (and, for an expert, `Experts`) functions
/// as `cluster-review users list|add|disable`, as the administrator, so `create_login` and
/// `disable_login` check the person and audit them. The database's refusals (a name taken, an
/// unknown county, one of the system's own logins) are shown in the page's language and nothing
/// is written. Anybody else gets the one "not found" page: the page does not say it exists.
///
///     GET  /admin/logins               the logins and the add form
///     POST /admin/logins               add one: name, role spec, an expert's fields and home county, a password or none
///     POST /admin/logins/NAME/disable  disable one
///
/// A password sent is never shown again, never logged (the request line logs the path, the
/// `login_added` line the name and role) and never put in an error: a refusal the database words
/// is shown by its message, and any other failure of the statement is logged by its SQLSTATE only.
extension WebDoor {
    /// A login change refused before or by the database, with the reason in both languages.
    struct LoginRefused: Error {
        var status: Int
        var message: LocalizedText
    }

    /// The POST of somebody who is not an administrator: the same 404 as the page.
    struct NotAnAdministrator: Error {}

    func loginsPage(
        _ web: WebRequest, message: LocalizedText? = nil, info: LocalizedText? = nil, status: Int = 200, draft: Pages.LoginDraft = Pages.LoginDraft()
    ) async throws -> Reply {
        let result = try await asPerson(web) { connection, person -> ([Login], [CountyRecord])? in
            guard person.holds("admin") else { return nil }
            return (try Logins.list(on: connection), try CountyRecords.all(on: connection))
        }
        guard case .found(let person, let found) = result else { return signedOut(web) }
        guard let (logins, counties) = found else { return notFound(web, person) }
        return html(status, Pages.logins(context(web, person), person: person, logins: logins, counties: counties, message: message, info: info,
                                         draft: draft),
                    person: person.login)
    }

    /// What the last change did, from the redirect's query (`added=NAME`, `disabled=NAME`): a name
    /// that could be a login's, else nothing.
    func loginsDone(_ web: WebRequest) -> LocalizedText? {
        if let name = web.query("added"), Logins.problem(withName: name) == nil { return WebText.loginAdded(name) }
        if let name = web.query("disabled"), Logins.problem(withName: name) == nil { return WebText.loginDisabled(name) }
        return nil
    }

    func addLogin(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let roleText = (form["role"] ?? "").trimmingCharacters(in: .whitespaces)
        let fieldsText = form["fields"] ?? ""
        let homeCounty = (form["home_county"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = form["password"] ?? ""
        let draft = Pages.LoginDraft(name: String(name.prefix(63)), role: String(roleText.prefix(40)), fields: String(fieldsText.prefix(400)),
                                     homeCounty: String(homeCounty.prefix(6)))
        // The checks `users add` makes before it connects, in the same order.
        let fields = fieldsText.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var refusal: LocalizedText?
        var role: RoleSpec?
        if let problem = Logins.problem(withName: name) {
            refusal = problem
        } else if let spec = RoleSpec(roleText), spec != .coordinator {
            role = spec
            if spec == .expert && (fields.isEmpty || homeCounty.isEmpty) {
                refusal = WebText.expertNeedsFields
            } else if spec != .expert && (!fields.isEmpty || !homeCounty.isEmpty) {
                refusal = WebText.fieldsOnlyForExperts
            } else if password.utf8.count > 1024 {
                refusal = WebText.passwordTooLong
            }
        } else {
            refusal = WebText.badRoleSpec(String(roleText.prefix(40)))
        }
        if let refusal {
            return try await loginsPage(web, message: Self.notDone(refusal), status: 422, draft: draft)
        }
        guard let role else { return refusedForm(web) }
        let secret: String? = password.isEmpty ? nil : password
        do {
            let person = try await asAdministrator(web) { connection in
                if role == .expert {
                    _ = try Experts.add(name: name, fields: fields, homeCounty: homeCounty, password: secret, on: connection)
                } else {
                    _ = try Logins.add(name: name, role: role, password: secret, on: connection)
                }
            }
            guard let person else { return signedOut(web) }
            logger.info("login_added", ["person": .string(person.login), "login": .string(name), "role": .string(role.description)])
            return redirect(Link.to("/admin/logins", [("added", name)]), person: person.login)
        } catch is NotAnAdministrator {
            return notFound(web, nil)
        } catch let refused as LoginRefused {
            return try await loginsPage(web, message: Self.notDone(refused.message), status: refused.status, draft: draft)
        }
    }

    func disableLogin(_ web: WebRequest, name: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        // A name no login could have names nothing: the same 404 as a login that does not exist.
        guard Logins.problem(withName: name) == nil || name.hasPrefix("cr_") else { return notFound(web, nil) }
        do {
            let person = try await asAdministrator(web) { connection in try Logins.disable(name: name, on: connection) }
            guard let person else { return signedOut(web) }
            logger.info("login_disabled", ["person": .string(person.login), "login": .string(name)])
            return redirect(Link.to("/admin/logins", [("disabled", name)]), person: person.login)
        } catch is NotAnAdministrator {
            return notFound(web, nil)
        } catch let refused as LoginRefused {
            return try await loginsPage(web, message: Self.notDone(refused.message), status: refused.status)
        }
    }

    /// Runs `change` in one transaction as the signed-in administrator; the person, or nil when
    /// signed out. Throws `NotAnAdministrator` for anybody else, `LoginRefused` with the
    /// database's words when it refuses (the transaction rolled back: nothing written).
    private func asAdministrator(_ web: WebRequest, _ change: @escaping @Sendable (PostgresConnection) throws -> Void) async throws -> WebPerson? {
        do {
            let result = try await asPerson(web) { connection, person in
                guard person.holds("admin") else { throw NotAnAdministrator() }
                try change(connection)
            }
            guard case .found(let person, _) = result else { return nil }
            return person
        } catch let error as LifecycleError {
            throw LoginRefused(status: error.code == .notFound ? 404 : 409, message: error.message)
        } catch let error as PostgresError {
            guard case .server(let server) = error else { throw error }
            switch server.sqlState {
            // A name taken, an unknown county or role, no such login, one of the system's own.
            case "42710", "22023", "42704", "42501":
                let status = server.sqlState == "42704" ? 404 : 409
                throw LoginRefused(status: status, message: LocalizedText(zh: server.detail ?? server.message, en: server.message))
            default:
                // The statement may have carried a password: log its SQLSTATE, never its text.
                logger.error("login_change_failed", ["path": .string(web.http.path), "sqlstate": .string(server.sqlState)])
                throw LoginRefused(status: 500, message: WebText.internalErrorText)
            }
        }
    }

    private static func notDone(_ why: LocalizedText) -> LocalizedText {
        LocalizedText(zh: WebText.notDone.zh + why.zh, en: WebText.notDone.en + why.en)
    }
}
