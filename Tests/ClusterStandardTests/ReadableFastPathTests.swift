import Foundation
import IndicatorKit
import Testing
@testable import ClusterStandard

/// Issue 16: `Readable` writes amounts from the digits (integer arithmetic on the mantissa and
/// exponent) instead of `Decimal` division, rounding and `description`, and halves the growth
/// rate's bisection from the digits; the text and the values stay byte for byte what the
/// `Decimal` way gave. `Reference` and `referenceGrowth` below are that way, as written before.
@Suite struct ReadableFastPathTests {
    /// The formatting before issue 16's second pass, verbatim: the definition to match.
    enum Reference {
        static func number(_ value: Decimal, places: Int = 2) -> String {
            var input = value, rounded = Decimal()
            NSDecimalRound(&rounded, &input, places, .plain)
            let negative = rounded < 0
            let text = (negative ? -rounded : rounded).description
            let parts = text.split(separator: ".", maxSplits: 1)
            let whole = String(parts[0])
            var grouped = ""
            for (index, digit) in whole.enumerated() {
                if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
                grouped.append(digit)
            }
            var fraction = parts.count > 1 ? String(parts[1]) : ""
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return (negative ? "-" : "") + grouped + (fraction.isEmpty ? "" : "." + fraction)
        }

        static func amount(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
            let en = language == .en
            let magnitude = value < 0 ? -value : value
            switch measure {
            case .moneyWan:
                if en {
                    if magnitude >= 100_000 { return "\(number(value / 100_000, places: 4)) billion CNY" }
                    if magnitude >= 100 { return "\(number(value / 100, places: 4)) million CNY" }
                    return "\(number(value * 10_000, places: 0)) CNY"
                }
                if magnitude >= 10_000 { return "\(number(value / 10_000, places: 4))亿元" }
                return "\(number(value, places: 2))万元"
            case .share, .rate:
                return "\(number(value * 100, places: 2))%"
            case .areaKm2:
                return en ? "\(number(value)) km²" : "\(number(value)) 平方公里"
            case .enterprises:
                return en ? "\(number(value)) enterpris\(value == 1 ? "e" : "es")" : "\(number(value)) 家"
            case .platforms:
                return en ? "\(number(value)) platform\(value == 1 ? "" : "s")" : "\(number(value)) 个"
            case .patentsPer10k:
                return en ? "\(number(value)) per 10,000 employees" : "每万名从业人员 \(number(value)) 件"
            case .plain:
                return number(value, places: 4)
            }
        }

        static func difference(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
            if measure.isFraction {
                let points = number(value * 100, places: 2)
                return language == .en ? "\(points) percentage point\(points == "1" ? "" : "s")" : "\(points) 个百分点"
            }
            return amount(value, measure, language)
        }
    }

    /// A deterministic generator (SplitMix64), so a failure names a value that comes back.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Values of every shape the rules print: 1–24 digits (past 64 bits, so both paths run),
    /// exponents −24…14, either sign, ties (a trailing 5) and exact powers of ten.
    static func values(count: Int, seed: UInt64) -> [Decimal] {
        var random = SplitMix(state: seed)
        var values: [Decimal] = [0, 1, -1, 100, 10_000, 100_000, Decimal(string: "0.005")!, Decimal(string: "-0.005")!,
                                 Decimal(string: "99999.99995")!, Decimal(string: "0.00005")!, Decimal(UInt64.max),
                                 Decimal(string: "18446744073709551616")!, Decimal(string: "-18446744073709551615.5")!]
        for index in 0..<count {
            var text = Bool.random(using: &random) ? "-" : ""
            for _ in 0..<Int.random(in: 1...24, using: &random) { text += String(Int.random(in: 0...9, using: &random)) }
            if index % 3 == 0 { text += "5" }
            if index % 17 == 0 { text = "1" + String(repeating: "0", count: Int.random(in: 0...6, using: &random)) }
            values.append(Decimal(string: "\(text)e\(Int.random(in: -24...14, using: &random))")!)
        }
        return values
    }

    @Test func amountsReadAsTheDecimalWayWroteThemByteForByte() {
        for value in Self.values(count: 6_000, seed: 16) {
            for measure in Measure.allCases {
                for language in [Language.zh, .en] {
                    #expect(Readable.amount(value, measure, language) == Reference.amount(value, measure, language),
                            "\(value) \(measure) \(language)")
                    #expect(Readable.difference(value, measure, language) == Reference.difference(value, measure, language),
                            "\(value) \(measure) \(language)")
                }
            }
        }
    }

    @Test(arguments: [0, 1, 2, 4, 6])
    func numbersReadAsTheDecimalWayWroteThemAtEveryPlaces(_ places: Int) {
        for value in Self.values(count: 6_000, seed: UInt64(100 + places)) {
            #expect(Readable.number(value, places: places) == Reference.number(value, places: places), "\(value) to \(places)")
        }
    }

    /// The growth rate by bisection as it was written before (`/ 2` and `/= 10` by `Decimal` division).
    static func referenceGrowth(from v1: Decimal, to v3: Decimal, places: Int = 6) -> Decimal? {
        guard v1 > 0, v3 >= 0 else { return nil }
        let ratio = v3 / v1
        var low = Decimal(0), high = max(Decimal(1), ratio)
        var step = Decimal(1)
        for _ in 0..<(places + 2) { step /= 10 }
        while high - low > step {
            let middle = (low + high) / 2
            if middle * middle > ratio { high = middle } else { low = middle }
        }
        var growth = low - 1, rounded = Decimal()
        NSDecimalRound(&rounded, &growth, places, .plain)
        return rounded
    }

    @Test func compoundGrowthIsTheSameDecimalAsTheBisectionByDivision() {
        var random = SplitMix(state: 20)
        func amount() -> Decimal {
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &random) { text += String(Int.random(in: 0...9, using: &random)) }
            return Decimal(string: "\(text)e\(Int.random(in: -6...4, using: &random))")!
        }
        var pairs: [(Decimal, Decimal)] = [(1, 1), (100, 121), (3, 7), (7, 3), (1, 0), (0, 5), (280_000, 350_000)]
        for index in 0..<3_000 { pairs.append((amount(), index % 7 == 0 ? 0 : amount())) }
        for (v1, v3) in pairs {
            let expected = Self.referenceGrowth(from: v1, to: v3), actual = Readable.compoundGrowth(from: v1, to: v3)
            #expect(actual == expected && actual?.description == expected?.description, "\(v1) → \(v3)")
        }
    }

    /// The growth rate without bisection (`growthFromRoot`) against the bisection as it was
    /// written before, on amounts as filings write them, on ratios just beside a rounding
    /// boundary (growth k.5 · 10⁻⁶ ± a few 10⁻⁹), on exact squares, and on ratios below 1: the same
    /// `Decimal`s written the same; and the root takes most of them itself.
    @Test func compoundGrowthFromTheRootIsTheBisectionsValue() {
        var random = SplitMix(state: 16)
        var pairs: [(Decimal, Decimal)] = [(4, 9), (9, 4), (1, 4), (100, 100), (100, 99), (2, 8), (25, 36), (1, 2), (3, 1)]
        for _ in 0..<4_000 {
            // Amounts in 万元 of 1–9 digits with up to 2 decimals, as filings write them.
            func amount() -> Decimal {
                Decimal(sign: .plus, exponent: -Int.random(in: 0...2, using: &random),
                        significand: Decimal(UInt64.random(in: 1...999_999_999, using: &random)))
            }
            pairs.append((amount(), amount()))
            // A grown amount: v1 × (1 + g)² for a growth of −30 % … +60 %.
            let v1 = amount(), g = Decimal(Int.random(in: -300_000...600_000, using: &random)) / 1_000_000
            pairs.append((v1, v1 * (1 + g) * (1 + g)))
        }
        for _ in 0..<2_000 {
            // √ratio within a few 10⁻⁹ of a rounding boundary 1 + (k + ½)·10⁻⁶.
            let k = Decimal(Int.random(in: -200_000...900_000, using: &random))
            let offset = Decimal(Int.random(in: -30...30, using: &random)) / 1_000_000_000
            let root = 1 + (k + Decimal(string: "0.5")!) / 1_000_000 + offset
            pairs.append((1, root * root))
            pairs.append((1_000, root * root * 1_000))
        }
        var fromRoot = 0
        for (v1, v3) in pairs {
            let expected = Self.referenceGrowth(from: v1, to: v3), actual = Readable.compoundGrowth(from: v1, to: v3)
            #expect(actual == expected && actual?.description == expected?.description, "\(v1) → \(v3)")
            if Readable.growthFromRoot(v3 / v1, places: 6) != nil { fromRoot += 1 }
            for language in [Language.zh, .en] {
                #expect(actual.map { Readable.amount($0, .rate, language) } == expected.map { Readable.amount($0, .rate, language) })
            }
        }
        #expect(fromRoot > pairs.count * 3 / 4)
    }

    /// At 7 and 8 places a root near 10^9 puts the closed form's hundredths past Int64: it must
    /// leave those to the bisection, not trap (found in the second reading of issue 16).
    @Test(arguments: [7, 8])
    func compoundGrowthNearTheEdgeOfInt64IsTheBisectionsValueNotATrap(places: Int) {
        for ratio in [Decimal(string: "9e17")!, Decimal(string: "8.5e17")!, Decimal(string: "9.99e17")!, Decimal(string: "1e16")!] {
            let actual = Readable.compoundGrowth(from: 1, to: ratio, places: places)
            let expected = Readable.bisectedGrowth(ratio, places: places)
            #expect(actual == expected && actual?.description == expected.description, "\(ratio) at \(places) places")
        }
    }

    @Test func halvingFromTheDigitsIsDecimalDivisionByTwo() {
        #expect(DecimalStorage.layoutHolds)
        var random = SplitMix(state: 2)
        for _ in 0..<20_000 {
            var text = Bool.random(using: &random) ? "-" : ""
            for _ in 0..<Int.random(in: 1...38, using: &random) { text += String(Int.random(in: 0...9, using: &random)) }
            let value = Decimal(string: "\(text)e\(Int.random(in: -110...110, using: &random))")!
            let expected = value / 2, actual = DecimalStorage.half(value)
            #expect((actual == expected || expected.isNaN && actual.isNaN) && actual.description == expected.description, "\(value)")
        }
    }

    @Test func tiesRoundHalfAwayFromZeroOnBothSides() {
        #expect(Readable.number(Decimal(string: "0.125")!) == "0.13")
        #expect(Readable.number(Decimal(string: "-0.125")!) == "-0.13")
        #expect(Readable.number(Decimal(string: "-0.004")!) == "0")
        #expect(Readable.amount(Decimal(string: "12345.5")!, .moneyWan, .zh) == "1.2346亿元")
    }
}
