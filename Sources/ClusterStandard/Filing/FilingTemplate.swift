import Foundation
import IndicatorKit
import JSONCore

/// Complete, valid example filings, one per kind: what `cluster-review template KIND` prints and
/// what tests start from. The example is a 儋州 (460400) petrochemical new-materials cluster filed on
/// 2026-03-15, so its three years are 2023, 2024, 2025.
public enum FilingTemplate {
    /// A complete filing of `kind` that passes validation.
    public static func example(_ kind: FilingKind) -> JSONValue {
        var root: [String: JSONValue] = [
            "format_version": 1,
            "kind": .string(kind.rawValue),
            "filing_date": "2026-03-15",
            "applicant": ["county_code": "460400", "authority": "儋州市工业和信息化局"],
            "cluster": [
                "name": "洋浦石化新材料产业集群", "leading_industry": "石化新材料",
                "county_codes": ["460400"], "area_km2": number("69.5"),
                // A change report states the body after the change (see its change below).
                "management_body": kind == .changeReport
                    ? ["name": "洋浦经济开发区新材料产业促进中心", "kind": "promotion_organization", "established_on": "2025-12-15",
                       "evidence": ["statement": "促进中心承接原管委会的集群运营管理职能", "documents": ["d3"]]]
                    : ["name": "洋浦新材料产业园管委会", "kind": "management_committee", "established_on": "2019-06-01",
                       "evidence": ["statement": "管委会负责集群的运营管理与企业服务", "documents": ["d3"]]],
            ],
            "enterprises": [
                enterprise("91460400MA5T000014", "洋浦新材料科技有限公司", sme: true, leading: true,
                           [["kind": "little_giant", "level": "national", "valid_until": "2027-06-30"]]),
                enterprise("91460401MA5T00002M", "洋浦聚酯薄膜有限公司", sme: true, leading: true,
                           [["kind": "specialized", "level": "provincial", "valid_until": "2026-12-31"]]),
                enterprise("91460402MA5T000037", "儋州精细化工有限公司", sme: true, leading: true,
                           [["kind": "high_tech", "level": "national", "valid_until": "2027-11-30"]]),
                enterprise("91460403MA5T00004Q", "洋浦港口物流有限公司", sme: true, leading: false,
                           [["kind": "innovative", "level": "provincial", "valid_until": .null]]),
                enterprise("91460404MA5T00005A", "海南新型包装材料有限公司", sme: true, leading: true,
                           [["kind": "specialized", "level": "provincial", "valid_until": "2028-03-31"]]),
                enterprise("91460405MA5T00006U", "洋浦石化装备制造有限公司", sme: false, leading: true, []),
            ],
            "incidents": [],
            "documents": [
                ["id": "d1", "title": "集群发展情况报告", "sha256": .string(String(repeating: "a1", count: 32))],
                ["id": "d2", "title": "统计部门出具的产值证明", "sha256": .string(String(repeating: "b2", count: 32))],
                ["id": "d3", "title": "集群管理机构设立文件", "sha256": .string(String(repeating: "c3", count: 32))],
            ],
        ]
        switch kind {
        case .initial, .recertification:
            root["figures"] = [
                year(2023, total: "250000", sme: "170000", leading: "180000", employees: 20000, rd: "5000", patents: 100,
                     exports: "20000", co2: "1.20", internet: "0.30", software: "0.40"),
                year(2024, total: "280000", sme: "190000", leading: "200000", employees: 21000, rd: "5600", patents: 115,
                     exports: "23000", co2: "1.10", internet: "0.35", software: "0.45"),
                year(2025, total: "310000", sme: "210000", leading: "220000", employees: 22000, rd: "6200", patents: 130,
                     exports: "26000", co2: "1.00", internet: "0.40", software: "0.50"),
            ]
            root["competitiveness"] = ["evidence": evidence(["COMP-1", "COMP-2", "COMP-3", "COMP-4"])]
            root["tiering"] = ["evidence": evidence(["TIER-2"])]
            root["supply_chain"] = ["evidence": evidence(["SUPP-1", "SUPP-2", "SUPP-3", "SUPP-4"]),
                                    "sharing": .array(FilingSchema.sharingKinds.map { .string($0) })]
            root["innovation"] = [
                "evidence": evidence(["INNO-2", "INNO-3", "INNO-4", "INNO-5"]),
                "platforms": [["name": "洋浦石化新材料中试基地", "type": "pilot_base"], ["name": "海南省新材料工程技术研究中心", "type": "engineering_center"]],
                "partners": [["name": "中国石化海南炼油化工有限公司", "kind": "large_enterprise"], ["name": "海南大学", "kind": "university"],
                             ["name": "中国热带农业科学院", "kind": "research_institute"]],
                "standards": [["code": "T/HNSH 001-2024", "title": "聚酯薄膜团体标准"]],
            ]
            root["digital"] = ["evidence": evidence(["DIGI-1", "DIGI-2", "DIGI-3", "DIGI-5", "DIGI-6"])]
            root["green"] = ["evidence": evidence(["GREE-1", "GREE-3"]),
                             "energy": ["applicable": true, "value": number("0.52"), "benchmark": number("0.60"),
                                        "direction": "lower_is_better", "unit": "吨标准煤/万元"],
                             "water": ["applicable": false]]
            root["openness"] = ["evidence": evidence(["OPEN-1", "OPEN-2", "OPEN-3"]), "exchanges": ["technology", "talent"]]
            root["governance"] = [
                "evidence": evidence(["GOVE-1", "GOVE-2", "GOVE-4"]),
                "publicity": ["enterprises_in_cluster": 6, "enterprises_reached": 6],
                "plan": ["goals": [
                    ["id": "g1", "metric": "集群总产值", "baseline": 310000, "target": 380000, "year": 2028, "direction": "increase", "unit": "万元"],
                    ["id": "g2", "metric": "有效发明专利", "baseline": 130, "target": 170, "year": 2028, "direction": "increase", "unit": "件"],
                    ["id": "g3", "metric": "二氧化碳排放强度", "baseline": 1, "target": number("0.85"), "year": 2027, "direction": "decrease", "unit": "吨/万元"],
                ], "measures": .array(FilingSchema.planAreas.map { ["area": .string($0), "description": .string("围绕\($0)的年度工作措施")] })],
            ]
            if kind == .recertification {
                root["plan_report"] = ["achievements": [["goal_id": "g1", "achieved": 320000], ["goal_id": "g2", "achieved": 140],
                                                        ["goal_id": "g3", "achieved": number("0.98")]]]
            }
        case .annualReport:
            // The year's figures (one row; the two years before come from the register) and the
            // year's enterprise changes.
            root["figures"] = [
                year(2025, total: "310000", sme: "210000", leading: "220000", employees: 22000, rd: "6200", patents: 130,
                     exports: "26000", co2: "1.00", internet: "0.40", software: "0.50"),
            ]
            root["annual_report"] = [
                "year": 2025, "progress": ["statement": "2025 年规划执行与目标进展情况", "documents": ["d1"]],
                "enterprise_changes": [["code": "91460405MA5T00006U", "name": "洋浦石化装备制造有限公司", "change": "joined",
                                        "effective": "2025-07-01"]],
            ]
        case .changeReport:
            root["change_report"] = ["changes": [["subject": "management_body", "before": "洋浦新材料产业园管委会",
                                                  "after": "洋浦经济开发区新材料产业促进中心", "effective": "2026-01-01"]]]
        }
        return .object(root)
    }

    /// The plan on record that the recertification example reports against.
    public static let planOnRecord: JSONValue = [
        "goals": [
            ["id": "g1", "metric": "集群总产值", "baseline": 250000, "target": 300000, "year": 2025, "direction": "increase"],
            ["id": "g2", "metric": "有效发明专利", "baseline": 100, "target": 130, "year": 2025, "direction": "increase"],
            ["id": "g3", "metric": "二氧化碳排放强度", "baseline": number("1.2"), "target": 1, "year": 2025, "direction": "decrease"],
        ],
        "measures": [],
    ]

    static func number(_ text: String) -> JSONValue { .number(Decimal(string: text, locale: nil)!) }

    static func enterprise(_ code: String, _ name: String, sme: Bool, leading: Bool, _ designations: [JSONValue]) -> JSONValue {
        ["code": .string(code), "name": .string(name), "sme": .bool(sme), "leading_industry": .bool(leading), "designations": .array(designations)]
    }

    static func evidence(_ ids: [String]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: ids.map { ($0, ["statement": .string("\($0) 的情况说明"), "documents": ["d1"]] as JSONValue) }))
    }

    static func year(
        _ y: Int, total: String, sme: String, leading: String, employees: Int, rd: String, patents: Int, exports: String,
        co2: String, internet: String, software: String
    ) -> JSONValue {
        ["year": .number(Decimal(y)), "total_output_wan": number(total), "sme_output_wan": number(sme),
         "leading_industry_output_wan": number(leading), "employees": .number(Decimal(employees)), "sme_rd_expenditure_wan": number(rd),
         "valid_invention_patents": .number(Decimal(patents)), "exports_wan": number(exports), "co2_intensity": number(co2),
         "industrial_internet_rate": number(internet), "industrial_software_rate": number(software)]
    }
}
