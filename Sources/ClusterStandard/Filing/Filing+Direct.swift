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

// The same types read straight from the request's bytes (issue 16, third pass: `ByteDecodable`,
// no `JSONValue` tree): member for member what `init?(directly:)` above reads — non-optional
// members required, optional ones absent or null as nil, unknown ones skipped (parsed), the last
// of two equal names winning — and a miss at anything else, after which the module parses the
// line and decodes the general way (`ModuleSession`).

extension DirectReader {
    /// A date `YYYY-MM-DD`.
    @inline(__always)
    fileprivate mutating func date() throws(DirectDecodingMiss) -> CivilDate {
        guard let date = CivilDate(try string()) else { throw DirectDecodingMiss() }
        return date
    }

    /// A `RawRepresentable` enumeration's case by its string.
    @inline(__always)
    fileprivate mutating func word<T: RawRepresentable>(_: T.Type) throws(DirectDecodingMiss) -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw DirectDecodingMiss() }
        return value
    }

    /// Evidence items by criterion id.
    fileprivate mutating func evidence() throws(DirectDecodingMiss) -> [String: EvidenceItem] {
        var items: [String: EvidenceItem] = [:]
        try object { r, key throws(DirectDecodingMiss) in items[key] = try EvidenceItem(reading: &r) }
        return items
    }
}

extension Filing: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var f = Filing()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "format_version": f.formatVersion = try r.optional { r throws(DirectDecodingMiss) in try r.integer(Int.self) }
            case "kind": f.kind = try r.optional { r throws(DirectDecodingMiss) in try r.word(FilingKind.self) }
            case "filing_date": f.filingDate = try r.optional { r throws(DirectDecodingMiss) in try r.date() }
            case "supersedes": f.supersedes = try r.optional { r throws(DirectDecodingMiss) in try r.integer(Int64.self) }
            case "applicant": f.applicant = try r.optional { r throws(DirectDecodingMiss) in try r.read(Applicant.self) }
            case "cluster": f.cluster = try r.optional { r throws(DirectDecodingMiss) in try r.read(ClusterProfile.self) }
            case "figures": f.figures = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: YearFigures.self) }
            case "enterprises": f.enterprises = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: Enterprise.self) }
            case "competitiveness": f.competitiveness = try r.optional { r throws(DirectDecodingMiss) in try r.read(CompetitivenessSection.self) }
            case "tiering": f.tiering = try r.optional { r throws(DirectDecodingMiss) in try r.read(EvidenceSection.self) }
            case "supply_chain": f.supplyChain = try r.optional { r throws(DirectDecodingMiss) in try r.read(SupplyChainSection.self) }
            case "innovation": f.innovation = try r.optional { r throws(DirectDecodingMiss) in try r.read(InnovationSection.self) }
            case "digital": f.digital = try r.optional { r throws(DirectDecodingMiss) in try r.read(EvidenceSection.self) }
            case "green": f.green = try r.optional { r throws(DirectDecodingMiss) in try r.read(GreenSection.self) }
            case "openness": f.openness = try r.optional { r throws(DirectDecodingMiss) in try r.read(OpennessSection.self) }
            case "governance": f.governance = try r.optional { r throws(DirectDecodingMiss) in try r.read(GovernanceSection.self) }
            case "incidents": f.incidents = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: Incident.self) }
            case "plan_report": f.planReport = try r.optional { r throws(DirectDecodingMiss) in try r.read(PlanReport.self) }
            case "annual_report": f.annualReport = try r.optional { r throws(DirectDecodingMiss) in try r.read(AnnualReport.self) }
            case "change_report": f.changeReport = try r.optional { r throws(DirectDecodingMiss) in try r.read(ChangeReport.self) }
            case "documents": f.documents = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: Document.self) }
            default: try r.skip()
            }
        }
        self = f
    }
}

extension ReviewContext: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var incidents: [Incident]? = nil, planOnRecord: DevelopmentPlan? = nil
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "incidents": incidents = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: Incident.self) }
            case "plan_on_record": planOnRecord = try r.optional { r throws(DirectDecodingMiss) in try r.read(DevelopmentPlan.self) }
            default: try r.skip()
            }
        }
        self.init(incidents: incidents ?? [], planOnRecord: planOnRecord)
    }
}

extension Applicant: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var countyCode = "", authority = "", seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "county_code": countyCode = try r.string(); seen.insert(0)
            case "authority": authority = try r.string(); seen.insert(1)
            default: try r.skip()
            }
        }
        try seen.require(2)
        self.init(countyCode: countyCode, authority: authority)
    }
}

extension ClusterProfile: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var name = "", leadingIndustry = "", countyCodes: [String] = [], areaKm2 = Decimal(), managementBody: ManagementBody? = nil
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "name": name = try r.string(); seen.insert(0)
            case "leading_industry": leadingIndustry = try r.string(); seen.insert(1)
            case "county_codes": countyCodes = try r.strings(); seen.insert(2)
            case "area_km2": areaKm2 = try r.decimal(); seen.insert(3)
            case "management_body": managementBody = try r.optional { r throws(DirectDecodingMiss) in try r.read(ManagementBody.self) }
            default: try r.skip()
            }
        }
        try seen.require(4)
        self.init(name: name, leadingIndustry: leadingIndustry, countyCodes: countyCodes, areaKm2: areaKm2, managementBody: managementBody)
    }
}

extension ManagementBody: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var name = "", kind = "", establishedOn: CivilDate? = nil, evidence: EvidenceItem? = nil
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "name": name = try r.string(); seen.insert(0)
            case "kind": kind = try r.string(); seen.insert(1)
            case "established_on": establishedOn = try r.date(); seen.insert(2)
            case "evidence": evidence = try r.read(EvidenceItem.self); seen.insert(3)
            default: try r.skip()
            }
        }
        try seen.require(4)
        guard let establishedOn, let evidence else { throw DirectDecodingMiss() }
        self.init(name: name, kind: kind, establishedOn: establishedOn, evidence: evidence)
    }
}

extension YearFigures: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var year = 0, employees = 0, patents = 0
        var total = Decimal(), sme = Decimal(), leading = Decimal(), rd = Decimal(), exports = Decimal(), co2 = Decimal()
        var internet = Decimal(), software = Decimal()
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "year": year = try r.integer(Int.self); seen.insert(0)
            case "total_output_wan": total = try r.decimal(); seen.insert(1)
            case "sme_output_wan": sme = try r.decimal(); seen.insert(2)
            case "leading_industry_output_wan": leading = try r.decimal(); seen.insert(3)
            case "employees": employees = try r.integer(Int.self); seen.insert(4)
            case "sme_rd_expenditure_wan": rd = try r.decimal(); seen.insert(5)
            case "valid_invention_patents": patents = try r.integer(Int.self); seen.insert(6)
            case "exports_wan": exports = try r.decimal(); seen.insert(7)
            case "co2_intensity": co2 = try r.decimal(); seen.insert(8)
            case "industrial_internet_rate": internet = try r.decimal(); seen.insert(9)
            case "industrial_software_rate": software = try r.decimal(); seen.insert(10)
            default: try r.skip()
            }
        }
        try seen.require(11)
        self.init(
            year: year, totalOutputWan: total, smeOutputWan: sme, leadingIndustryOutputWan: leading, employees: employees,
            smeRdExpenditureWan: rd, validInventionPatents: patents, exportsWan: exports, co2Intensity: co2,
            industrialInternetRate: internet, industrialSoftwareRate: software)
    }
}

extension Enterprise: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var code = "", name = "", sme = false, leadingIndustry = false, designations: [Designation] = []
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "code": code = try r.string(); seen.insert(0)
            case "name": name = try r.string(); seen.insert(1)
            case "sme": sme = try r.bool(); seen.insert(2)
            case "leading_industry": leadingIndustry = try r.bool(); seen.insert(3)
            case "designations": designations = try r.list(of: Designation.self); seen.insert(4)
            default: try r.skip()
            }
        }
        try seen.require(5)
        self.init(code: code, name: name, sme: sme, leadingIndustry: leadingIndustry, designations: designations)
    }
}

extension Designation: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var kind: Designation.Kind? = nil, level = "", validUntil: CivilDate? = nil
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "kind": kind = try r.word(Designation.Kind.self); seen.insert(0)
            case "level": level = try r.string(); seen.insert(1)
            case "valid_until": validUntil = try r.optional { r throws(DirectDecodingMiss) in try r.date() }
            default: try r.skip()
            }
        }
        try seen.require(2)
        guard let kind else { throw DirectDecodingMiss() }
        self.init(kind: kind, level: level, validUntil: validUntil)
    }
}

extension EvidenceItem: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var statement: String? = nil, documents: [String] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "statement": statement = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
            case "documents": documents = try r.strings(); seen.insert(0)
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(statement: statement, documents: documents)
    }
}

extension EvidenceSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(evidence: evidence)
    }
}

extension CompetitivenessSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], growthWaiver: GrowthWaiver? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "growth_waiver": growthWaiver = try r.optional { r throws(DirectDecodingMiss) in try r.read(GrowthWaiver.self) }
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(evidence: evidence, growthWaiver: growthWaiver)
    }
}

extension GrowthWaiver: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var reason = "", documents: [String] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "reason": reason = try r.string(); seen.insert(0)
            case "documents": documents = try r.strings(); seen.insert(1)
            default: try r.skip()
            }
        }
        try seen.require(2)
        self.init(reason: reason, documents: documents)
    }
}

extension SupplyChainSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], sharing: [String] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "sharing": sharing = try r.strings(); seen.insert(1)
            default: try r.skip()
            }
        }
        try seen.require(2)
        self.init(evidence: evidence, sharing: sharing)
    }
}

extension DirectReader {
    /// An object of two required string members, `first` and `second`, as `make` builds it.
    fileprivate mutating func pair<T>(_ first: String, _ second: String, _ make: (String, String) -> T) throws(DirectDecodingMiss) -> T {
        var a = "", b = "", seen = SeenMembers()
        try object { r, key throws(DirectDecodingMiss) in
            if key == first {
                a = try r.string(); seen.insert(0)
            } else if key == second {
                b = try r.string(); seen.insert(1)
            } else {
                try r.skip()
            }
        }
        try seen.require(2)
        return make(a, b)
    }
}

extension InnovationSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], platforms: [Platform] = [], partners: [Partner] = [], standards: [Standard] = []
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "platforms":
                platforms = try r.list { r throws(DirectDecodingMiss) in try r.pair("name", "type") { Platform(name: $0, type: $1) } }
                seen.insert(1)
            case "partners":
                partners = try r.list { r throws(DirectDecodingMiss) in try r.pair("name", "kind") { Partner(name: $0, kind: $1) } }
                seen.insert(2)
            case "standards":
                standards = try r.list { r throws(DirectDecodingMiss) in try r.pair("code", "title") { Standard(code: $0, title: $1) } }
                seen.insert(3)
            default: try r.skip()
            }
        }
        try seen.require(4)
        self.init(evidence: evidence, platforms: platforms, partners: partners, standards: standards)
    }
}

extension GreenSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        func efficiency(_ r: inout DirectReader) throws(DirectDecodingMiss) -> Efficiency {
            var applicable = false, value: Decimal? = nil, benchmark: Decimal? = nil, direction: String? = nil, unit: String? = nil
            var seen = SeenMembers()
            try r.object { r, key throws(DirectDecodingMiss) in
                switch key {
                case "applicable": applicable = try r.bool(); seen.insert(0)
                case "value": value = try r.optional { r throws(DirectDecodingMiss) in try r.decimal() }
                case "benchmark": benchmark = try r.optional { r throws(DirectDecodingMiss) in try r.decimal() }
                case "direction": direction = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
                case "unit": unit = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
                default: try r.skip()
                }
            }
            try seen.require(1)
            return Efficiency(applicable: applicable, value: value, benchmark: benchmark, direction: direction, unit: unit)
        }
        var evidence: [String: EvidenceItem] = [:], energy: Efficiency? = nil, water: Efficiency? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "energy": energy = try r.optional(efficiency)
            case "water": water = try r.optional(efficiency)
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(evidence: evidence, energy: energy, water: water)
    }
}

extension OpennessSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], exchanges: [String] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "exchanges": exchanges = try r.strings(); seen.insert(1)
            default: try r.skip()
            }
        }
        try seen.require(2)
        self.init(evidence: evidence, exchanges: exchanges)
    }
}

extension GovernanceSection: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var evidence: [String: EvidenceItem] = [:], publicity: Publicity? = nil, plan: DevelopmentPlan? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "evidence": evidence = try r.evidence(); seen.insert(0)
            case "publicity":
                var inCluster = 0, reached = 0, inner = SeenMembers()
                try r.object { r, key throws(DirectDecodingMiss) in
                    switch key {
                    case "enterprises_in_cluster": inCluster = try r.integer(Int.self); inner.insert(0)
                    case "enterprises_reached": reached = try r.integer(Int.self); inner.insert(1)
                    default: try r.skip()
                    }
                }
                try inner.require(2)
                publicity = Publicity(enterprisesInCluster: inCluster, enterprisesReached: reached)
                seen.insert(1)
            case "plan": plan = try r.read(DevelopmentPlan.self); seen.insert(2)
            default: try r.skip()
            }
        }
        try seen.require(3)
        guard let publicity, let plan else { throw DirectDecodingMiss() }
        self.init(evidence: evidence, publicity: publicity, plan: plan)
    }
}

extension DevelopmentPlan: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var goals: [PlanGoal] = [], measures: [PlanMeasure] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "goals":
                goals = try r.list { r throws(DirectDecodingMiss) in
                    var id = "", metric: String? = nil, baseline: Decimal? = nil, target: Decimal? = nil, year: Int? = nil
                    var direction: String? = nil, unit: String? = nil, inner = SeenMembers()
                    try r.object { r, key throws(DirectDecodingMiss) in
                        switch key {
                        case "id": id = try r.string(); inner.insert(0)
                        case "metric": metric = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
                        case "baseline": baseline = try r.optional { r throws(DirectDecodingMiss) in try r.decimal() }
                        case "target": target = try r.optional { r throws(DirectDecodingMiss) in try r.decimal() }
                        case "year": year = try r.optional { r throws(DirectDecodingMiss) in try r.integer(Int.self) }
                        case "direction": direction = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
                        case "unit": unit = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
                        default: try r.skip()
                        }
                    }
                    try inner.require(1)
                    return PlanGoal(id: id, metric: metric, baseline: baseline, target: target, year: year, direction: direction, unit: unit)
                }
                seen.insert(0)
            case "measures":
                measures = try r.list { r throws(DirectDecodingMiss) in
                    try r.pair("area", "description") { PlanMeasure(area: $0, description: $1) }
                }
                seen.insert(1)
            default: try r.skip()
            }
        }
        try seen.require(2)
        self.init(goals: goals, measures: measures)
    }
}

extension Incident: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var enterpriseCode = "", date: CivilDate? = nil, category = "", grade: String? = nil, description: String? = nil
        var seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "enterprise_code": enterpriseCode = try r.string(); seen.insert(0)
            case "date": date = try r.date(); seen.insert(1)
            case "category": category = try r.string(); seen.insert(2)
            case "grade": grade = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
            case "description": description = try r.optional { r throws(DirectDecodingMiss) in try r.string() }
            default: try r.skip()
            }
        }
        try seen.require(3)
        guard let date else { throw DirectDecodingMiss() }
        self.init(enterpriseCode: enterpriseCode, date: date, category: category, grade: grade, description: description)
    }
}

extension PlanReport: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var achievements: [Achievement] = [], seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "achievements":
                achievements = try r.list { r throws(DirectDecodingMiss) in
                    var goalId = "", achieved = Decimal(), inner = SeenMembers()
                    try r.object { r, key throws(DirectDecodingMiss) in
                        switch key {
                        case "goal_id": goalId = try r.string(); inner.insert(0)
                        case "achieved": achieved = try r.decimal(); inner.insert(1)
                        default: try r.skip()
                        }
                    }
                    try inner.require(2)
                    return Achievement(goalId: goalId, achieved: achieved)
                }
                seen.insert(0)
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(achievements: achievements)
    }
}

extension AnnualReport: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var year = 0, progress: EvidenceItem? = nil, enterpriseChanges: [EnterpriseChange]? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "year": year = try r.integer(Int.self); seen.insert(0)
            case "progress": progress = try r.read(EvidenceItem.self); seen.insert(1)
            case "enterprise_changes": enterpriseChanges = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: EnterpriseChange.self) }
            default: try r.skip()
            }
        }
        try seen.require(2)
        guard let progress else { throw DirectDecodingMiss() }
        self.init(year: year, progress: progress, enterpriseChanges: enterpriseChanges)
    }
}

extension EnterpriseChange: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var code = "", name = "", change = "", effective: CivilDate? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "code": code = try r.string(); seen.insert(0)
            case "name": name = try r.string(); seen.insert(1)
            case "change": change = try r.string(); seen.insert(2)
            case "effective": effective = try r.date(); seen.insert(3)
            default: try r.skip()
            }
        }
        try seen.require(4)
        guard let effective else { throw DirectDecodingMiss() }
        self.init(code: code, name: name, change: change, effective: effective)
    }
}

extension ChangeReport: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var changes: [Change] = [], enterpriseChanges: [EnterpriseChange]? = nil, seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "changes":
                changes = try r.list { r throws(DirectDecodingMiss) in
                    var subject = "", before = "", after = "", effective: CivilDate? = nil, inner = SeenMembers()
                    try r.object { r, key throws(DirectDecodingMiss) in
                        switch key {
                        case "subject": subject = try r.string(); inner.insert(0)
                        case "before": before = try r.string(); inner.insert(1)
                        case "after": after = try r.string(); inner.insert(2)
                        case "effective": effective = try r.date(); inner.insert(3)
                        default: try r.skip()
                        }
                    }
                    try inner.require(4)
                    guard let effective else { throw DirectDecodingMiss() }
                    return Change(subject: subject, before: before, after: after, effective: effective)
                }
                seen.insert(0)
            case "enterprise_changes": enterpriseChanges = try r.optional { r throws(DirectDecodingMiss) in try r.list(of: EnterpriseChange.self) }
            default: try r.skip()
            }
        }
        try seen.require(1)
        self.init(changes: changes, enterpriseChanges: enterpriseChanges)
    }
}

extension Document: ByteDecodable {
    public init(reading r: inout DirectReader) throws(DirectDecodingMiss) {
        var id = "", title = "", sha256 = "", seen = SeenMembers()
        try r.object { r, key throws(DirectDecodingMiss) in
            switch key {
            case "id": id = try r.string(); seen.insert(0)
            case "title": title = try r.string(); seen.insert(1)
            case "sha256": sha256 = try r.string(); seen.insert(2)
            default: try r.skip()
            }
        }
        try seen.require(3)
        self.init(id: id, title: title, sha256: sha256)
    }
}
