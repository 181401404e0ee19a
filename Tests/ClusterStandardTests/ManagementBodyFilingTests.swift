import Foundation
import IndicatorKit
import JSONCore
import TestSupport
import Testing
import ClusterStandard

/// `cluster.management_body` (issue 15, item 3; Standard 八 设立管委会等运营管理机构; Art. 14(4)):
/// name, kind, established_on, evidence — in the model, the schema, the validator and the template.
@Suite struct ManagementBodyFilingTests {
    let base = FilingTemplate.example(.initial)

    func issues(_ filing: JSONValue) -> [ValidationIssue] { FilingValidator.validate(filing.bytes) }

    @Test func theTemplatesManagementBodyDecodesWithEveryMember() throws {
        let filing = try FilingValidator.decode(base.bytes).get()
        let body = try #require(filing.cluster?.managementBody)
        #expect(body.name == "洋浦新材料产业园管委会")
        #expect(body.kind == "management_committee")
        #expect(body.establishedOn == CivilDate("2019-06-01"))
        #expect(body.evidence.documents == ["d3"])
    }

    @Test func theTemplatePrintsTheManagementBodyAfterTheAreaInItsDocumentedOrder() {
        let text = FilingTemplate.text(.initial)
        let marks = ["\"area_km2\"", "\"management_body\"", "\"name\": \"洋浦新材料产业园管委会\"", "\"kind\": \"management_committee\"",
                     "\"established_on\"", "\"evidence\"", "\"enterprises\""]
        let positions = marks.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(text.prefix(800))")
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "\(text.prefix(800))")
    }

    @Test func aFilingWithoutAManagementBodyIsStillValid() {
        #expect(issues(base.setting("cluster.management_body", to: nil)) == [])
    }

    @Test func aBodySetUpOnTheFilingDateIsValidAndOneSetUpTheDayAfterIsNot() {
        #expect(issues(base.setting("cluster.management_body.established_on", to: "2026-03-15")) == [])
        let found = issues(base.setting("cluster.management_body.established_on", to: "2026-03-16"))
        #expect(found.map { "\($0.path) \($0.rule)" } == ["$.cluster.management_body.established_on after_filing_date"], "\(found)")
    }

    @Test(arguments: ["management_committee", "operating_company", "promotion_organization", "other"])
    func eachKindOfBodyIsAccepted(kind: String) {
        #expect(issues(base.setting("cluster.management_body.kind", to: .string(kind))) == [])
    }

    @Test func anUnknownKindOrAMissingMemberIsRefusedAtItsPath() {
        let kind = issues(base.setting("cluster.management_body.kind", to: "county_authority"))
        #expect(kind.map(\.path) == ["$.cluster.management_body.kind"], "\(kind)")
        for member in ["name", "kind", "established_on", "evidence"] {
            let found = issues(base.setting("cluster.management_body.\(member)", to: nil))
            #expect(found.map(\.path) == ["$.cluster.management_body.\(member)"], "\(member): \(found)")
            #expect(found.map(\.rule) == ["required"], "\(member): \(found)")
        }
    }

    @Test func itsEvidenceNamesListedDocuments() {
        let found = issues(base.setting("cluster.management_body.evidence.documents", to: ["d9"]))
        #expect(found.map { "\($0.path) \($0.rule)" } == ["$.cluster.management_body.evidence.documents[0] document_missing"], "\(found)")
    }

    @Test func aChangeOfBodyStatesTheNewBodyUnderTheNameTheChangeGives() {
        let change = FilingTemplate.example(.changeReport)
        #expect(issues(change) == [])
        let other = issues(change.setting("cluster.management_body.name", to: "另一个促进中心"))
        #expect(other.map { "\($0.path) \($0.rule)" } == ["$.change_report.changes[0].after management_body_change"], "\(other)")
        let none = issues(change.setting("cluster.management_body", to: nil))
        #expect(none.map(\.rule) == ["management_body_change"], "\(none)")
        #expect(none.first?.message.en.contains("cluster.management_body") == true)
        // A change of another subject needs no body.
        let industry = change.setting("change_report.changes.0.subject", to: "leading_industry").setting("cluster.management_body", to: nil)
        #expect(issues(industry) == [])
    }
}
