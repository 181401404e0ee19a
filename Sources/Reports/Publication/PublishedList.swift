import ClusterStandard
import Foundation
import IndicatorKit

/// What the province publishes for a round (issue 17, item 4): the public-notice list (公示名单)
/// and the recognition list (认定名单), each a row per cluster with only what the province makes
/// public — county, cluster name, leading industry, management body, and the notice period or the
/// certificate number and term. Nothing else a filing or its review holds (scores, notes, grounds,
/// objections, persons, enterprises, contact details) has a field here, so nothing else can be
/// written into a published file.
public struct PublishedList: Sendable, Hashable, Codable {
    /// Which list.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// 公示名单: the round's clusters whose public notice opened (running or ended).
        case notice
        /// 认定名单: the round's clusters recognized (on the register, not revoked).
        case recognition
    }

    /// One published row.
    public struct Row: Sendable, Hashable, Codable {
        public var countyCode: String
        public var clusterName: String
        public var leadingIndustry: String
        public var managementBody: String
        /// The recognition list's: the certificate number (the register's `certificate_no`).
        public var certificateNo: String?
        /// The recognition list's: the first day and the last day of the term the round recognized.
        public var termStartsOn: CivilDate?
        public var termEndsOn: CivilDate?
        /// The day the recognition was decided (the notice closed): the certificate's date.
        public var recognizedOn: CivilDate?
        /// The notice list's: the notice period.
        public var noticeStartsOn: CivilDate?
        public var noticeEndsOn: CivilDate?

        public init(
            countyCode: String, clusterName: String, leadingIndustry: String, managementBody: String, certificateNo: String? = nil,
            termStartsOn: CivilDate? = nil, termEndsOn: CivilDate? = nil, recognizedOn: CivilDate? = nil,
            noticeStartsOn: CivilDate? = nil, noticeEndsOn: CivilDate? = nil
        ) {
            self.countyCode = countyCode
            self.clusterName = clusterName
            self.leadingIndustry = leadingIndustry
            self.managementBody = managementBody
            self.certificateNo = certificateNo
            self.termStartsOn = termStartsOn
            self.termEndsOn = termEndsOn
            self.recognizedOn = recognizedOn
            self.noticeStartsOn = noticeStartsOn
            self.noticeEndsOn = noticeEndsOn
        }
    }

    public var kind: Kind
    /// The round's name, e.g. `2026年第一批`.
    public var roundName: String
    /// The day the list is issued (the database's clock, Asia/Shanghai).
    public var issuedOn: CivilDate
    /// Ordered by county code, then certificate number or cluster name.
    public var rows: [Row]

    public init(kind: Kind, roundName: String, issuedOn: CivilDate, rows: [Row]) {
        self.kind = kind
        self.roundName = roundName
        self.issuedOn = issuedOn
        self.rows = rows
    }
}

/// The words of the published documents, Chinese first (one language per document).
public enum PublicationLabels {
    /// The issuing department.
    public static let department = LocalizedText(zh: "海南省工业和信息化厅", en: "Department of Industry and Information Technology of Hainan Province")
    public static let clusters = LocalizedText(zh: "海南省中小企业特色产业集群", en: "Hainan SME characteristic industrial clusters")
    public static let noticeTitle = LocalizedText(zh: "拟认定名单公示", en: "public-notice list of clusters proposed for recognition")
    public static let recognitionTitle = LocalizedText(zh: "认定名单", en: "recognition list")
    public static let certificateTitle = LocalizedText(zh: "认定证书", en: "Certificate of recognition")
    public static let certificatesTitle = LocalizedText(zh: "认定证书目录", en: "certificates")
    public static let number = LocalizedText(zh: "序号", en: "No.")
    public static let county = LocalizedText(zh: "县（市、区）", en: "County")
    public static let cluster = LocalizedText(zh: "集群名称", en: "Cluster")
    public static let industry = LocalizedText(zh: "主导产业", en: "Leading industry")
    public static let body = LocalizedText(zh: "集群管理机构", en: "Management body")
    public static let certificate = LocalizedText(zh: "证书编号", en: "Certificate number")
    public static let term = LocalizedText(zh: "有效期", en: "Term")
    public static let notice = LocalizedText(zh: "公示期", en: "Notice period")
    public static let issued = LocalizedText(zh: "发布日期", en: "Issued")
    public static let issuedBy = LocalizedText(zh: "发证单位", en: "Issued by")
    public static let certificateDate = LocalizedText(zh: "发证日期", en: "Date")
    public static let round = LocalizedText(zh: "批次", en: "Round")
    public static let noticeRunning = LocalizedText(zh: "（公示中）", en: "(running)")
    public static let noticeEnded = LocalizedText(zh: "（公示已结束；本名单为公示时发布的名单）", en: "(ended; this is the list as published when the notice opened)")
    public static let noneInNotice = LocalizedText(zh: "本批次尚无进入公示的集群。", en: "No cluster of this round has entered public notice yet.")
    public static let noneRecognized = LocalizedText(zh: "本批次尚无认定的集群。", en: "No cluster of this round has been recognized yet.")
    public static let noticeNote = LocalizedText(
        zh: "以下集群经县（市、区）推荐、专家评审，拟认定为海南省中小企业特色产业集群，现予公示。公示期内如有异议，请以书面形式向海南省工业和信息化厅反映。",
        en: "The clusters below, recommended by their counties and reviewed by experts, are proposed for recognition as Hainan SME characteristic industrial clusters. Objections may be made in writing to the department during the notice period.")
    public static let recognitionNote = LocalizedText(
        zh: "经县（市、区）推荐、专家评审和公示，以下集群认定为海南省中小企业特色产业集群，有效期三年。",
        en: "After recommendation by their counties, expert review and public notice, the clusters below are recognized as Hainan SME characteristic industrial clusters for three years.")
    public static let certificateText = LocalizedText(
        zh: "经审核，认定为海南省中小企业特色产业集群。",
        en: "is recognized as a Hainan SME characteristic industrial cluster.")

    /// `2026年7月1日至2029年6月30日` / `1 July 2026 to 30 June 2029`.
    public static func span(_ from: CivilDate?, _ to: CivilDate?, _ language: Language) -> String {
        guard let from, let to else { return "" }
        return language == .en
            ? "\(Readable.date(from, .en)) to \(Readable.date(to, .en))"
            : "\(Readable.date(from, .zh))至\(Readable.date(to, .zh))"
    }

    /// A county's name (`文昌市`), or its code when unknown.
    public static func county(_ code: String) -> String { HainanCounty.named(code)?.name ?? code }
}
