import IndicatorKit
/// A county-level division of Hainan (GB/T 2260), the unit that files (Art. 2, Art. 10).
public struct HainanCounty: Sendable, Hashable, Codable {
    /// The six-digit GB/T 2260 code, e.g. `460400`.
    public var code: String
    /// The name in Chinese, e.g. `儋州市`.
    public var name: String
    /// The prefecture-level city it belongs to, or the county itself when directly administered.
    public var city: String

    /// Every county-level division of Hainan, as listed in criteria.md (26 codes).
    public static let all: [HainanCounty] = [
        .init(code: "460105", name: "秀英区", city: "海口市"),
        .init(code: "460106", name: "龙华区", city: "海口市"),
        .init(code: "460107", name: "琼山区", city: "海口市"),
        .init(code: "460108", name: "美兰区", city: "海口市"),
        .init(code: "460202", name: "海棠区", city: "三亚市"),
        .init(code: "460203", name: "吉阳区", city: "三亚市"),
        .init(code: "460204", name: "天涯区", city: "三亚市"),
        .init(code: "460205", name: "崖州区", city: "三亚市"),
        .init(code: "460302", name: "西沙区", city: "三沙市"),
        .init(code: "460303", name: "南沙区", city: "三沙市"),
        .init(code: "460400", name: "儋州市", city: "儋州市"),
        .init(code: "469001", name: "五指山市", city: "五指山市"),
        .init(code: "469002", name: "琼海市", city: "琼海市"),
        .init(code: "469005", name: "文昌市", city: "文昌市"),
        .init(code: "469006", name: "万宁市", city: "万宁市"),
        .init(code: "469007", name: "东方市", city: "东方市"),
        .init(code: "469021", name: "定安县", city: "定安县"),
        .init(code: "469022", name: "屯昌县", city: "屯昌县"),
        .init(code: "469023", name: "澄迈县", city: "澄迈县"),
        .init(code: "469024", name: "临高县", city: "临高县"),
        .init(code: "469025", name: "白沙黎族自治县", city: "白沙黎族自治县"),
        .init(code: "469026", name: "昌江黎族自治县", city: "昌江黎族自治县"),
        .init(code: "469027", name: "乐东黎族自治县", city: "乐东黎族自治县"),
        .init(code: "469028", name: "陵水黎族自治县", city: "陵水黎族自治县"),
        .init(code: "469029", name: "保亭黎族苗族自治县", city: "保亭黎族苗族自治县"),
        .init(code: "469030", name: "琼中黎族苗族自治县", city: "琼中黎族苗族自治县"),
    ]

    private static let byCode: [String: HainanCounty] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// The division with `code`, or nil when the code is not a Hainan county-level code.
    public static func named(_ code: String) -> HainanCounty? { byCode[code] }
}

/// The unified social credit code (统一社会信用代码, GB 32100-2015).
public enum SocialCreditCode {
    /// The 31 symbols in value order 0…30: digits, then A–Z without I, O, Z, S, V.
    static let symbols = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    private static let values: [Character: Int] = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })

    /// Why a code is not valid, or nil when it is: 18 symbols, and the 18th is the check symbol of
    /// the first 17 (weights 3^(i−1) mod 31, check value (31 − sum mod 31) mod 31).
    public static func problem(_ code: String) -> LocalizedText? {
        let chars = Array(code)
        guard chars.count == 18 else {
            return LocalizedText(zh: "应为 18 位，实为 \(chars.count) 位", en: "must be 18 characters, found \(chars.count)")
        }
        var digits: [Int] = []
        for (i, c) in chars.enumerated() {
            guard let v = values[c] else {
                return LocalizedText(
                    zh: "第 \(i + 1) 位“\(c)”不是允许的字符（0-9、A-Z，不含 I O Z S V）",
                    en: "character \(i + 1) '\(c)' is not allowed (0-9, A-Z without I O Z S V)")
            }
            digits.append(v)
        }
        let expected = checkValue(digits.prefix(17))
        guard digits[17] == expected else {
            return LocalizedText(
                zh: "校验位应为“\(symbols[expected])”，实为“\(chars[17])”",
                en: "the check character should be '\(symbols[expected])', found '\(chars[17])'")
        }
        return nil
    }

    /// Whether `code` is a valid unified social credit code.
    public static func isValid(_ code: String) -> Bool { problem(code) == nil }

    static func checkValue(_ first17: ArraySlice<Int>) -> Int {
        var weight = 1, sum = 0
        for v in first17 {
            sum += v * weight
            weight = weight * 3 % 31
        }
        return (31 - sum % 31) % 31
    }
}
