import Foundation
import IndicatorKit
import Postgres

/// A public notice (公示) running today, as the province publishes it.
public struct PublicNotice: Sendable, Hashable, Codable {
    /// The county that filed, with its name in both languages.
    public var countyCode: String
    public var countyName: LocalizedText
    /// The cluster's name, as filed.
    public var clusterName: String
    /// Its leading industry (主导产业), as filed.
    public var leadingIndustry: String
    /// The first and the last day of the notice: objections are received until `endsOn`.
    public var startsOn: CivilDate
    public var endsOn: CivilDate
}

/// A cluster on the recognition list (认定名单), as the province publishes it.
public struct PublicRegisterEntry: Sendable, Hashable, Codable {
    /// The certificate number, e.g. `HN-TSJQ-2026-0001`.
    public var certificateNo: String
    /// The county, with its name in both languages.
    public var countyCode: String
    public var countyName: LocalizedText
    /// The cluster's name and leading industry.
    public var clusterName: String
    public var leadingIndustry: String
    /// Recognized on, valid until.
    public var recognizedOn: CivilDate
    public var validUntil: CivilDate
}

/// What anybody may read without signing in: the two functions of sql/040 granted to the public
/// role (`cr_public`), which return only the published columns. The one Swift place that calls them.
public enum PublicRecords {
    /// The public notices running today, those ending soonest first.
    public static func notices(on connection: PostgresConnection) throws -> [PublicNotice] {
        try connection.queryPrepared("""
            SELECT county_code, county_name_zh, county_name_en, cluster_name, leading_industry,
                   starts_on::text AS starts_on, ends_on::text AS ends_on
            FROM public_notices()
            """).rows.map { row in
            PublicNotice(
                countyCode: try row.decode("county_code"),
                countyName: LocalizedText(zh: try row.decode("county_name_zh"), en: try row.decode("county_name_en")),
                clusterName: try row.decode("cluster_name"), leadingIndustry: try row.decode("leading_industry"),
                startsOn: try civil(row, "starts_on"), endsOn: try civil(row, "ends_on"))
        }
    }

    /// The clusters recognized and valid today, by certificate number.
    public static func register(on connection: PostgresConnection) throws -> [PublicRegisterEntry] {
        try connection.queryPrepared("""
            SELECT certificate_no, county_code, county_name_zh, county_name_en, cluster_name, leading_industry,
                   recognized_on::text AS recognized_on, valid_until::text AS valid_until
            FROM public_register()
            """).rows.map { row in
            PublicRegisterEntry(
                certificateNo: try row.decode("certificate_no"), countyCode: try row.decode("county_code"),
                countyName: LocalizedText(zh: try row.decode("county_name_zh"), en: try row.decode("county_name_en")),
                clusterName: try row.decode("cluster_name"), leadingIndustry: try row.decode("leading_industry"),
                recognizedOn: try civil(row, "recognized_on"), validUntil: try civil(row, "valid_until"))
        }
    }
}
