import Foundation
import IndicatorKit
import TestSupport
import Testing
import ClusterStandard
import JSONCore

/// An annual report's figures (one row, the report's year) and enterprise changes (issue 15, item 2).
@Suite struct AnnualReportFiguresTests {
    let base = FilingTemplate.example(.annualReport)

    func issues(_ filing: JSONValue) -> [ValidationIssue] { FilingValidator.validate(filing.bytes) }

    func expectOnly(_ found: [ValidationIssue], rule: String, path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(found.map(\.rule) == [rule], "\(found)", sourceLocation: sourceLocation)
        #expect(found.map(\.path) == [path], "\(found)", sourceLocation: sourceLocation)
    }

    @Test func theTemplateCarriesTheYearsFiguresAndDecodes() throws {
        let filing = try FilingValidator.decode(base.bytes).get()
        #expect(filing.figures?.map(\.year) == [2025])
        #expect(filing.annualReport?.enterpriseChanges?.map(\.change) == ["joined"])
    }

    @Test func anAnnualReportWithoutFiguresIsRefused() {
        expectOnly(issues(base.setting("figures", to: nil)), rule: "required", path: "$.figures")
    }

    @Test func aMalformedFigureIsRefusedAtItsPath() {
        let found = issues(base.setting("figures.0.total_output_wan", to: "三十一万"))
        expectOnly(found, rule: "type", path: "$.figures[0].total_output_wan")
        #expect(found.first?.message.zh.isEmpty == false && found.first?.message.en.isEmpty == false)
    }

    @Test func anAnnualReportGivesOneRowNotThree() {
        let three = FilingTemplate.example(.initial)["figures"]!
        expectOnly(issues(base.setting("figures", to: three)), rule: "count", path: "$.figures")
    }

    @Test func theRowIsForTheReportsYear() {
        expectOnly(issues(base.setting("figures.0.year", to: 2024)), rule: "year_sequence", path: "$.figures[0].year")
    }

    @Test func smeOutputAboveTheTotalIsRefused() {
        expectOnly(issues(base.setting("figures.0.sme_output_wan", to: .dec("400000"))), rule: "exceeds_total",
                   path: "$.figures[0].sme_output_wan")
    }

    @Test func aJoinedEnterpriseMustBeInTheList() {
        expectOnly(issues(base.setting("annual_report.enterprise_changes.0.code", to: "91110000600037341L")),
                   rule: "unknown_enterprise", path: "$.annual_report.enterprise_changes[0].code")
    }

    @Test func anEnterpriseThatLeftMustNotBeInTheList() {
        expectOnly(issues(base.setting("annual_report.enterprise_changes.0.change", to: "left")),
                   rule: "still_listed", path: "$.annual_report.enterprise_changes[0].code")
    }

    @Test func aChangeAfterTheFilingDateIsRefused() {
        expectOnly(issues(base.setting("annual_report.enterprise_changes.0.effective", to: "2026-04-01")),
                   rule: "after_filing_date", path: "$.annual_report.enterprise_changes[0].effective")
    }

    @Test func anEnterpriseChangeWithABadCodeIsRefused() {
        expectOnly(issues(base.setting("annual_report.enterprise_changes.0.code", to: "91460405MA5T00006X")),
                   rule: "uscc", path: "$.annual_report.enterprise_changes[0].code")
    }

    @Test func aChangeReportMayStateEnterpriseChanges() {
        let report = FilingTemplate.example(.changeReport).setting(
            "change_report.enterprise_changes",
            to: [["code": "91460405MA5T00006U", "name": "洋浦石化装备制造有限公司", "change": "joined", "effective": "2026-01-10"]])
        #expect(issues(report) == [])
    }
}
