import Foundation
import HTTPServer
import IndicatorKit
import Reports
import ReviewCore

/// What every page needs to know about the request it answers.
struct PageContext: Sendable {
    /// The language the page is in.
    var language: Language
    /// Who is signed in, if anybody.
    var person: WebPerson?
    /// The form token of the person's session (for the sign-out form and every other form).
    var formToken: String?
    /// The request's path (as received) and query, for the language switch.
    var path: String
    var queryItems: [HTTPQueryItem]

    func t(_ text: LocalizedText) -> String { text.text(in: language) }
}

/// The places of the navigation bar.
enum Place: Sendable {
    case home, filings, newFiling, register, panels, inbox, rounds, notices, recognitions, modules, sweeps, logins, signIn, none
}

/// The frame of every page: the head (the door's stylesheets, no inline style or script), the
/// site bar with the navigation for the person's roles, the language switch and the sign-out form,
/// the main part the page writes, and the footer. Usable without JavaScript (there is none), and
/// printable (site.css hides the navigation on paper).
enum Layout {
    static func page(
        _ context: PageContext, title: String, place: Place, stylesheets: [String] = [], refresh: Int? = nil,
        _ body: (inout Markup) -> Void
    ) -> String {
        let lang = context.language
        var html = Markup.document(title: title + " · " + context.t(WebText.siteName), language: lang) { head in
            // A page that waits for something (a submission's check) reloads itself: no script.
            if let refresh { head.empty("meta", ["http-equiv": "refresh", "content": String(refresh)]) }
            // The page's own sheets first (the report's), then the door's, which wins where they differ.
            for sheet in stylesheets { head.empty("link", ["rel": "stylesheet", "href": sheet]) }
            head.empty("link", ["rel": "stylesheet", "href": StaticAssets.sitePath])
        }
        html.element("a", ["class": "skip", "href": "#main"], context.t(WebText.skipToContent))
        html.wrap("header", ["class": "site"]) { header in
            header.element("a", ["class": "brand", "href": "/"], context.t(WebText.siteName))
            header.wrap("nav", ["aria-label": context.t(WebText.navigation)]) { nav in
                nav.wrap("ul") { list in
                    for (target, label, item) in links(for: context.person) {
                        list.wrap("li") { li in
                            if item == place {
                                li.element("a", ["href": target, "aria-current": "page"], context.t(label))
                            } else {
                                li.element("a", ["href": target], context.t(label))
                            }
                        }
                    }
                }
            }
            header.wrap("div", ["class": "who"]) { who in
                who.element("a", ["class": "language", "href": languageLink(context), "hreflang": lang == .en ? "zh-CN" : "en"],
                            context.t(WebText.switchLanguage))
                if let person = context.person {
                    who.element("span", ["class": "person"],
                                person.login + " · " + person.roles.map { context.t(WebText.role($0)) }.joined(separator: "、"))
                    who.wrap("form", ["method": "post", "action": "/sign-out", "class": "sign-out"]) { form in
                        form.empty("input", ["type": "hidden", "name": "csrf", "value": context.formToken ?? ""])
                        form.element("button", ["type": "submit"], context.t(WebText.signOut))
                    }
                }
            }
        }
        html.wrap("main", ["id": "main"]) { main in body(&main) }
        html.element("footer", ["class": "site"], context.t(WebText.footer))
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    /// The navigation for `person`'s roles (or for the public).
    static func links(for person: WebPerson?) -> [(String, LocalizedText, Place)] {
        var links: [(String, LocalizedText, Place)] = [("/", WebText.home, .home)]
        if let person {
            if person.isStaff {
                links += [("/filings", WebText.queue, .filings), ("/register", WebText.register, .register), ("/admin/rounds", WebText.rounds, .rounds)]
            } else if !person.counties.isEmpty {
                links += [("/filings", WebText.myFilings, .filings), ("/filings/new", WebText.newFiling, .newFiling),
                          ("/register", WebText.myRegister, .register)]
            }
            if person.holds("expert") { links.append(("/panels", WebText.myPanels, .panels)) }
            if WebDoor.receivesNotices(person) { links.append(("/notifications", WebText.notifications, .inbox)) }
        }
        links += [("/public/notices", WebText.publicNotices, .notices), ("/public/register", WebText.recognitionList, .recognitions)]
        if let person, person.holds("admin") || person.holds("auditor") {
            links += [("/admin/modules", WebText.modules, .modules), ("/admin/sweeps", WebText.sweeps, .sweeps)]
        }
        if let person, person.holds("admin") { links.append(("/admin/logins", WebText.logins, .logins)) }
        if person == nil { links.append(("/sign-in", WebText.signIn, .signIn)) }
        return links
    }

    /// The current page in the other language: the same path and query, `lang` switched.
    static func languageLink(_ context: PageContext) -> String {
        let other: Language = context.language == .en ? .zh : .en
        return Link.to(context.path, context.queryItems.filter { $0.name != "lang" }.map { ($0.name, $0.value) } + [("lang", other.rawValue)])
    }

    /// A table with a header row and one row per item; each cell is text, escaped.
    static func table(_ html: inout Markup, headers: [String], rows: [[Cell]], classes: String = "list") {
        html.wrap("table", ["class": classes]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in for header in headers { tr.element("th", ["scope": "col"], header) } }
            }
            table.wrap("tbody") { body in
                for row in rows {
                    body.wrap("tr") { tr in
                        for cell in row {
                            switch cell {
                            case .text(let text): tr.element("td", [:], text)
                            case .number(let text): tr.element("td", ["class": "num"], text)
                            case .link(let text, let href): tr.wrap("td") { $0.element("a", ["href": href], text) }
                            case .styled(let text, let style): tr.element("td", ["class": style], text)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A cell of `table`.
    enum Cell {
        case text(String)
        case number(String)
        case link(String, href: String)
        case styled(String, style: String)
    }
}

/// Links the door writes: a path and query parameters, percent-encoded.
enum Link {
    /// `path?name=value&…`, every name and value percent-encoded (RFC 3986 unreserved kept).
    static func to(_ path: String, _ query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
