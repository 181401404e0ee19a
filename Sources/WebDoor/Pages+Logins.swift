import Foundation
import IndicatorKit
import Reports
import ReviewCore

/// The administrator's logins page: every login with its roles in words and whether it can sign
/// in, a form to disable each enabled one, and the form to add one. The password field is never
/// filled from what was sent.
extension Pages {
    /// What an administrator typed into the add form, shown again after a refusal — never the password.
    struct LoginDraft: Sendable {
        var name = ""
        var role = ""
        var fields = ""
        var homeCounty = ""
    }

    /// The role specs the add form offers, in `users add --role`'s words: the four staff roles a
    /// person holds, then a county's authority per county.
    static func roleChoices(_ counties: [CountyRecord], _ context: PageContext) -> [(String, String)] {
        ["reviewer", "expert", "admin", "auditor"].map { ($0, context.t(WebText.loginRole($0))) }
            + counties.map { ("county:\($0.code)", context.t(WebText.loginRole("county:\($0.code)"))) }
    }

    static func logins(
        _ context: PageContext, person: WebPerson, logins: [Login], counties: [CountyRecord], message: LocalizedText?, info: LocalizedText?,
        draft: LoginDraft
    ) -> String {
        Layout.page(context, title: context.t(WebText.logins), place: .logins) { main in
            main.element("h1", [:], context.t(WebText.logins))
            if let message { main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message)) }
            if let info { main.element("p", ["class": "message info", "role": "status", "id": "info"], context.t(info)) }
            main.element("p", ["class": "muted"], context.t(WebText.loginsIntro))
            if logins.isEmpty {
                main.element("p", ["class": "muted", "id": "no-logins"], context.t(WebText.noLogins))
            } else {
                let separator = context.language == .en ? ", " : "、"
                main.wrap("table", ["class": "list", "id": "logins"]) { table in
                    table.wrap("thead") { head in
                        head.wrap("tr") { tr in
                            for header in [WebText.loginName, WebText.loginRoles, WebText.canSignIn] { tr.element("th", ["scope": "col"], context.t(header)) }
                            tr.element("th", ["scope": "col", "class": "no-print"], "")
                        }
                    }
                    table.wrap("tbody") { body in
                        for login in logins {
                            body.wrap("tr", ["data-login": login.name]) { tr in
                                tr.element("td", [:], login.name)
                                tr.element("td", [:], login.roles.map { context.t(WebText.loginRole($0)) }.joined(separator: separator))
                                tr.element("td", [:], context.t(login.canLogin ? WebText.yes : WebText.no))
                                tr.wrap("td", ["class": "no-print"]) { cell in
                                    guard login.canLogin else { return }
                                    cell.wrap("form", ["method": "post", "action": "/admin/logins/\(Link.encode(login.name))/disable", "class": "inline"]) { form in
                                        token(&form, context)
                                        form.element("button", ["type": "submit", "aria-label": "\(context.t(WebText.disableLogin)) \(login.name)"],
                                                     context.t(WebText.disableLogin))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            main.element("h2", [:], context.t(WebText.addLogin))
            main.wrap("form", ["method": "post", "action": "/admin/logins", "class": "stacked", "id": "add-login", "autocomplete": "off"]) { form in
                token(&form, context)
                form.wrap("label") { label in
                    label.text(context.t(WebText.loginName))
                    label.empty("input", ["name": "name", "required": "required", "maxlength": "63", "pattern": "[a-z][a-z0-9_]{1,62}",
                                          "value": draft.name, "aria-describedby": "name-help", "autocomplete": "off"])
                }
                form.element("p", ["class": "muted", "id": "name-help"], context.t(WebText.loginNameHelp))
                form.wrap("label") { label in
                    label.text(context.t(WebText.roleSpec))
                    label.wrap("select", ["name": "role", "required": "required", "aria-describedby": "role-help"]) { select in
                        select.element("option", ["value": ""], "—")
                        for (value, title) in roleChoices(counties, context) {
                            if value == draft.role {
                                select.element("option", ["value": value, "selected": "selected"], title)
                            } else {
                                select.element("option", ["value": value], title)
                            }
                        }
                    }
                }
                form.element("p", ["class": "muted", "id": "role-help"], context.t(WebText.roleSpecHelp))
                form.wrap("fieldset") { set in
                    set.element("legend", [:], context.t(WebText.loginRole("expert")))
                    set.wrap("label") { label in
                        label.text(context.t(WebText.expertFields))
                        label.empty("input", ["name": "fields", "maxlength": "400", "value": draft.fields])
                    }
                    set.wrap("label") { label in
                        label.text(context.t(WebText.expertCounty))
                        label.wrap("select", ["name": "home_county"]) { select in
                            select.element("option", ["value": ""], "—")
                            for county in counties {
                                let title = context.language == .en ? "\(county.nameEn) \(county.code)" : "\(county.nameZh) \(county.code)"
                                if county.code == draft.homeCounty {
                                    select.element("option", ["value": county.code, "selected": "selected"], title)
                                } else {
                                    select.element("option", ["value": county.code], title)
                                }
                            }
                        }
                    }
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.initialPassword))
                    // Never given a value: a password sent is not shown again, not even after a refusal.
                    label.empty("input", ["type": "password", "name": "password", "maxlength": "1024", "autocomplete": "new-password",
                                          "aria-describedby": "password-help"])
                }
                form.element("p", ["class": "muted", "id": "password-help"], context.t(WebText.passwordHelp))
                form.element("button", ["type": "submit"], context.t(WebText.addLogin))
            }
        }
    }
}
