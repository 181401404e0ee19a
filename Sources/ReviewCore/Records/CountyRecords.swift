import Foundation
import Postgres

/// One county-level division as the `counties` table holds it.
public struct CountyRecord: Sendable, Hashable, Codable {
    /// The GB/T 2260 code, e.g. `469005`.
    public var code: String
    /// The name in Chinese, e.g. 文昌市.
    public var nameZh: String
    /// The name in English, e.g. Wenchang.
    public var nameEn: String
    /// The prefecture-level city it belongs to, in Chinese (or the division itself).
    public var prefectureZh: String

    enum CodingKeys: String, CodingKey {
        case code, nameZh = "name_zh", nameEn = "name_en", prefectureZh = "prefecture_zh"
    }
}

/// Reads of the `counties` table; the one Swift place that selects from it.
public enum CountyRecords {
    /// Every county-level division, by code.
    public static func all(on connection: PostgresConnection) throws -> [CountyRecord] {
        try connection.query("SELECT code, name_zh, name_en, prefecture_zh FROM counties ORDER BY code").rows.map { row in
            CountyRecord(
                code: try row.decode("code"), nameZh: try row.decode("name_zh"), nameEn: try row.decode("name_en"),
                prefectureZh: try row.decode("prefecture_zh"))
        }
    }
}
