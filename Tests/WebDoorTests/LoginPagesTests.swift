import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// People's logins on the web (issue 19, an administrator's pages): an administrator lists, adds
/// and disables them through the same `Logins` functions as `cluster-review users`, as the
/// administrator; the database's refusals are shown and nothing is written; nobody else finds the
/// page; a password sent is never shown or logged.
@Suite struct LoginPagesTests {
    /// The logins holding a ClusterReview role, as `users list` reads them: `name roles can_login`.
    func logins(_ web: WebFixture, named names: [String]) throws -> [String] {
        try Logins.list(on: web.superuser).filter { names.contains($0.name) }
            .map { "\($0.name) \($0.roles.joined(separator: ",")) \($0.canLogin)" }
    }

    func canLogin(_ web: WebFixture, _ name: String) throws -> Bool? {
        try web.superuser.query("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", name).rows.first.map { try $0.decode("rolcanlogin") }
    }

    @Test func anAdministratorSeesEveryLoginWithItsRolesInWords() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let reviewer = try web.person(.reviewer, hint: "rev")
        let browser = try await web.signedIn(admin)
        let home = try await browser.get("/").text
        #expect(home.contains(#"href="/admin/logins""#), "the administrator's navigation")
        let page = try await browser.get("/admin/logins")
        #expect(page.status == 200)
        #expect(page.text.contains(#"<tr data-login="\#(county.login)"><td>\#(county.login)</td><td>县级主管部门（文昌市）</td><td>是</td>"#))
        #expect(page.text.contains(#"<td>\#(reviewer.login)</td><td>省级评审人</td>"#))
        #expect(page.text.contains(#"action="/admin/logins/\#(county.login)/disable""#) && page.text.contains(#"id="add-login""#))
        let english = try await browser.get("/admin/logins?lang=en").text
        #expect(english.contains(#"<td>\#(county.login)</td><td>county authority (Wenchang)</td><td>yes</td>"#))
    }

    @Test func anAdministratorAddsALoginAsThemselvesAndItSignsInWithThePassword() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let browser = try await web.signedIn(admin)
        let page = try await browser.get("/admin/logins").text
        let name = WebFixture.uniqueName("new")
        let added = try await browser.post("/admin/logins", [
            ("csrf", try Browser.formToken(in: page)), ("name", name), ("role", "county:\(WebFixture.countyB)"), ("fields", ""), ("home_county", ""),
            ("password", "初始-口令-42"),
        ])
        #expect(added.status == 303)
        #expect(added.header("Location") == "/admin/logins?added=\(name)")
        #expect(try logins(web, named: [name]) == ["\(name) county:\(WebFixture.countyB) true"])
        let audited = try web.superuser.query("SELECT who FROM audit_log WHERE table_name = 'logins' AND row_key = $1", name)
            .rows.map { try $0.decode("who", as: String.self) }
        #expect(audited == [admin.login], "create_login audited as the administrator, never cr_web")
        #expect(try await browser.get("/admin/logins?added=\(name)").text.contains("已添加 \(name)。"))
        let newcomer = web.browser()
        #expect(try await newcomer.signIn(login: name, password: "初始-口令-42").status == 303, "the new login signs in with its password")
    }

    @Test func anExpertIsAddedWithItsFieldsAndHomeCountyInOneStep() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.admin, hint: "adm"))
        let page = try await browser.get("/admin/logins").text
        let name = WebFixture.uniqueName("exp")
        let added = try await browser.post("/admin/logins", [
            ("csrf", try Browser.formToken(in: page)), ("name", name), ("role", "expert"), ("fields", "商业航天，新材料"),
            ("home_county", WebFixture.countyB), ("password", ""),
        ])
        #expect(added.status == 303)
        let experts = try Experts.list(on: web.superuser).filter { $0.login == name }
        #expect(experts.map(\.fields) == [["商业航天", "新材料"]] && experts.map(\.homeCounty) == [WebFixture.countyB])
        let before = try web.snapshot()
        let without = try await browser.post("/admin/logins", [
            ("csrf", try Browser.formToken(in: page)), ("name", WebFixture.uniqueName("exp")), ("role", "expert"), ("fields", ""),
            ("home_county", ""),
        ])
        #expect(without.status == 422 && without.text.contains("专家须填写专业领域"))
        #expect(try web.snapshot() == before)
    }

    @Test func anAdministratorDisablesALoginAndItsWebSessionEnds() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let theirs = try await web.signedIn(county)
        #expect(try await theirs.get("/filings").status == 200)
        let browser = try await web.signedIn(admin)
        let page = try await browser.get("/admin/logins").text
        let disabled = try await browser.post("/admin/logins/\(county.login)/disable", [("csrf", try Browser.formToken(in: page))])
        #expect(disabled.status == 303)
        #expect(try canLogin(web, county.login) == false)
        #expect(try logins(web, named: [county.login]).isEmpty, "no ClusterReview role left: users list no longer shows it")
        let after = try await browser.get("/admin/logins?disabled=\(county.login)").text
        #expect(after.contains("已停用 \(county.login)。") && !after.contains(#"data-login="\#(county.login)""#))
        #expect(try await theirs.get("/filings").status == 303, "the disabled person's session ended: sent to sign in")
    }

    @Test(arguments: ["superuser", "county:46", "coordinator", "county:469005 OR 1=1", ""])
    func aRoleSpecUsersAddWouldRefuseIsRefusedAndNothingIsWritten(spec: String) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.admin, hint: "adm"))
        let page = try await browser.get("/admin/logins?lang=en").text
        let before = try web.snapshot()
        let name = WebFixture.uniqueName("bad")
        let refused = try await browser.post("/admin/logins?lang=en", [
            ("csrf", try Browser.formToken(in: page)), ("name", name), ("role", spec), ("password", "x-1"),
        ])
        #expect(refused.status == 422)
        #expect(refused.text.contains(#"id="message""#) && refused.text.contains("Not done: The role is county:CODE"))
        #expect(refused.text.contains(#"value="\#(name)""#), "the name is kept to correct the role")
        #expect(try canLogin(web, name) == nil)
        #expect(try web.snapshot() == before)
    }

    @Test func theDatabasesRefusalsAreShownInThePagesLanguageAndNothingIsWritten() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let taken = try web.person(.reviewer, hint: "rev")
        let browser = try await web.signedIn(admin)
        let page = try await browser.get("/admin/logins").text
        let token = try Browser.formToken(in: page)
        let before = try web.snapshot()
        // A county code of Hainan's shape that names no county: the database's cr_group_for refuses.
        let unknown = WebFixture.uniqueName("unk")
        let county = try await browser.post("/admin/logins", [("csrf", token), ("name", unknown), ("role", "county:469999")])
        #expect(county.status == 409 && county.text.contains("未知角色"), "the database's Chinese words")
        #expect(try canLogin(web, unknown) == nil)
        let twice = try await browser.post("/admin/logins?lang=en", [("csrf", token), ("name", taken.login), ("role", "auditor")])
        #expect(twice.status == 409 && twice.text.contains("the role \(taken.login) already exists") && !twice.text.contains("已存在"))
        // (`?lang=en` above set the language cookie: back to Chinese.)
        let system = try await browser.post("/admin/logins/cr_web/disable?lang=zh", [("csrf", token)])
        #expect(system.status == 409 && system.text.contains("系统自身的登录"))
        let nobody = try await browser.post("/admin/logins/\(WebFixture.uniqueName("none"))/disable", [("csrf", token)])
        #expect(nobody.status == 404)
        #expect(try web.snapshot() == before)
        #expect(try logins(web, named: [taken.login]) == ["\(taken.login) reviewer true"])
    }

    @Test(arguments: ["county", "reviewer", "expert", "auditor"])
    func anyoneButAnAdministratorFindsNoLoginsPage(role: String) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let spec: RoleSpec = role == "county" ? .county(WebFixture.countyA) : RoleSpec(role)!
        let person = try web.person(spec, hint: String(role.prefix(3)))
        let victim = try web.person(.county(WebFixture.countyB), hint: "vic")
        let browser = try await web.signedIn(person)
        let home = try await browser.get("/").text
        #expect(!home.contains("/admin/logins"), "no link to it")
        #expect(try await browser.get("/admin/logins").status == 404)
        let token = try Browser.formToken(in: home)
        let before = try web.snapshot()
        let add = try await browser.post("/admin/logins", [("csrf", token), ("name", WebFixture.uniqueName("x")), ("role", "admin"), ("password", "p-1")])
        #expect(add.status == 404)
        #expect(try await browser.post("/admin/logins/\(victim.login)/disable", [("csrf", token)]).status == 404)
        #expect(try web.snapshot() == before)
        #expect(try canLogin(web, victim.login) == true)
    }

    @Test func aFormWithoutItsTokenIsRefusedBeforeAnythingIsWritten() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let browser = try await web.signedIn(admin)
        let before = try web.snapshot()
        let name = WebFixture.uniqueName("csrf")
        #expect(try await browser.post("/admin/logins", [("name", name), ("role", "admin")]).status == 403)
        #expect(try await browser.post("/admin/logins", [("csrf", "forged"), ("name", name), ("role", "admin")]).status == 403)
        #expect(try await browser.post("/admin/logins/\(county.login)/disable", [("csrf", "forged")]).status == 403)
        #expect(try web.snapshot() == before)
        #expect(try canLogin(web, name) == nil && canLogin(web, county.login) == true)
    }

    @Test func thePasswordIsNeverOnAPageNorInTheDoorsLog() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let taken = try web.person(.reviewer, hint: "rev")
        let browser = try await web.signedIn(admin)
        let page = try await browser.get("/admin/logins").text
        let token = try Browser.formToken(in: page)
        let password = "Geheim-\(UInt32.random(in: 0...UInt32.max))-口令"
        let name = WebFixture.uniqueName("pw")
        // Added, refused by the database (a name taken) and refused by the page (a bad role).
        let added = try await browser.post("/admin/logins", [("csrf", token), ("name", name), ("role", "reviewer"), ("password", password)])
        #expect(added.status == 303)
        let taken409 = try await browser.post("/admin/logins", [("csrf", token), ("name", taken.login), ("role", "reviewer"), ("password", password)])
        #expect(taken409.status == 409)
        let bad422 = try await browser.post("/admin/logins", [("csrf", token), ("name", WebFixture.uniqueName("pw")), ("role", "root"),
                                                              ("password", password)])
        #expect(bad422.status == 422)
        let listed = try await browser.get("/admin/logins?added=\(name)")
        for response in [added, taken409, bad422, listed] {
            #expect(!response.text.contains(password) && !response.text.contains(Browser.encode(password)))
            #expect(!response.fields.map { $0.name + ": " + $0.value }.joined().contains(password))
        }
        let log = web.log.all.joined(separator: "\n")
        #expect(log.contains("\"login_added\"") && log.contains("\"POST\""), "the POSTs are logged")
        #expect(!log.contains(password) && !log.contains(Browser.encode(password)) && !log.contains("Geheim"), "the log holds the password")
    }
}
