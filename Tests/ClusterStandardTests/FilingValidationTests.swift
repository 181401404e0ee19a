import Foundation
import IndicatorKit
import TestSupport
import Testing
import ClusterStandard
import JSONCore

@Suite struct FilingValidationTests {
    let base = FilingTemplate.example(.initial)

    func issues(_ filing: JSONValue) -> [ValidationIssue] { FilingValidator.validate(filing.bytes) }

    func issues(text: String) -> [ValidationIssue] { FilingValidator.validate(Data(text.utf8)) }

    func expectOnly(_ found: [ValidationIssue], rule: String, path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.map(\.rule) == [rule], "\(found)", sourceLocation: sourceLocation)
        #expect(found.map(\.path) == [path], "\(found)", sourceLocation: sourceLocation)
    }

    @Test(arguments: FilingKind.allCases)
    func templateOfEveryKindIsValid(kind: FilingKind) {
        #expect(issues(FilingTemplate.example(kind)) == [])
    }

    @Test func validFilingDecodesWithExactDecimals() throws {
        let filing = try FilingValidator.decode(base.bytes).get()
        #expect(filing.cluster?.areaKm2 == Decimal(string: "69.5"))
        #expect(filing.green?.energy?.benchmark == Decimal(string: "0.60"))
        #expect(filing.figures?[2].co2Intensity == Decimal(string: "1.00"))
    }

    @Test func nanIsRejectedWithItsPath() {
        let text = base.canonicalText().replacingOccurrences(of: "\"total_output_wan\":310000", with: "\"total_output_wan\":NaN")
        expectOnly(issues(text: text), rule: "syntax", path: "$.figures[2].total_output_wan")
    }

    @Test func infinityIsRejected() {
        let text = base.canonicalText().replacingOccurrences(of: "\"exports_wan\":20000", with: "\"exports_wan\":-Infinity")
        expectOnly(issues(text: text), rule: "syntax", path: "$.figures[0].exports_wan")
    }

    @Test func duplicateKeyIsRejected() {
        let text = base.canonicalText().replacingOccurrences(of: "\"area_km2\":69.5", with: "\"area_km2\":69.5,\"area_km2\":1")
        expectOnly(issues(text: text), rule: "syntax", path: "$.cluster")
    }

    @Test func deepNestingIsRejected() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(issues(text: text).map(\.rule) == ["syntax"])
    }

    @Test func oversizedPayloadIsRejected() {
        let text = "{\"x\":\"" + String(repeating: "a", count: JSONParser.Limits.document.maxBytes!) + "\"}"
        expectOnly(issues(text: text), rule: "syntax", path: "$")
    }

    @Test func wrongTypeNamesThePath() {
        expectOnly(issues(base.setting("figures.2.total_output_wan", to: "abc")), rule: "type", path: "$.figures[2].total_output_wan")
    }

    @Test func missingFieldNamesThePath() {
        expectOnly(issues(base.setting("cluster.name", to: nil)), rule: "required", path: "$.cluster.name")
    }

    @Test func unknownFieldIsAnError() {
        expectOnly(issues(base.setting("figures.0.totl_output_wan", to: 1)), rule: "unknown_field", path: "$.figures[0].totl_output_wan")
    }

    @Test func unknownEvidenceKeyIsAnError() {
        expectOnly(issues(base.setting("digital.evidence.DIGI-4", to: ["statement": "x", "documents": []])),
                   rule: "unknown_field", path: "$.digital.evidence[\"DIGI-4\"]")
    }

    @Test func negativeMoneyIsRejected() {
        expectOnly(issues(base.setting("figures.1.exports_wan", to: -5)), rule: "negative", path: "$.figures[1].exports_wan")
    }

    @Test func moneyWithThreeDecimalsIsRejected() {
        expectOnly(issues(base.setting("figures.1.sme_rd_expenditure_wan", to: .dec("5600.005"))), rule: "money_scale",
                   path: "$.figures[1].sme_rd_expenditure_wan")
    }

    @Test func moneyWithTwoDecimalsIsAccepted() {
        #expect(issues(base.setting("figures.1.sme_rd_expenditure_wan", to: .dec("5600.05"))) == [])
    }

    @Test func yearsMustBeTheThreeBeforeTheFilingYear() {
        expectOnly(issues(base.setting("figures.0.year", to: 2022)), rule: "year_sequence", path: "$.figures[0].year")
    }

    @Test func figuresNeedExactlyThreeRowsAndTheMissingYearIsNamed() {
        let found = issues(base.setting("figures.2", to: nil))
        #expect(found.map(\.rule) == ["count", "missing_year"], "\(found)")
        #expect(found.map(\.path) == ["$.figures", "$.figures"])
    }

    @Test func countyCodeOutsideHainanIsRejected() {
        expectOnly(issues(base.setting("applicant.county_code", to: "460100")), rule: "county_code", path: "$.applicant.county_code")
    }

    @Test func invalidCheckCharacterIsRejected() {
        expectOnly(issues(base.setting("enterprises.1.code", to: "91460401MA5T00002N")), rule: "uscc", path: "$.enterprises[1].code")
    }

    @Test func duplicateEnterpriseCodeIsRejected() {
        expectOnly(issues(base.setting("enterprises.1.code", to: "91460400MA5T000014")), rule: "duplicate", path: "$.enterprises[1].code")
    }

    @Test func duplicateCountyCodeIsRejected() {
        expectOnly(issues(base.setting("cluster.county_codes", to: ["460400", "460400"])), rule: "duplicate", path: "$.cluster.county_codes")
    }

    @Test func documentReferencedButNotListedIsRejected() {
        expectOnly(issues(base.setting("competitiveness.evidence.COMP-1.documents", to: ["d9"])), rule: "document_missing",
                   path: "$.competitiveness.evidence[\"COMP-1\"].documents[0]")
    }

    @Test func badSha256IsRejected() {
        expectOnly(issues(base.setting("documents.0.sha256", to: "ABC")), rule: "sha256", path: "$.documents[0].sha256")
    }

    @Test func overlongStringIsRejected() {
        expectOnly(issues(base.setting("cluster.name", to: .string(String(repeating: "群", count: 201)))), rule: "too_long", path: "$.cluster.name")
    }

    @Test func controlCharacterInANameIsRejected() {
        expectOnly(issues(base.setting("enterprises.0.name", to: "洋浦\u{7}新材料")), rule: "control_character", path: "$.enterprises[0].name")
    }

    @Test func zeroEmployeesIsRejected() {
        expectOnly(issues(base.setting("figures.2.employees", to: 0)), rule: "range", path: "$.figures[2].employees")
    }

    @Test func fractionalEmployeesIsRejected() {
        expectOnly(issues(base.setting("figures.2.employees", to: .dec("21000.5"))), rule: "integer", path: "$.figures[2].employees")
    }

    @Test func waiverWithBlankReasonIsRejected() {
        expectOnly(issues(base.setting("competitiveness.growth_waiver", to: ["reason": "  ", "documents": []])), rule: "blank",
                   path: "$.competitiveness.growth_waiver.reason")
    }

    @Test func publicityReachingMoreThanTheClusterIsRejected() {
        expectOnly(issues(base.setting("governance.publicity.enterprises_reached", to: 7)), rule: "publicity_exceeds",
                   path: "$.governance.publicity.enterprises_reached")
    }

    /// A seventh enterprise for the template, which lists six and states six.
    let seventh: JSONValue = ["code": "91460406MA5T00007D", "name": "洋浦化工物流服务有限公司", "sme": true, "leading_industry": false,
                              "designations": []]

    @Test func listingMoreEnterprisesThanStatedIsRejectedWithBothNumbers() {
        let found = issues(base.setting("enterprises.6", to: seventh))
        expectOnly(found, rule: "enterprises_exceed_stated", path: "$.governance.publicity.enterprises_in_cluster")
        #expect(found.first.map { $0.message.en.contains("7") && $0.message.en.contains("6") && $0.message.zh.contains("7") } == true,
                "\(found)")
    }

    @Test func listingAsManyEnterprisesAsStatedIsAccepted() {
        let filing = base.setting("enterprises.6", to: seventh).setting("governance.publicity.enterprises_in_cluster", to: 7)
            .setting("governance.publicity.enterprises_reached", to: 7)
        #expect(issues(filing) == [])
    }

    @Test func aRepeatedEnterpriseCountsOnceAgainstTheStatedNumber() {
        let repeated = seventh.setting("code", to: "91460400MA5T000014")
        expectOnly(issues(base.setting("enterprises.6", to: repeated)), rule: "duplicate", path: "$.enterprises[6].code")
    }

    @Test func sectionNotAllowedForKindIsRejected() {
        expectOnly(issues(base.setting("plan_report", to: ["achievements": []])), rule: "not_allowed_for_kind", path: "$.plan_report")
    }

    @Test func recertificationWithoutPlanReportIsRejected() {
        expectOnly(issues(FilingTemplate.example(.recertification).setting("plan_report", to: nil)), rule: "required", path: "$.plan_report")
    }

    @Test func enumOutsideItsValuesIsRejected() {
        expectOnly(issues(base.setting("enterprises.0.designations.0.kind", to: "giant")), rule: "enum", path: "$.enterprises[0].designations[0].kind")
    }

    @Test func impossibleDateIsRejected() {
        let found = issues(base.setting("filing_date", to: "2025-02-29"))
        #expect(found.contains { $0.rule == "date" && $0.path == "$.filing_date" })
    }

    @Test func partAboveTotalIsRejected() {
        expectOnly(issues(base.setting("figures.0.sme_output_wan", to: 250001)), rule: "exceeds_total", path: "$.figures[0].sme_output_wan")
    }

    @Test func declaredIncidentOfAnOutsiderIsRejected() {
        let incident: JSONValue = ["enterprise_code": "91110000600037341L", "date": "2025-01-01", "category": "safety", "grade": "general"]
        expectOnly(issues(base.setting("incidents.0", to: incident)), rule: "unknown_enterprise", path: "$.incidents[0].enterprise_code")
    }

    @Test func everyErrorIsReportedAtOnce() {
        let filing = base.setting("figures.0.year", to: 2020).setting("cluster.area_km2", to: -1).setting("applicant.authority", to: nil)
        #expect(issues(filing).map(\.path) == ["$.applicant.authority", "$.cluster.area_km2", "$.figures[0].year"])
    }

    @Test func everyIssueCarriesAFixInBothLanguages() {
        for issue in issues(base.setting("figures.0.year", to: 2020).setting("kind", to: "other")) {
            #expect(!issue.fix.zh.isEmpty && !issue.fix.en.isEmpty && !issue.message.zh.isEmpty)
        }
    }
}
