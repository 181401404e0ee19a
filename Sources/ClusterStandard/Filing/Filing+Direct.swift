import Foundation
import IndicatorKit
import JSONCore

// The filing's types decoded by hand from the parsed value (issue 16, `DirectlyDecodable`): the
// member names and kinds of each type's `CodingKeys`, non-optional members required, optional
// ones absent or null as nil, unknown members ignored — as the synthesized `Decodable` reads
// them. Anything else is a miss, and `JSONValueDecoder` decodes the value the general way, with
// its errors.

/// Runs a hand-written decoding; nil at its first miss.
@inline(__always)
private func attempt<T>(_ body: () throws(DirectDecodingMiss) -> T) -> T? {
    do { return try body() } catch { return nil }
}

extension JSONValue {
    /// A date `YYYY-MM-DD`.
    @inline(__always)
    fileprivate func directDate() throws(DirectDecodingMiss) -> CivilDate {
        guard case .string(let text) = self, let date = CivilDate(text) else { throw DirectDecodingMiss() }
        return date
    }

    /// An array of strings.
    @inline(__always)
    fileprivate func directStrings() throws(DirectDecodingMiss) -> [String] {
        try directArray { item throws(DirectDecodingMiss) in try item.directString() }
    }

    /// An array of a hand-decoded type.
    @inline(__always)
    fileprivate func directList<T: DirectlyDecodable>(_: T.Type) throws(DirectDecodingMiss) -> [T] {
        try directArray { item throws(DirectDecodingMiss) in try item.direct(T.self) }
    }

    /// Evidence items by criterion id.
    @inline(__always)
    fileprivate func directEvidence() throws(DirectDecodingMiss) -> [String: EvidenceItem] {
        try directDictionary { item throws(DirectDecodingMiss) in try item.direct(EvidenceItem.self) }
    }
}

extension Filing: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let filing = attempt({ () throws(DirectDecodingMiss) -> Filing in
            let m = try value.directObject()
            var f = Filing()
            f.formatVersion = try m.optional("format_version") { v throws(DirectDecodingMiss) in try v.directInteger(Int.self) }
            f.kind = try m.optional("kind") { v throws(DirectDecodingMiss) in try v.directCase(FilingKind.self) }
            f.filingDate = try m.optional("filing_date") { v throws(DirectDecodingMiss) in try v.directDate() }
            f.supersedes = try m.optional("supersedes") { v throws(DirectDecodingMiss) in try v.directInteger(Int64.self) }
            f.applicant = try m.optional("applicant") { v throws(DirectDecodingMiss) in try v.direct(Applicant.self) }
            f.cluster = try m.optional("cluster") { v throws(DirectDecodingMiss) in try v.direct(ClusterProfile.self) }
            f.figures = try m.optional("figures") { v throws(DirectDecodingMiss) in try v.directList(YearFigures.self) }
            f.enterprises = try m.optional("enterprises") { v throws(DirectDecodingMiss) in try v.directList(Enterprise.self) }
            f.competitiveness = try m.optional("competitiveness") { v throws(DirectDecodingMiss) in try v.direct(CompetitivenessSection.self) }
            f.tiering = try m.optional("tiering") { v throws(DirectDecodingMiss) in try v.direct(EvidenceSection.self) }
            f.supplyChain = try m.optional("supply_chain") { v throws(DirectDecodingMiss) in try v.direct(SupplyChainSection.self) }
            f.innovation = try m.optional("innovation") { v throws(DirectDecodingMiss) in try v.direct(InnovationSection.self) }
            f.digital = try m.optional("digital") { v throws(DirectDecodingMiss) in try v.direct(EvidenceSection.self) }
            f.green = try m.optional("green") { v throws(DirectDecodingMiss) in try v.direct(GreenSection.self) }
            f.openness = try m.optional("openness") { v throws(DirectDecodingMiss) in try v.direct(OpennessSection.self) }
            f.governance = try m.optional("governance") { v throws(DirectDecodingMiss) in try v.direct(GovernanceSection.self) }
            f.incidents = try m.optional("incidents") { v throws(DirectDecodingMiss) in try v.directList(Incident.self) }
            f.planReport = try m.optional("plan_report") { v throws(DirectDecodingMiss) in try v.direct(PlanReport.self) }
            f.annualReport = try m.optional("annual_report") { v throws(DirectDecodingMiss) in try v.direct(AnnualReport.self) }
            f.changeReport = try m.optional("change_report") { v throws(DirectDecodingMiss) in try v.direct(ChangeReport.self) }
            f.documents = try m.optional("documents") { v throws(DirectDecodingMiss) in try v.directList(Document.self) }
            return f
        }) else { return nil }
        self = filing
    }
}

extension ReviewContext: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let context = attempt({ () throws(DirectDecodingMiss) -> ReviewContext in
            let m = try value.directObject()
            return ReviewContext(
                incidents: try m.optional("incidents") { v throws(DirectDecodingMiss) in try v.directList(Incident.self) } ?? [],
                planOnRecord: try m.optional("plan_on_record") { v throws(DirectDecodingMiss) in try v.direct(DevelopmentPlan.self) })
        }) else { return nil }
        self = context
    }
}

extension Applicant: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let m = try? value.directObject(),
            let countyCode = try? m.required("county_code").directString(),
            let authority = try? m.required("authority").directString()
        else { return nil }
        self.init(countyCode: countyCode, authority: authority)
    }
}

extension ClusterProfile: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let profile = attempt({ () throws(DirectDecodingMiss) -> ClusterProfile in
            let m = try value.directObject()
            return ClusterProfile(
                name: try m.required("name").directString(),
                leadingIndustry: try m.required("leading_industry").directString(),
                countyCodes: try m.required("county_codes").directStrings(),
                areaKm2: try m.required("area_km2").directDecimal(),
                managementBody: try m.optional("management_body") { v throws(DirectDecodingMiss) in try v.direct(ManagementBody.self) })
        }) else { return nil }
        self = profile
    }
}

extension ManagementBody: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let body = attempt({ () throws(DirectDecodingMiss) -> ManagementBody in
            let m = try value.directObject()
            return ManagementBody(
                name: try m.required("name").directString(), kind: try m.required("kind").directString(),
                establishedOn: try m.required("established_on").directDate(),
                evidence: try m.required("evidence").direct(EvidenceItem.self))
        }) else { return nil }
        self = body
    }
}

extension YearFigures: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let figures = attempt({ () throws(DirectDecodingMiss) -> YearFigures in
            let m = try value.directObject()
            return YearFigures(
                year: try m.required("year").directInteger(Int.self),
                totalOutputWan: try m.required("total_output_wan").directDecimal(),
                smeOutputWan: try m.required("sme_output_wan").directDecimal(),
                leadingIndustryOutputWan: try m.required("leading_industry_output_wan").directDecimal(),
                employees: try m.required("employees").directInteger(Int.self),
                smeRdExpenditureWan: try m.required("sme_rd_expenditure_wan").directDecimal(),
                validInventionPatents: try m.required("valid_invention_patents").directInteger(Int.self),
                exportsWan: try m.required("exports_wan").directDecimal(),
                co2Intensity: try m.required("co2_intensity").directDecimal(),
                industrialInternetRate: try m.required("industrial_internet_rate").directDecimal(),
                industrialSoftwareRate: try m.required("industrial_software_rate").directDecimal())
        }) else { return nil }
        self = figures
    }
}

extension Enterprise: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let enterprise = attempt({ () throws(DirectDecodingMiss) -> Enterprise in
            let m = try value.directObject()
            return Enterprise(
                code: try m.required("code").directString(), name: try m.required("name").directString(),
                sme: try m.required("sme").directBool(), leadingIndustry: try m.required("leading_industry").directBool(),
                designations: try m.required("designations").directList(Designation.self))
        }) else { return nil }
        self = enterprise
    }
}

extension Designation: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let designation = attempt({ () throws(DirectDecodingMiss) -> Designation in
            let m = try value.directObject()
            return Designation(
                kind: try m.required("kind").directCase(Designation.Kind.self), level: try m.required("level").directString(),
                validUntil: try m.optional("valid_until") { v throws(DirectDecodingMiss) in try v.directDate() })
        }) else { return nil }
        self = designation
    }
}

extension EvidenceItem: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let item = attempt({ () throws(DirectDecodingMiss) -> EvidenceItem in
            let m = try value.directObject()
            return EvidenceItem(
                statement: try m.optional("statement") { v throws(DirectDecodingMiss) in try v.directString() },
                documents: try m.required("documents").directStrings())
        }) else { return nil }
        self = item
    }
}

extension EvidenceSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> EvidenceSection in
            EvidenceSection(evidence: try value.directObject().required("evidence").directEvidence())
        }) else { return nil }
        self = section
    }
}

extension CompetitivenessSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> CompetitivenessSection in
            let m = try value.directObject()
            return CompetitivenessSection(
                evidence: try m.required("evidence").directEvidence(),
                growthWaiver: try m.optional("growth_waiver") { v throws(DirectDecodingMiss) in try v.direct(GrowthWaiver.self) })
        }) else { return nil }
        self = section
    }
}

extension GrowthWaiver: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let waiver = attempt({ () throws(DirectDecodingMiss) -> GrowthWaiver in
            let m = try value.directObject()
            return GrowthWaiver(reason: try m.required("reason").directString(), documents: try m.required("documents").directStrings())
        }) else { return nil }
        self = waiver
    }
}

extension SupplyChainSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> SupplyChainSection in
            let m = try value.directObject()
            return SupplyChainSection(evidence: try m.required("evidence").directEvidence(), sharing: try m.required("sharing").directStrings())
        }) else { return nil }
        self = section
    }
}

extension InnovationSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> InnovationSection in
            let m = try value.directObject()
            return InnovationSection(
                evidence: try m.required("evidence").directEvidence(),
                platforms: try m.required("platforms").directArray { v throws(DirectDecodingMiss) in
                    let p = try v.directObject()
                    return Platform(name: try p.required("name").directString(), type: try p.required("type").directString())
                },
                partners: try m.required("partners").directArray { v throws(DirectDecodingMiss) in
                    let p = try v.directObject()
                    return Partner(name: try p.required("name").directString(), kind: try p.required("kind").directString())
                },
                standards: try m.required("standards").directArray { v throws(DirectDecodingMiss) in
                    let s = try v.directObject()
                    return Standard(code: try s.required("code").directString(), title: try s.required("title").directString())
                })
        }) else { return nil }
        self = section
    }
}

extension GreenSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> GreenSection in
            let m = try value.directObject()
            func efficiency(_ v: JSONValue) throws(DirectDecodingMiss) -> Efficiency {
                let e = try v.directObject()
                return Efficiency(
                    applicable: try e.required("applicable").directBool(),
                    value: try e.optional("value") { v throws(DirectDecodingMiss) in try v.directDecimal() },
                    benchmark: try e.optional("benchmark") { v throws(DirectDecodingMiss) in try v.directDecimal() },
                    direction: try e.optional("direction") { v throws(DirectDecodingMiss) in try v.directString() },
                    unit: try e.optional("unit") { v throws(DirectDecodingMiss) in try v.directString() })
            }
            return GreenSection(
                evidence: try m.required("evidence").directEvidence(),
                energy: try m.optional("energy", efficiency), water: try m.optional("water", efficiency))
        }) else { return nil }
        self = section
    }
}

extension OpennessSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> OpennessSection in
            let m = try value.directObject()
            return OpennessSection(evidence: try m.required("evidence").directEvidence(), exchanges: try m.required("exchanges").directStrings())
        }) else { return nil }
        self = section
    }
}

extension GovernanceSection: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let section = attempt({ () throws(DirectDecodingMiss) -> GovernanceSection in
            let m = try value.directObject()
            let evidence = try m.required("evidence").directEvidence()
            let p = try m.required("publicity").directObject()
            let publicity = Publicity(
                enterprisesInCluster: try p.required("enterprises_in_cluster").directInteger(Int.self),
                enterprisesReached: try p.required("enterprises_reached").directInteger(Int.self))
            return GovernanceSection(evidence: evidence, publicity: publicity, plan: try m.required("plan").direct(DevelopmentPlan.self))
        }) else { return nil }
        self = section
    }
}

extension DevelopmentPlan: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let plan = attempt({ () throws(DirectDecodingMiss) -> DevelopmentPlan in
            let m = try value.directObject()
            return DevelopmentPlan(
                goals: try m.required("goals").directArray { v throws(DirectDecodingMiss) in
                    let g = try v.directObject()
                    return PlanGoal(
                        id: try g.required("id").directString(),
                        metric: try g.optional("metric") { v throws(DirectDecodingMiss) in try v.directString() },
                        baseline: try g.optional("baseline") { v throws(DirectDecodingMiss) in try v.directDecimal() },
                        target: try g.optional("target") { v throws(DirectDecodingMiss) in try v.directDecimal() },
                        year: try g.optional("year") { v throws(DirectDecodingMiss) in try v.directInteger(Int.self) },
                        direction: try g.optional("direction") { v throws(DirectDecodingMiss) in try v.directString() },
                        unit: try g.optional("unit") { v throws(DirectDecodingMiss) in try v.directString() })
                },
                measures: try m.required("measures").directArray { v throws(DirectDecodingMiss) in
                    let p = try v.directObject()
                    return PlanMeasure(area: try p.required("area").directString(), description: try p.required("description").directString())
                })
        }) else { return nil }
        self = plan
    }
}

extension Incident: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let incident = attempt({ () throws(DirectDecodingMiss) -> Incident in
            let m = try value.directObject()
            return Incident(
                enterpriseCode: try m.required("enterprise_code").directString(), date: try m.required("date").directDate(),
                category: try m.required("category").directString(),
                grade: try m.optional("grade") { v throws(DirectDecodingMiss) in try v.directString() },
                description: try m.optional("description") { v throws(DirectDecodingMiss) in try v.directString() })
        }) else { return nil }
        self = incident
    }
}

extension PlanReport: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let report = attempt({ () throws(DirectDecodingMiss) -> PlanReport in
            PlanReport(achievements: try value.directObject().required("achievements").directArray { v throws(DirectDecodingMiss) in
                let a = try v.directObject()
                return Achievement(goalId: try a.required("goal_id").directString(), achieved: try a.required("achieved").directDecimal())
            })
        }) else { return nil }
        self = report
    }
}

extension AnnualReport: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let report = attempt({ () throws(DirectDecodingMiss) -> AnnualReport in
            let m = try value.directObject()
            return AnnualReport(
                year: try m.required("year").directInteger(Int.self), progress: try m.required("progress").direct(EvidenceItem.self),
                enterpriseChanges: try m.optional("enterprise_changes") { v throws(DirectDecodingMiss) in try v.directList(EnterpriseChange.self) })
        }) else { return nil }
        self = report
    }
}

extension EnterpriseChange: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let change = attempt({ () throws(DirectDecodingMiss) -> EnterpriseChange in
            let m = try value.directObject()
            return EnterpriseChange(
                code: try m.required("code").directString(), name: try m.required("name").directString(),
                change: try m.required("change").directString(), effective: try m.required("effective").directDate())
        }) else { return nil }
        self = change
    }
}

extension ChangeReport: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let report = attempt({ () throws(DirectDecodingMiss) -> ChangeReport in
            let m = try value.directObject()
            return ChangeReport(
                changes: try m.required("changes").directArray { v throws(DirectDecodingMiss) in
                    let c = try v.directObject()
                    return Change(
                        subject: try c.required("subject").directString(), before: try c.required("before").directString(),
                        after: try c.required("after").directString(), effective: try c.required("effective").directDate())
                },
                enterpriseChanges: try m.optional("enterprise_changes") { v throws(DirectDecodingMiss) in try v.directList(EnterpriseChange.self) })
        }) else { return nil }
        self = report
    }
}

extension Document: DirectlyDecodable {
    public init?(directly value: JSONValue) {
        guard let document = attempt({ () throws(DirectDecodingMiss) -> Document in
            let m = try value.directObject()
            return Document(id: try m.required("id").directString(), title: try m.required("title").directString(),
                            sha256: try m.required("sha256").directString())
        }) else { return nil }
        self = document
    }
}
