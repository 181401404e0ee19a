import Foundation
import IndicatorKit
import JSONCore

/// A county's filing (format version 1), as decoded after `FilingValidator` has accepted it.
///
/// Every top-level section is optional in this type because a module receives only the members it
/// declares in `reads`; validation, not this type, says which sections each kind must carry
/// (docs/filing-format.md). Money is in 万元, exact `Decimal`.
public struct Filing: Sendable, Hashable, Codable {
    /// The format version; 1.
    public var formatVersion: Int?
    /// initial, recertification, annual_report or change_report.
    public var kind: FilingKind?
    /// The date the county files; the three years are the three calendar years before it.
    public var filingDate: CivilDate?
    /// The id of the county's returned filing this one corrects (`decide return`), or nil.
    public var supersedes: Int64?
    /// The filer (ELIG-1).
    public var applicant: Applicant?
    /// What the cluster is and where (ELIG-1, COMP-5).
    public var cluster: ClusterProfile?
    /// Three rows, one per year Y−3, Y−2, Y−1, in that order.
    public var figures: [YearFigures]?
    /// The cluster's enterprises (TIER-1, and the veto rules' matching by code).
    public var enterprises: [Enterprise]?
    /// Evidence for COMP-1..4 and the COMP-9 waiver claim.
    public var competitiveness: CompetitivenessSection?
    /// Evidence for TIER-2.
    public var tiering: EvidenceSection?
    /// Sharing mechanisms and evidence for SUPP-1..4.
    public var supplyChain: SupplyChainSection?
    /// Platforms, partners, standards and evidence for INNO-2..5.
    public var innovation: InnovationSection?
    /// Evidence for DIGI-1,2,3,5,6.
    public var digital: EvidenceSection?
    /// Efficiency figures and evidence for GREE-1,3,4,5.
    public var green: GreenSection?
    /// Exchange kinds and evidence for OPEN-1..3.
    public var openness: OpennessSection?
    /// Management body, publicity counts, the three-year plan (GOVE-1..4).
    public var governance: GovernanceSection?
    /// Incidents the county declares (VETO-1..3).
    public var incidents: [Incident]?
    /// Achieved values of the plan on record (recertification, PLAN-1).
    public var planReport: PlanReport?
    /// The annual information form (annual_report).
    public var annualReport: AnnualReport?
    /// The reported major changes (change_report).
    public var changeReport: ChangeReport?
    /// Every document referenced anywhere, with its SHA-256.
    public var documents: [Document]?

    /// An empty filing; every section nil.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", kind, filingDate = "filing_date", supersedes, applicant, cluster, figures
        case enterprises, competitiveness, tiering, supplyChain = "supply_chain", innovation, digital, green
        case openness, governance, incidents, planReport = "plan_report", annualReport = "annual_report"
        case changeReport = "change_report", documents
    }

    /// The top-level member names of the format, in document order.
    public static let sectionNames: [String] = [
        "format_version", "kind", "filing_date", "supersedes", "applicant", "cluster", "figures", "enterprises",
        "competitiveness", "tiering", "supply_chain", "innovation", "digital", "green", "openness",
        "governance", "incidents", "plan_report", "annual_report", "change_report", "documents",
    ]
}

/// The filer: a county-level SME authority.
public struct Applicant: Sendable, Hashable, Codable {
    /// GB/T 2260 code of the county-level division.
    public var countyCode: String
    /// The authority's name, e.g. 儋州市工业和信息化局.
    public var authority: String
    enum CodingKeys: String, CodingKey { case countyCode = "county_code", authority }
}

/// The cluster as a place and an industry.
public struct ClusterProfile: Sendable, Hashable, Codable {
    /// The cluster's name.
    public var name: String
    /// The leading industry (主导产业).
    public var leadingIndustry: String
    /// Every county-level division the cluster lies in; ELIG-1 wants exactly the applicant's.
    public var countyCodes: [String]
    /// Area in km² (COMP-5).
    public var areaKm2: Decimal
    /// The operating management body (Standard 八 设立管委会等运营管理机构); the register records it,
    /// and its change unreported is an Art. 14(4) ground. Optional in format version 1.
    public var managementBody: ManagementBody?
    enum CodingKeys: String, CodingKey {
        case name, leadingIndustry = "leading_industry", countyCodes = "county_codes", areaKm2 = "area_km2"
        case managementBody = "management_body"
    }
}

/// The cluster's operating management body (运营管理机构).
public struct ManagementBody: Sendable, Hashable, Codable {
    /// Its name, as its founding document names it.
    public var name: String
    /// One of `FilingSchema.managementBodyKinds`.
    public var kind: String
    /// The day it was set up; not after the filing date.
    public var establishedOn: CivilDate
    /// A statement and its founding document.
    public var evidence: EvidenceItem
    enum CodingKeys: String, CodingKey { case name, kind, establishedOn = "established_on", evidence }
}

/// One year's figures for the whole cluster. Money in 万元, rates as fractions (0.35 = 35 %).
public struct YearFigures: Sendable, Hashable, Codable {
    /// The calendar year.
    public var year: Int
    /// Total output (集群总产值).
    public var totalOutputWan: Decimal
    /// Output of the SMEs (中小企业产值).
    public var smeOutputWan: Decimal
    /// Output of the leading industry (主导产业产值).
    public var leadingIndustryOutputWan: Decimal
    /// Employees at year end, a positive whole number.
    public var employees: Int
    /// The SMEs' R&D expenditure (中小企业研发经费).
    public var smeRdExpenditureWan: Decimal
    /// Valid invention patents held at year end (有效发明专利).
    public var validInventionPatents: Int
    /// Exports of products and services.
    public var exportsWan: Decimal
    /// CO2 emission intensity (tonnes per 万元 of output).
    public var co2Intensity: Decimal
    /// Industrial-internet-platform adoption rate, 0…1.
    public var industrialInternetRate: Decimal
    /// Industrial-software application rate, 0…1.
    public var industrialSoftwareRate: Decimal

    enum CodingKeys: String, CodingKey {
        case year, totalOutputWan = "total_output_wan", smeOutputWan = "sme_output_wan"
        case leadingIndustryOutputWan = "leading_industry_output_wan", employees
        case smeRdExpenditureWan = "sme_rd_expenditure_wan", validInventionPatents = "valid_invention_patents"
        case exportsWan = "exports_wan", co2Intensity = "co2_intensity"
        case industrialInternetRate = "industrial_internet_rate", industrialSoftwareRate = "industrial_software_rate"
    }
}

/// An enterprise of the cluster.
public struct Enterprise: Sendable, Hashable, Codable {
    /// Unified social credit code; unique in a filing.
    public var code: String
    /// The name.
    public var name: String
    /// Whether it is an SME (中小企业).
    public var sme: Bool
    /// Whether it works in the cluster's leading industry.
    public var leadingIndustry: Bool
    /// Its designations (TIER-1).
    public var designations: [Designation]
    enum CodingKeys: String, CodingKey { case code, name, sme, leadingIndustry = "leading_industry", designations }
}

/// A quality-SME designation held by an enterprise.
public struct Designation: Sendable, Hashable, Codable {
    /// What the enterprise is designated.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// 制造业单项冠军
        case singleChampion = "single_champion"
        /// 专精特新"小巨人"
        case littleGiant = "little_giant"
        /// 专精特新中小企业
        case specialized
        /// 创新型中小企业
        case innovative
        /// 高新技术企业
        case highTech = "high_tech"
    }
    /// What the enterprise is designated.
    public var kind: Kind
    /// `national` or `provincial`.
    public var level: String
    /// The last day it is valid; nil when it does not expire.
    public var validUntil: CivilDate?
    enum CodingKeys: String, CodingKey { case kind, level, validUntil = "valid_until" }
}

/// A statement and the ids of the documents that support it.
public struct EvidenceItem: Sendable, Hashable, Codable {
    /// What the county states; blank counts as absent.
    public var statement: String?
    /// Ids from the filing's `documents` list.
    public var documents: [String]

    /// An item with `statement` and `documents`.
    public init(statement: String?, documents: [String]) {
        self.statement = statement
        self.documents = documents
    }

    /// Whether the statement has non-blank text (`TextCharacters.isBlank`).
    public var hasStatement: Bool { !TextCharacters.isBlank(statement ?? "") }
    /// Whether at least one document is referenced.
    public var hasDocument: Bool { !documents.isEmpty }
}

/// A section that holds only evidence items, keyed by criterion id.
public struct EvidenceSection: Sendable, Hashable, Codable {
    /// Evidence by criterion id (e.g. `DIGI-2`).
    public var evidence: [String: EvidenceItem]
}

/// Competitiveness: evidence for the judgement criteria and the growth waiver claim.
public struct CompetitivenessSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// A claim that a special circumstance (新冠疫情等特殊情况) excuses COMP-9.
    public var growthWaiver: GrowthWaiver?
    enum CodingKeys: String, CodingKey { case evidence, growthWaiver = "growth_waiver" }
}

/// The COMP-9 waiver claim; validation requires a non-blank reason.
public struct GrowthWaiver: Sendable, Hashable, Codable {
    /// The special circumstance claimed; never blank.
    public var reason: String
    /// Ids of supporting documents from the filing's `documents`.
    public var documents: [String]
}

/// Supply chain: which sharing mechanisms exist (SUPP-3) and evidence.
public struct SupplyChainSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// Any of equipment, logistics, warehousing, human_resources, design.
    public var sharing: [String]
}

/// Innovation: platforms (INNO-2), partners (INNO-3), standards (INNO-4) and evidence.
public struct InnovationSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// The innovation platforms (INNO-2).
    public var platforms: [Platform]
    /// The cooperation partners (INNO-3).
    public var partners: [Partner]
    /// Standards set or revised (INNO-4).
    public var standards: [Standard]

    /// An innovation platform.
    public struct Platform: Sendable, Hashable, Codable {
        /// The name.
        public var name: String
        /// What kind of platform (pilot base, engineering centre …).
        public var type: String
    }
    /// A cooperation partner: kind is large_enterprise, university or research_institute.
    public struct Partner: Sendable, Hashable, Codable {
        /// The name.
        public var name: String
        /// large_enterprise, university or research_institute.
        public var kind: String
    }
    /// A standard the cluster set or revised.
    public struct Standard: Sendable, Hashable, Codable {
        /// The standard's code, e.g. T/HNSH 001-2024.
        public var code: String
        /// The title.
        public var title: String
    }
}

/// Green: efficiency against benchmarks (GREE-4/5) and evidence.
public struct GreenSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// Energy efficiency; nil or `applicable: false` when the industry is not high energy-consuming.
    public var energy: Efficiency?
    /// Water efficiency; nil or `applicable: false` when the industry is not high water-using.
    public var water: Efficiency?

    /// An efficiency figure and the industry benchmark.
    public struct Efficiency: Sendable, Hashable, Codable {
        /// Whether the industry is high energy-consuming (or high water-using).
        public var applicable: Bool
        /// The cluster's figure.
        public var value: Decimal?
        /// The industry benchmark.
        public var benchmark: Decimal?
        /// `lower_is_better` (consumption per unit) or `higher_is_better`.
        public var direction: String?
        /// The unit, for people.
        public var unit: String?
    }
}

/// Openness: kinds of exchange (OPEN-2) and evidence.
public struct OpennessSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// Any of technology, management, talent, capital.
    public var exchanges: [String]
}

/// Governance: publicity coverage (GOVE-3), the plan (GOVE-4) and evidence.
public struct GovernanceSection: Sendable, Hashable, Codable {
    /// Evidence items by criterion id; a missing id is evidence absent.
    public var evidence: [String: EvidenceItem]
    /// How far policy publicity reached (GOVE-3).
    public var publicity: Publicity
    /// The development plan for the next three years.
    public var plan: DevelopmentPlan

    /// How far policy publicity reached.
    public struct Publicity: Sendable, Hashable, Codable {
        /// Enterprises in the cluster, as stated.
        public var enterprisesInCluster: Int
        /// Enterprises the publicity reached; never above `enterprisesInCluster`.
        public var enterprisesReached: Int
        enum CodingKeys: String, CodingKey {
            case enterprisesInCluster = "enterprises_in_cluster", enterprisesReached = "enterprises_reached"
        }
    }
}

/// A three-year development plan (Art. 5): assessable goals and measures by area.
public struct DevelopmentPlan: Sendable, Hashable, Codable {
    /// The goals, each with an id.
    public var goals: [PlanGoal]
    /// The measures, each in one Art. 5 area.
    public var measures: [PlanMeasure]

    /// The plan with `goals` and `measures`.
    public init(goals: [PlanGoal], measures: [PlanMeasure]) {
        self.goals = goals
        self.measures = measures
    }
}

/// One goal of a plan. Assessable when metric, baseline, target and a year inside the plan are there.
public struct PlanGoal: Sendable, Hashable, Codable {
    /// Unique within the plan; the recertification reports against it.
    public var id: String
    /// What is measured.
    public var metric: String?
    /// The value at the start.
    public var baseline: Decimal?
    /// The numeric target.
    public var target: Decimal?
    /// The year the target is due; inside the plan's three years.
    public var year: Int?
    /// `increase` (default: achieved ≥ target meets it) or `decrease` (achieved ≤ target).
    public var direction: String?
    /// The unit, for people.
    public var unit: String?
}

/// One measure of a plan, by Art. 5 area.
public struct PlanMeasure: Sendable, Hashable, Codable {
    /// leading_industry, innovation, digital, green, openness or governance.
    public var area: String
    /// The measure in words.
    public var description: String
}

/// An incident at a cluster enterprise (VETO-1..3), declared or recorded.
public struct Incident: Sendable, Hashable, Codable {
    /// Unified social credit code of the enterprise.
    public var enterpriseCode: String
    /// The day it happened.
    public var date: CivilDate
    /// safety, quality, environment, cyber, data, tax_evasion, illegal_conduct, serious_dishonesty, other_major.
    public var category: String
    /// general, larger, major, especially_major (accidents); general, larger, major, especially_major
    /// (cyber and data); absent for the VETO-3 categories.
    public var grade: String?
    /// What happened, for people.
    public var description: String?

    /// An incident with every field.
    public init(enterpriseCode: String, date: CivilDate, category: String, grade: String?, description: String?) {
        self.enterpriseCode = enterpriseCode
        self.date = date
        self.category = category
        self.grade = grade
        self.description = description
    }
    enum CodingKeys: String, CodingKey {
        case enterpriseCode = "enterprise_code", date, category, grade, description
    }
}

/// What a recertification reports against the plan on record.
public struct PlanReport: Sendable, Hashable, Codable {
    /// One achieved value per goal of the plan on record.
    public var achievements: [Achievement]
    /// The achieved value of one goal.
    public struct Achievement: Sendable, Hashable, Codable {
        /// The goal's id in the plan on record.
        public var goalId: String
        /// The value reached.
        public var achieved: Decimal
        enum CodingKeys: String, CodingKey { case goalId = "goal_id", achieved }
    }
}

/// The annual information form (Art. 13) for the previous year.
public struct AnnualReport: Sendable, Hashable, Codable {
    /// The calendar year.
    public var year: Int
    /// Plan execution, progress, experience, problems (Art. 13).
    public var progress: EvidenceItem
    /// Enterprises that joined or left the cluster in the year.
    public var enterpriseChanges: [EnterpriseChange]?

    enum CodingKeys: String, CodingKey { case year, progress, enterpriseChanges = "enterprise_changes" }
}

/// An enterprise joining or leaving a register entry, stated by an annual or change report.
public struct EnterpriseChange: Sendable, Hashable, Codable {
    /// Its unified social credit code.
    public var code: String
    /// Its name.
    public var name: String
    /// `joined` or `left`.
    public var change: String
    /// The day.
    public var effective: CivilDate
}

/// Major changes reported (Art. 14(4)).
public struct ChangeReport: Sendable, Hashable, Codable {
    /// The changes, at least one.
    public var changes: [Change]
    /// Enterprises that joined or left.
    public var enterpriseChanges: [EnterpriseChange]?

    enum CodingKeys: String, CodingKey { case changes, enterpriseChanges = "enterprise_changes" }
    /// One change: subject is leading_industry, spatial_extent or management_body.
    public struct Change: Sendable, Hashable, Codable {
        /// leading_industry, spatial_extent or management_body.
        public var subject: String
        /// What it was.
        public var before: String
        /// What it is now.
        public var after: String
        /// From when.
        public var effective: CivilDate
    }
}

/// A document the filing refers to by id.
public struct Document: Sendable, Hashable, Codable {
    /// Unique id within the filing; evidence refers to it.
    public var id: String
    /// The title.
    public var title: String
    /// 64 lowercase hex digits.
    public var sha256: String
}

extension Filing {
    /// Decodes a filing that `FilingValidator` accepted (or a module's slice of one).
    public static func decode(_ data: Data) throws -> Filing {
        try JSONDecoder().decode(Filing.self, from: data)
    }

    /// Only the top-level members named in `reads`, as the coordinator sends them to a module.
    public static func slice(_ filing: JSONValue, reads: [String]) -> JSONValue {
        guard case .object(let members) = filing else { return filing }
        return .object(members.filter { reads.contains($0.key) })
    }
}
