import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// A database with county A's reviewed filing (one manual finding, COMP-1) and experts from other
/// counties; helpers to log in as them.
struct PanelDatabase {
    let database: SecureDatabase
    let filing: Int64
    let other: Int64

    init() throws {
        database = try SecureDatabase()
        filing = try database.file(county: SecureDatabase.countyA, suffix: "panel", on: database.superuser)
        try database.review(filing: filing)
        other = try database.file(county: SecureDatabase.countyB, suffix: "other", on: database.superuser)
        try database.review(filing: other)
    }

    /// A new expert from `county` (registered by the owner, as an administrator would) and their name.
    func expert(from county: String = "469001", hint: String = "e") throws -> String {
        let name = SecurityFixtures.uniqueName(hint)
        try Experts.add(name: name, fields: ["商业航天", "新材料"], homeCounty: county, on: database.superuser)
        return name
    }

    func connect(_ login: String) throws -> PostgresConnection {
        try PostgresConnection(database.conninfo + " user=\(login)")
    }

    /// Three experts from counties other than A's, and the panel of `filing` formed with them.
    func panel() throws -> [String] {
        let experts = [try expert(from: "469001"), try expert(from: "469002"), try expert(from: "460105")]
        try Panels.form(filing: filing, experts: experts, on: database.superuser)
        return experts
    }
}

/// Expert panels (issue 17, item 2; sql/121).
@Suite(.serialized) struct PanelTests {
    // MARK: forming a panel

    @Test func anExpertFromTheFilingsCountyIsRefusedAndTheRefusalSaysWhy() throws {
        let db = try PanelDatabase()
        let local = try db.expert(from: SecureDatabase.countyA, hint: "local")
        let experts = [local, try db.expert(from: "469002"), try db.expert(from: "460105")]
        let error = lifecycleError { try Panels.form(filing: db.filing, experts: experts, on: db.database.superuser) }
        #expect(error?.code == .conflictOfInterest)
        #expect(error?.message.en.contains("\(local) is from 469005, the filing's own county") == true, "\(String(describing: error))")
        #expect(try Panels.show(filing: db.filing, on: db.database.superuser) == nil, "nothing was formed")
    }

    @Test func aDeclaredConflictWithAnEnterpriseOfTheFilingIsRefusedNamingIt() throws {
        let db = try PanelDatabase()
        let conflicted = try db.expert(from: "469001", hint: "conflicted")
        let enterprise: String = try db.database.superuser.queryRow(
            "SELECT payload -> 'enterprises' -> 0 ->> 'code' AS code FROM filings WHERE id = $1", [db.filing]).decode("code")
        try Experts.declareConflict(kind: "enterprise", subject: enterprise, note: "曾任该企业技术顾问", on: try db.connect(conflicted))
        let error = lifecycleError {
            try Panels.form(filing: db.filing, experts: [conflicted, try db.expert(from: "469002"), try db.expert(from: "460105")],
                            on: db.database.superuser)
        }
        #expect(error?.code == .conflictOfInterest)
        #expect(error?.message.en.contains("declared a conflict of interest with enterprise \(enterprise): 曾任该企业技术顾问") == true)
        // The same expert may sit on another county's filing with no conflict.
        try Panels.form(filing: db.other, experts: [conflicted, try db.expert(from: "469002"), try db.expert(from: "469001")],
                        on: db.database.superuser)
    }

    @Test func aPanelHasAtLeastTheConfiguredNumberOfExperts() throws {
        let db = try PanelDatabase()
        let two = [try db.expert(from: "469001"), try db.expert(from: "469002")]
        #expect(lifecycleError { try Panels.form(filing: db.filing, experts: two, on: db.database.superuser) }?.code == .invalidInput)
        let admin = try db.database.connect(as: .admin)
        try admin.query("UPDATE panel_settings SET min_experts = 2")
        try Panels.form(filing: db.filing, experts: two, on: db.database.superuser)
        #expect(try Panels.show(filing: db.filing, on: admin)?.members.count == 2)
    }

    @Test func onlyReviewersAndAdministratorsFormPanels() throws {
        let db = try PanelDatabase()
        let experts = [try db.expert(from: "469001"), try db.expert(from: "469002"), try db.expert(from: "460105")]
        for role in [RoleSpec.county(SecureDatabase.countyA), .auditor, .coordinator] {
            let person = try db.database.connect(as: role)
            #expect(SecurityFixtures.sqlState { try Panels.form(filing: db.filing, experts: experts, on: person) } == "42501", "\(role)")
        }
        #expect(SecurityFixtures.sqlState { try Panels.form(filing: db.filing, experts: experts, on: try db.connect(experts[0])) } == "42501")
        try Panels.form(filing: db.filing, experts: experts, on: try db.database.connect(as: .reviewer))
    }

    // MARK: what an expert sees

    @Test func anExpertSeesOnlyTheFilingsAssignedToThemAndTheirFindings() throws {
        let db = try PanelDatabase()
        let experts = try db.panel()
        let expert = try db.connect(experts[0])
        let filings: [Int64] = try expert.query("SELECT id FROM filings ORDER BY id").rows.map { try $0.decode("id") }
        #expect(filings == [db.filing])
        let findings: [Int64] = try expert.query("SELECT DISTINCT filing_id FROM findings").rows.map { try $0.decode("filing_id") }
        #expect(findings == [db.filing])
        let reviews: [Int64] = try expert.query("SELECT DISTINCT filing_id FROM reviews").rows.map { try $0.decode("filing_id") }
        #expect(reviews == [db.filing])
        #expect(SecurityFixtures.sqlState { _ = try expert.query("SELECT id FROM submissions") } == "42501")
        #expect(SecurityFixtures.sqlState { _ = try expert.query("SELECT id FROM clusters") } == "42501")
        #expect(try Panels.show(filing: db.other, on: expert) == nil)
        // An expert of no panel sees no filing.
        let idle = try db.connect(try db.expert(from: "469002"))
        #expect(try idle.query("SELECT id FROM filings").rowCount == 0)
    }

    @Test func anExpertReadsNoOtherExpertsScoreBeforeSubmittingTheirOwn() throws {
        let db = try PanelDatabase()
        let experts = try db.panel()
        let first = try db.connect(experts[0])
        let second = try db.connect(experts[1])
        try Panels.score(filing: db.filing, criterion: "COMP-1", score: 90, verdict: "agree", note: "特色鲜明", on: first)
        try Panels.submit(filing: db.filing, on: first)
        try Panels.score(filing: db.filing, criterion: "COMP-1", score: 60, verdict: "disagree", note: "证明不足", on: second)
        // The second sees only their own score, even by a query of their own, and no result.
        let seen: [String] = try second.query("SELECT expert FROM expert_scores").rows.map { try $0.decode("expert") }
        #expect(seen == [experts[1]])
        #expect(try second.query("SELECT criterion FROM panel_results").rowCount == 0)
        // The first, submitted, sees their own and nobody else's unsubmitted... and the others' rows once they exist.
        try Panels.submit(filing: db.filing, on: second)
        let now: [String] = try second.query("SELECT expert FROM expert_scores ORDER BY expert").rows.map { try $0.decode("expert") }
        #expect(now == [experts[0], experts[1]].sorted())
        // A third, not yet scored, still sees nothing of theirs.
        let third = try db.connect(experts[2])
        #expect(try third.query("SELECT expert FROM expert_scores").rowCount == 0)
    }

    // MARK: scores and the panel's result

    @Test func thePanelsResultIsTheMedianWithItsSpreadFlaggedAboveTheBound() throws {
        let db = try PanelDatabase()
        let experts = try db.panel()
        for (expert, score) in zip(experts, [90, 62, 85]) {
            let connection = try db.connect(expert)
            try Panels.score(filing: db.filing, criterion: "COMP-1", score: score, verdict: score > 70 ? "agree" : "disagree",
                             note: "评分说明", on: connection)
            try Panels.submit(filing: db.filing, on: connection)
        }
        let result = try #require(try Panels.results(filing: db.filing, on: db.database.superuser).first)
        #expect(result.criterion == "COMP-1")
        #expect(result.median == Decimal(85))
        #expect(result.spread == 28)
        #expect(result.agree == 2 && result.disagree == 1 && result.scored == 3 && result.members == 3)
        #expect(result.flagged, "28 is above the default bound of 20")
        try db.database.superuser.query("UPDATE panel_settings SET spread_bound = 30")
        #expect(try Panels.results(filing: db.filing, on: db.database.superuser).first?.flagged == false)
    }

    @Test func theReviewerConfirmsOnlyOnceEveryMemberHasSubmitted() throws {
        let db = try PanelDatabase()
        let experts = try db.panel()
        let lifecycle = Lifecycle(try db.database.connect(as: .reviewer))
        let waiting = lifecycleError { _ = try lifecycle.confirm(filing: db.filing, criterion: "COMP-1", accept: true, note: "同意") }
        #expect(waiting?.code == .wrongState)
        #expect(waiting?.message.en.contains(experts.sorted().joined(separator: ", ")) == true, "\(String(describing: waiting))")
        for expert in experts {
            let connection = try db.connect(expert)
            try Panels.score(filing: db.filing, criterion: "COMP-1", score: 80, verdict: "agree", note: "同意", on: connection)
            try Panels.submit(filing: db.filing, on: connection)
        }
        _ = try lifecycle.confirm(filing: db.filing, criterion: "COMP-1", accept: true, note: "依专家组意见")
    }

    @Test func scoringIsRefusedOutsideItsRules() throws {
        let db = try PanelDatabase()
        let experts = try db.panel()
        let expert = try db.connect(experts[0])
        #expect(lifecycleError { try Panels.score(filing: db.filing, criterion: "GOVE-4", score: 80, verdict: "agree", note: "x", on: expert) }?.code == .wrongState)
        #expect(lifecycleError { try Panels.score(filing: db.filing, criterion: "COMP-1", score: 101, verdict: "agree", note: "x", on: expert) }?.code == .invalidInput)
        #expect(lifecycleError { try Panels.score(filing: db.filing, criterion: "COMP-1", score: 80, verdict: "maybe", note: "x", on: expert) }?.code == .invalidInput)
        #expect(lifecycleError { try Panels.score(filing: db.filing, criterion: "COMP-1", score: 80, verdict: "agree", note: " ", on: expert) }?.code == .reasonRequired)
        #expect(lifecycleError { try Panels.submit(filing: db.filing, on: expert) }?.code == .approvalBlocked)
        #expect(SecurityFixtures.sqlState { try Panels.score(filing: db.other, criterion: "COMP-1", score: 80, verdict: "agree", note: "x", on: expert) } == "42501")
        try Panels.score(filing: db.filing, criterion: "COMP-1", score: 70, verdict: "agree", note: "初评", on: expert)
        try Panels.score(filing: db.filing, criterion: "COMP-1", score: 75, verdict: "agree", note: "复评", on: expert)
        try Panels.submit(filing: db.filing, on: expert)
        #expect(lifecycleError { try Panels.score(filing: db.filing, criterion: "COMP-1", score: 10, verdict: "agree", note: "x", on: expert) }?.code == .alreadyDone)
        #expect(SecurityFixtures.sqlState { try expert.query("UPDATE expert_scores SET score = 0") } == "42501")
        #expect(try Panels.show(filing: db.filing, on: expert)?.scores.map(\.score) == [75])
    }

    @Test func anExpertAssignedLaterIsCheckedForConflictsToo() throws {
        let db = try PanelDatabase()
        _ = try db.panel()
        let local = try db.expert(from: SecureDatabase.countyA, hint: "late")
        #expect(lifecycleError { try Panels.assign(filing: db.filing, expert: local, on: db.database.superuser) }?.code == .conflictOfInterest)
        let fine = try db.expert(from: "469002", hint: "fine")
        try Panels.assign(filing: db.filing, expert: fine, on: db.database.superuser)
        #expect(try Panels.show(filing: db.filing, on: db.database.superuser)?.members.map(\.expert).contains(fine) == true)
    }
}
