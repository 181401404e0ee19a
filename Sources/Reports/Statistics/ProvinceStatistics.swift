import Foundation
import IndicatorKit
import ClusterStandard

/// Which part of the record the statistics count: filings filed in `year`, of `county`, whose
/// leading industry is `industry`; nil counts all. The register counts entries recognized in
/// `year`; the watchlist the annual reports of `year`.
public struct StatisticsFilter: Sendable, Hashable, Codable {
    public var year: Int?
    public var county: String?
    public var industry: String?

    public init(year: Int? = nil, county: String? = nil, industry: String? = nil) {
        self.year = year
        self.county = county
        self.industry = industry
    }
}

/// What the province learns of its register (issue 18 item 1): filings and outcomes, the findings
/// per criterion with how close they come to each bound, the register with output and employees,
/// and the watchlist — each counted set-based by the database as the reader may see it (a county
/// its own county only). The breakdowns (`byCounty`, `byIndustry`, `byYear`) sum the rows.
public struct ProvinceStatistics: Sendable, Hashable, Codable {
    /// Filings of one county, leading industry, year, status and recommendation.
    public struct FilingCount: Sendable, Hashable, Codable {
        public var countyCode: String
        public var leadingIndustry: String
        public var year: Int
        /// The filing's status (submitted … recognized, refused).
        public var status: String
        /// The recommendation of its latest completed decision review; nil when none yet.
        public var recommendation: String?
        public var filings: Int

        public init(countyCode: String, leadingIndustry: String, year: Int, status: String, recommendation: String?, filings: Int) {
            self.countyCode = countyCode
            self.leadingIndustry = leadingIndustry
            self.year = year
            self.status = status
            self.recommendation = recommendation
            self.filings = filings
        }
    }

    /// One criterion's verdicts over the latest decision reviews counted.
    public struct CriterionCount: Sendable, Hashable, Codable {
        public var criterion: String
        /// threshold, evidence or judgement.
        public var kind: String
        public var verdicts: [String: Int]

        public init(criterion: String, kind: String, verdicts: [String: Int]) {
            self.criterion = criterion
            self.kind = kind
            self.verdicts = verdicts
        }

        /// Findings counted.
        public var total: Int { verdicts.values.reduce(0, +) }
        /// Findings that failed.
        public var failed: Int { verdicts["fail"] ?? 0 }
        /// The share of findings that failed, exact (0 when none counted).
        public var failRate: Decimal { total == 0 ? 0 : Decimal(failed) / Decimal(total) }
    }

    /// How many threshold findings of a criterion fall in one band of relative margin.
    public struct MarginCount: Sendable, Hashable, Codable {
        public var criterion: String
        /// The band's index in `MarginBands.edges` (0: below the first edge).
        public var band: Int
        public var findings: Int

        public init(criterion: String, band: Int, findings: Int) {
            self.criterion = criterion
            self.band = band
            self.findings = findings
        }
    }

    /// Register entries of one county, status and year recognized, with their output and employees.
    public struct RegisterCount: Sendable, Hashable, Codable {
        public var countyCode: String
        /// active, expired or revoked.
        public var status: String
        public var year: Int
        public var clusters: Int
        /// Sum of the latest year's total output stated, in 万元; nil when no entry stated one.
        public var outputWan: Decimal?
        /// Sum of the latest year's employees stated; nil when no entry stated them.
        public var employees: Decimal?

        public init(countyCode: String, status: String, year: Int, clusters: Int, outputWan: Decimal?, employees: Decimal?) {
            self.countyCode = countyCode
            self.status = status
            self.year = year
            self.clusters = clusters
            self.outputWan = outputWan
            self.employees = employees
        }
    }

    /// A register entry whose latest monitoring review of an annual report failed or warned.
    public struct WatchedCluster: Sendable, Hashable, Codable {
        public var clusterId: Int64
        public var certificateNo: String
        public var name: String
        public var countyCode: String
        public var year: Int
        /// The criteria that failed, in order.
        public var failed: [String]
        /// The criteria that warned, in order.
        public var warned: [String]

        public init(clusterId: Int64, certificateNo: String, name: String, countyCode: String, year: Int, failed: [String], warned: [String]) {
            self.clusterId = clusterId
            self.certificateNo = certificateNo
            self.name = name
            self.countyCode = countyCode
            self.year = year
            self.failed = failed
            self.warned = warned
        }
    }

    public var filter: StatisticsFilter
    public var filings: [FilingCount]
    public var criteria: [CriterionCount]
    public var margins: [MarginCount]
    public var register: [RegisterCount]
    public var watchlist: [WatchedCluster]

    public init(
        filter: StatisticsFilter, filings: [FilingCount], criteria: [CriterionCount], margins: [MarginCount], register: [RegisterCount],
        watchlist: [WatchedCluster]
    ) {
        self.filter = filter
        self.filings = filings
        self.criteria = criteria
        self.margins = margins
        self.register = register
        self.watchlist = watchlist
    }

    // MARK: Breakdowns

    /// The outcome groups a filing is counted in, in the order a table shows them.
    public static let outcomes = ["pending", "reviewed", "in_publicity", "recognized", "refused", "returned", "review_failed", "recorded"]

    /// The outcome group of a filing status: pending (submitted, in review), reviewed (awaiting a
    /// decision), in_publicity, recognized (recognized, or a recertification approved), refused,
    /// returned (returned or superseded by a corrected filing), review_failed, recorded (reports).
    public static func outcome(ofStatus status: String) -> String {
        switch status {
        case "submitted", "in_review": "pending"
        case "recognized", "approved": "recognized"
        case "returned", "superseded": "returned"
        default: status
        }
    }

    /// A row of a breakdown: the key, filings by outcome, and filings by recommendation.
    public struct Breakdown: Sendable, Hashable, Codable {
        public var key: String
        public var filings: Int
        public var outcomes: [String: Int]
        public var recommendations: [String: Int]
    }

    private func breakdown(_ key: (FilingCount) -> String) -> [Breakdown] {
        var rows: [String: Breakdown] = [:]
        for count in filings {
            let k = key(count)
            var row = rows[k] ?? Breakdown(key: k, filings: 0, outcomes: [:], recommendations: [:])
            row.filings += count.filings
            row.outcomes[Self.outcome(ofStatus: count.status), default: 0] += count.filings
            if let recommendation = count.recommendation { row.recommendations[recommendation, default: 0] += count.filings }
            rows[k] = row
        }
        return rows.values.sorted { $0.key < $1.key }
    }

    /// Filings by county × outcome and recommendation, in county-code order.
    public var byCounty: [Breakdown] { breakdown(\.countyCode) }
    /// Filings by leading industry, most filings first.
    public var byIndustry: [Breakdown] { breakdown(\.leadingIndustry).sorted { ($0.filings, $1.key) > ($1.filings, $0.key) } }
    /// Filings by year filed, oldest first.
    public var byYear: [Breakdown] { breakdown { String($0.year) } }

    /// The register by county: entries (active, expired, revoked) and the sums of output and employees.
    public struct RegisterRow: Sendable, Hashable, Codable {
        public var countyCode: String
        public var clusters: Int
        public var statuses: [String: Int]
        /// nil when no entry of the county stated figures.
        public var outputWan: Decimal?
        public var employees: Decimal?
    }

    /// The register summed by county, in county-code order.
    public var registerByCounty: [RegisterRow] {
        var rows: [String: RegisterRow] = [:]
        for count in register {
            var row = rows[count.countyCode] ?? RegisterRow(countyCode: count.countyCode, clusters: 0, statuses: [:], outputWan: nil, employees: nil)
            row.clusters += count.clusters
            row.statuses[count.status, default: 0] += count.clusters
            if let output = count.outputWan { row.outputWan = (row.outputWan ?? 0) + output }
            if let employees = count.employees { row.employees = (row.employees ?? 0) + employees }
            rows[count.countyCode] = row
        }
        return rows.values.sorted { $0.countyCode < $1.countyCode }
    }

    /// Register entries recognized per year, oldest first.
    public var recognizedByYear: [(year: Int, clusters: Int)] {
        var years: [Int: Int] = [:]
        for count in register { years[count.year, default: 0] += count.clusters }
        return years.keys.sorted().map { ($0, years[$0]!) }
    }

    /// Total filings counted.
    public var totalFilings: Int { filings.reduce(0) { $0 + $1.filings } }
    /// Total register entries counted.
    public var totalClusters: Int { register.reduce(0) { $0 + $1.clusters } }

    /// The margin histogram of `criterion`: findings per band, every band present (0 where none).
    public func histogram(_ criterion: String) -> [Int] {
        var bands = Array(repeating: 0, count: MarginBands.count)
        for count in margins where count.criterion == criterion && bands.indices.contains(count.band) { bands[count.band] += count.findings }
        return bands
    }

    /// The criteria with a margin histogram, in criterion order.
    public var marginCriteria: [String] { Set(margins.map(\.criterion)).sorted(by: CriterionOrder.less) }
}

/// The bands of relative margin (margin ÷ bound) the histograms count: below −50 %, −50 to −20 %,
/// −20 to −10 %, −10 to −5 %, −5 to 0 %, 0 to 5 %, 5 to 10 %, 10 to 20 %, 20 to 50 %, 50 % and
/// more. A band includes its lower edge: exactly at the bound (0) is the band 0 to 5 %.
public enum MarginBands {
    /// The edges, as fractions, in order; band i lies below edge i and at or above edge i − 1.
    public static let edges: [Decimal] = [-0.5, -0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.5]
    /// The number of bands.
    public static var count: Int { edges.count + 1 }

    /// The band of a relative margin.
    public static func band(of margin: Decimal) -> Int {
        edges.firstIndex { margin < $0 } ?? edges.count
    }

    /// A band's label: `−10%–−5%`, `< −50%`, `≥ 50%`.
    public static func label(_ band: Int) -> String {
        func percent(_ value: Decimal) -> String { Readable.number(value * 100, places: 0).replacingOccurrences(of: "-", with: "−") + "%" }
        if band == 0 { return "< " + percent(edges[0]) }
        if band == edges.count { return "≥ " + percent(edges[edges.count - 1]) }
        return percent(edges[band - 1]) + "–" + percent(edges[band])
    }
}

/// Criterion ids in the measures' order: by prefix as the modules are listed, then by number.
enum CriterionOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "-"), pb = b.split(separator: "-")
        guard pa.count == 2, pb.count == 2, let na = Int(pa[1]), let nb = Int(pb[1]) else { return a < b }
        return pa[0] == pb[0] ? na < nb : pa[0] < pb[0]
    }
}
