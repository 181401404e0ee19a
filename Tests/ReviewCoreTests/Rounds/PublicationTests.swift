import ClusterStandard
import Foundation
import IndicatorKit
import JSONCore
import Postgres
import Reports
import ReviewCore
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What the province publishes for a round (issue 17, item 4), on the round of RoundJourneyTests
/// run end to end on a real database: the notice list while the notice runs, then the recognition
/// list and the certificates, written to files and read back (the HTML parsed as XML, the CSV
/// parsed back with its BOM); every recognized cluster present; nothing unpublished in any file —
/// a distinctive text is planted in each unpublished place (experts' notes, the reviewer's
/// confirmation and decision notes and login, a refusal's grounds, the objector's name, the
/// objection's reason and resolution, the filing's applicant authority, enterprise names and
/// statements) and none appears.
@Suite(.serialized) struct PublicationTests {
    /// The distinctive texts planted where nothing may be published.
    enum Plant {
        static let expertNote = "PLANT专家评语QX1"
        static let confirmNote = "PLANT复核意见QX2"
        static let decisionNote = "PLANT决定说明QX3"
        static let grounds = "PLANT不予认定理由QX4"
        static let objector = "PLANT异议人王某QX5"
        static let objection = "PLANT异议理由QX6"
        static let resolution = "PLANT异议处理意见QX7"
        static let authority = "PLANT联系人张三电话13800138000QX8"
        static let enterprise = "PLANT企业甲有限公司QX9"
        static let statement = "PLANT管理机构说明QXA"
        static let all = [expertNote, confirmNote, decisionNote, grounds, objector, objection, resolution, authority, enterprise, statement]
    }

    /// A county's sample with the plants in its unpublished parts and a management body stated.
    static func planted(_ data: Data, county: String) throws -> Data {
        var value = try JSONValue(parsing: data)
        value = value.setting("applicant.authority", to: .string(Plant.authority))
        value = value.setting("enterprises.0.name", to: .string(Plant.enterprise))
        value = value.setting("cluster.management_body", to: .object([
            "name": .string("\(county)集群运营管理委员会"), "kind": .string("management_committee"),
            "established_on": .string("2020-01-01"),
            "evidence": .object(["statement": .string(Plant.statement), "documents": .array([.string("d3")])]),
        ]))
        return try JSONEncoder().encode(value)
    }

    /// The round run as RoundJourneyTests runs it, with the plants: 24 of 26 counties filed (quota),
    /// panels of three score and submit, the reviewer confirms, approves all but the last (refused
    /// with grounds), an objection is filed and dismissed. Stops with the notice running.
    struct Journey {
        var database: SecureDatabase
        var round: Int64
        var approved: [Int64]
        var refused: Int64
        var reviewer: PostgresConnection
        var lifecycle: Lifecycle
        /// The logins whose names are not published (the reviewer, the experts).
        var persons: [String]
        var noticeEnds: CivilDate
    }

    func journey() throws -> Journey {
        let database = try SecureDatabase()
        let owner = database.superuser
        try LifecycleFixture.today(owner, "2026-03-16")
        let lifecycle = try LifecycleFixture.lifecycle(owner)
        let admin = try database.connect(as: .admin)
        let round = try Rounds.open(RoundDraft(
            name: "2026年第一批", kinds: ["initial"], opensOn: CivilDate("2026-03-01")!, closesOn: CivilDate("2026-03-31")!,
            rulebook: "hainan-2023", quotaPerCounty: 1, quotaTotal: 24, validityStartsOn: CivilDate("2026-07-01")!), on: admin)
        let samples = try SampleFilings.all().filter { (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" }
        let documents = try samples.map { try Self.planted($0.data, county: String($0.file.prefix(6))) }
        var filed: [Int64] = []
        for verdict in try TestDoor.submit(documents, on: owner, checkingOn: owner) {
            if case .filed(let id) = verdict { filed.append(id) }
        }
        #expect(filed.count == 24)
        for filing in filed { try database.review(filing: filing) }

        var experts: [(login: String, home: String)] = []
        for home in ["469001", "469002", "460105", "469006", "469007"] {
            let login = SecurityFixtures.uniqueName("x")
            try Experts.add(name: login, fields: ["产业经济"], homeCounty: home, on: admin)
            experts.append((login, home))
        }
        let reviewerLogin = try database.login(.reviewer, hint: "plantreviewer")
        let reviewer = try PostgresConnection(reviewerLogin.conninfo)
        var connections: [String: PostgresConnection] = [:]
        for expert in experts { connections[expert.login] = try PostgresConnection(database.conninfo + " user=\(expert.login)") }
        for filing in filed {
            let county: String = try owner.queryRow("SELECT county_code FROM filings WHERE id = $1", [filing]).decode("county_code")
            let members = Array(experts.filter { $0.home != county }.map(\.login).prefix(3))
            try Panels.form(filing: filing, experts: members, on: reviewer)
            for member in members {
                let connection = try #require(connections[member])
                try Panels.score(filing: filing, criterion: "COMP-1", score: 82, verdict: "agree", note: Plant.expertNote, on: connection)
                try Panels.submit(filing: filing, on: connection)
            }
            _ = try Lifecycle(reviewer).confirm(filing: filing, criterion: "COMP-1", accept: true, note: Plant.confirmNote)
        }
        try LifecycleFixture.today(owner, "2026-04-28")
        let approved = Array(filed.dropLast())
        let refused = filed.last!
        for filing in approved { try Lifecycle(reviewer).decide(filing: filing, .approve, note: Plant.decisionNote) }
        try Lifecycle(reviewer).decide(filing: refused, .refuse, note: Plant.decisionNote, grounds: Plant.grounds)

        let notice = try #require(try lifecycle.notice(filing: approved[0]))
        try LifecycleFixture.today(owner, notice.startsOn)
        let objection = try Lifecycle(reviewer).fileObjection(filing: approved[0], by: Plant.objector, reason: Plant.objection)
        try Lifecycle(reviewer).resolveObjection(objection, upheld: false, note: Plant.resolution)
        return Journey(database: database, round: round, approved: approved, refused: refused, reviewer: reviewer, lifecycle: lifecycle,
                       persons: [reviewerLogin.name] + experts.map(\.login), noticeEnds: notice.endsOn)
    }

    /// Writes `files` into a fresh folder and returns it.
    func write(_ files: [PublishedFile]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("publish-\(SecurityFixtures.uniqueName("p"))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files { try file.data.write(to: folder.appendingPathComponent(file.name), options: .atomic) }
        return folder
    }

    /// The rows of a CSV file: the BOM checked and stripped, records split at CRLF outside quotes,
    /// quoted fields unquoted (RFC 4180).
    func csvRows(_ data: Data) throws -> [[String]] {
        #expect(data.prefix(3) == Data([0xEF, 0xBB, 0xBF]), "a byte-order mark first")
        let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
        #expect(text.hasSuffix("\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF line ends only")
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if quoted {
                if c == "\"" {
                    if scalars.first == "\"" { field.unicodeScalars.append(c); scalars.removeFirst() } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\r", scalars.first == "\n" { scalars.removeFirst(); row.append(field); rows.append(row); row = []; field = ""
            } else { field.unicodeScalars.append(c) }
        }
        return rows
    }

    /// Every text of `folder`'s files, checked for the plants and the persons' logins.
    func expectNothingUnpublished(in folder: URL, persons: [String], also: [String] = []) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!names.isEmpty)
        for name in names {
            let text = try #require(String(data: try Data(contentsOf: folder.appendingPathComponent(name)), encoding: .utf8))
            for secret in Plant.all + persons + also {
                #expect(!text.contains(secret), "\(name) holds \(secret)")
            }
            #expect(!text.contains("PLANT") && !text.contains("QX"), "\(name) holds a planted text")
        }
    }

    @Test func aRoundsNoticeListRecognitionListAndCertificatesHoldEveryClusterAndNothingUnpublished() throws {
        let journey = try journey()
        let owner = journey.database.superuser
        let reviewer = journey.reviewer
        let refusedName: String = try owner.queryRow("SELECT cluster_name FROM filings WHERE id = $1", [journey.refused]).decode("cluster_name")

        // While the notice runs: the notice list holds the 23 approved clusters; nothing is recognized yet.
        let noticeList = try Publication.notice(round: "2026年第一批", on: reviewer)
        #expect(noticeList.rows.count == 23)
        #expect(noticeList.issuedOn == (try DatabaseClock.read(on: owner).today))
        let early = try write(PublicationFiles.list(noticeList) + PublicationFiles.list(try Publication.recognition(round: String(journey.round), on: reviewer)))
        let earlyList = try String(contentsOf: early.appendingPathComponent("list.html"), encoding: .utf8)
        #expect(earlyList.contains("本批次尚无认定的集群"))
        let earlyNotice = try XMLDocument(contentsOf: early.appendingPathComponent("notice.html"), options: [])
        #expect(try earlyNotice.nodes(forXPath: "//*[@id='period']/@data-state").first?.stringValue == "running")
        #expect(try csvRows(try Data(contentsOf: early.appendingPathComponent("list.csv"))).count == 1, "the header alone")

        // The notice ends; every approved filing is recognized.
        try LifecycleFixture.today(owner, journey.noticeEnds.adding(days: 1))
        for filing in journey.approved { _ = try #require(try journey.lifecycle.closePublicity(filing: filing)) }
        let register = try Register.list(owner, status: "active")
        #expect(register.count == 23)

        let notice = try Publication.notice(round: "2026年第一批", on: reviewer)
        let recognition = try Publication.recognition(round: "2026年第一批", on: reviewer)
        #expect(notice.rows.count == 23, "the notice list is what was published when the notice opened")
        let folder = try write(PublicationFiles.list(notice) + PublicationFiles.list(recognition) + PublicationFiles.certificates(recognition))

        // The recognition list: HTML parsed as XML, a row per register entry with its fields.
        let html = try XMLDocument(contentsOf: folder.appendingPathComponent("list.html"), options: [])
        #expect(try html.nodes(forXPath: "//script").isEmpty)
        #expect(try html.nodes(forXPath: "//link").isEmpty, "nothing fetched")
        #expect(try html.nodes(forXPath: "//*[@id='department']")[0].stringValue == "海南省工业和信息化厅")
        #expect(try html.nodes(forXPath: "//*[@id='issued']")[0].stringValue?.contains(Readable.date(journey.noticeEnds.adding(days: 1), .zh)) == true)
        #expect(try html.nodes(forXPath: "//table[@id='recognition']/tbody/tr").count == 23)
        for entry in register {
            let cells = try html.nodes(forXPath: "//tr[@data-certificate='\(entry.certificateNo)']/td").map { $0.stringValue ?? "" }
            #expect(cells.count == 7, "\(entry.certificateNo)")
            guard cells.count == 7 else { continue }
            #expect(cells[2] == entry.name && cells[3] == entry.leadingIndustry && cells[4] == entry.managementBody)
            #expect(cells[4] == "\(entry.countyCode)集群运营管理委员会")
            #expect(cells[6] == "2026年7月1日至2029年7月1日")
        }
        let style = try html.nodes(forXPath: "//style")[0].stringValue ?? ""
        #expect(style.contains("@page{size:A4"))

        // The CSV parsed back: the header and a row per register entry.
        let rows = try csvRows(try Data(contentsOf: folder.appendingPathComponent("list.csv")))
        #expect(rows.first == ["序号", "县（市、区）", "集群名称", "主导产业", "集群管理机构", "证书编号", "有效期"])
        #expect(rows.dropFirst().allSatisfy { $0.count == 7 })
        #expect(Set(rows.dropFirst().map { $0[5] }) == Set(register.map(\.certificateNo)))
        #expect(Set(rows.dropFirst().map { $0[2] }) == Set(register.map(\.name)))
        let noticeRows = try csvRows(try Data(contentsOf: folder.appendingPathComponent("notice.csv")))
        #expect(Set(noticeRows.dropFirst().map { $0[2] }) == Set(register.map(\.name)))
        let noticePage = try XMLDocument(contentsOf: folder.appendingPathComponent("notice.html"), options: [])
        #expect(try noticePage.nodes(forXPath: "//table[@id='notice']/tbody/tr").count == 23)
        #expect(try noticePage.nodes(forXPath: "//*[@id='period']/@data-state").first?.stringValue == "ended")

        // A certificate per entry, each well-formed with its number, cluster, county, term and issuer; an index linking them.
        let index = try XMLDocument(contentsOf: folder.appendingPathComponent("certificates.html"), options: [])
        let links = Set(try index.nodes(forXPath: "//a/@href").compactMap(\.stringValue))
        #expect(links.count == 23)
        for entry in register {
            let name = "certificate-\(entry.certificateNo).html"
            #expect(links.contains(name))
            let page = try XMLDocument(contentsOf: folder.appendingPathComponent(name), options: [])
            #expect(try page.nodes(forXPath: "//*[@id='number']")[0].stringValue == "证书编号：\(entry.certificateNo)")
            #expect(try page.nodes(forXPath: "//*[@id='cluster']")[0].stringValue == entry.name)
            #expect(try page.nodes(forXPath: "//*[@id='issuer']")[0].stringValue == "海南省工业和信息化厅")
            #expect(try page.nodes(forXPath: "//tr[@id='term']/td")[0].stringValue == "2026年7月1日至2029年7月1日")
            #expect(try page.nodes(forXPath: "//*[@id='date']")[0].stringValue == Readable.date(journey.noticeEnds.adding(days: 1), .zh))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 4 + 1 + 23)

        // Nothing unpublished, in any file of either moment; the refused cluster is in none.
        try expectNothingUnpublished(in: folder, persons: journey.persons, also: [refusedName])
        try expectNothingUnpublished(in: early, persons: journey.persons, also: [refusedName])
    }

    @Test func aCountyAndAnExpertAreRefusedStaffReadTheWholeRoundAndAnUnknownRoundIsNamed() throws {
        let database = try SecureDatabase()
        let owner = database.superuser
        try LifecycleFixture.today(owner, "2026-03-16")
        let lifecycle = try LifecycleFixture.lifecycle(owner)
        let admin = try database.connect(as: .admin)
        let round = try Rounds.open(RoundDraft(name: "2026年第一批", kinds: ["initial"], opensOn: CivilDate("2026-03-01")!,
                                               closesOn: CivilDate("2026-03-31")!), on: admin)
        let reviewer = try database.connect(as: .reviewer)
        var filings: [Int64] = []
        for county in [SecureDatabase.countyA, SecureDatabase.countyB] {
            let filing = try database.file(county: county, suffix: "甲", on: owner)
            try database.review(filing: filing)
            _ = try Lifecycle(reviewer).confirm(filing: filing, criterion: "COMP-1", accept: true, note: "符合")
            try Lifecycle(reviewer).decide(filing: filing, .approve, note: "符合")
            filings.append(filing)
        }
        let notice = try #require(try lifecycle.notice(filing: filings[0]))
        try LifecycleFixture.today(owner, notice.endsOn.adding(days: 1))
        for filing in filings { _ = try #require(try lifecycle.closePublicity(filing: filing)) }

        #expect(try Publication.recognition(round: String(round), on: reviewer).rows.count == 2)
        #expect(try Publication.recognition(round: String(round), on: admin).rows.count == 2)
        let auditor = try database.connect(as: .auditor)
        #expect(try Publication.notice(round: String(round), on: auditor).rows.count == 2)
        let county = try database.connect(as: .county(SecureDatabase.countyA))
        #expect(SecurityFixtures.sqlState { _ = try Publication.recognition(round: String(round), on: county) } == "42501")
        #expect(SecurityFixtures.sqlState { _ = try Publication.notice(round: String(round), on: county) } == "42501")

        let expert = SecurityFixtures.uniqueName("x")
        try Experts.add(name: expert, fields: ["产业经济"], homeCounty: "469001", on: admin)
        let expertConnection = try PostgresConnection(database.conninfo + " user=\(expert)")
        #expect(SecurityFixtures.sqlState { _ = try Publication.recognition(round: String(round), on: expertConnection) } == "42501")

        #expect(throws: PublicationError.noSuchRound("2099年第九批")) { try Publication.notice(round: "2099年第九批", on: reviewer) }
    }
}
