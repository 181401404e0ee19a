import Foundation
import IndicatorKit

/// What a number measures, as a reader of the measures thinks of it: money in 万元 (shown in 亿元
/// at 亿 scale), a share or a growth rate (a fraction, shown as a percentage), an area in km², a
/// count of enterprises or platforms, patents per 10,000 employees, or a plain number.
public enum Measure: String, Sendable, Hashable, CaseIterable {
    case moneyWan, share, rate, areaKm2, enterprises, platforms, patentsPer10k, plain

    /// The measure of a rulebook parameter's unit as config/parameters.json writes it
    /// (`万元`, `share (0–1)`, `rate (0–1)`, `km²`, `enterprises`, `platforms`,
    /// `patents per 10,000 employees`); any other unit is `plain`.
    public init(unit: String) {
        switch unit {
        case "万元": self = .moneyWan
        case "share (0–1)": self = .share
        case "rate (0–1)": self = .rate
        case "km²": self = .areaKm2
        case "enterprises": self = .enterprises
        case "platforms": self = .platforms
        case "patents per 10,000 employees": self = .patentsPer10k
        default: self = .plain
        }
    }

    /// Whether values are fractions shown as percentages (and differences as percentage points).
    public var isFraction: Bool { self == .share || self == .rate }
}

/// The one formatting of amounts, shares, areas, counts and dates for people: the terminal, the
/// HTML and the JSON's human-readable fields use it, so 200000 万元 reads 20亿元 everywhere.
///
/// Exact decimal arithmetic throughout (`Decimal`, never binary floating point): a value is only
/// rounded, half away from zero, at the last step, to the places shown. Thousands are grouped with
/// commas in both languages. Comparators are given in words: 不低于/at least (`>=`), 高于/more than
/// (`>`), 不超过/at most (`<=`), 低于/less than (`<`).
public enum Readable {
    /// `value` rounded to at most `places` decimals, trailing zeros dropped, thousands grouped:
    /// `1234567.50` → `1,234,567.5`.
    public static func number(_ value: Decimal, places: Int = 2) -> String {
        scaled(value, by: 0, places: places)
    }

    /// `value × 10^shift` as `number` writes it. A value whose digits fit 64 bits (every amount of
    /// a filing) is rounded and written from its digits with integer arithmetic, without `Decimal`
    /// multiplication, division, rounding or `description`; any other goes the general way. Both
    /// give the same text (ReadableTests compares them over many values).
    static func scaled(_ value: Decimal, by shift: Int, places: Int) -> String {
        if let small = SmallDecimal(value), let text = small.written(shift: shift, places: places) { return text }
        var shifted = value
        if shift != 0 { shifted = shift > 0 ? value * power(shift) : value / power(-shift) }
        return general(shifted, places: places)
    }

    /// 10^n as a `Decimal`.
    static func power(_ n: Int) -> Decimal {
        switch n {
        case 2: return 100
        case 4: return 10_000
        case 5: return 100_000
        default: return pow(10, n)
        }
    }

    /// `number` through `Decimal` rounding and `description`: the definition the fast path matches.
    static func general(_ value: Decimal, places: Int) -> String {
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

    /// Whether |value| ≥ 10^n, from the digits when they fit 64 bits.
    static func magnitude(of value: Decimal, atLeastPowerOfTen n: Int) -> Bool {
        if let small = SmallDecimal(value) { return small.magnitudeAtLeast(powerOfTen: n) }
        return (value < 0 ? -value : value) >= power(n)
    }

    /// An amount of `measure` in `language`: 200000 万元 → `20亿元` / `2 billion CNY`; 3500 万元 →
    /// `3,500万元` / `35 million CNY`; 0.6 share → `60%`; 100 km² → `100 平方公里` / `100 km²`.
    public static func amount(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        let en = language == .en
        switch measure {
        case .moneyWan:
            if en {
                if Self.magnitude(of: value, atLeastPowerOfTen: 5) { return "\(scaled(value, by: -5, places: 4)) billion CNY" }
                if Self.magnitude(of: value, atLeastPowerOfTen: 2) { return "\(scaled(value, by: -2, places: 4)) million CNY" }
                return "\(scaled(value, by: 4, places: 0)) CNY"
            }
            if Self.magnitude(of: value, atLeastPowerOfTen: 4) { return "\(scaled(value, by: -4, places: 4))亿元" }
            return "\(number(value, places: 2))万元"
        case .share, .rate:
            return "\(scaled(value, by: 2, places: 2))%"
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

    /// A difference between two amounts of `measure`: fractions in percentage points
    /// (`12.5 个百分点` / `12.5 percentage points`), anything else as an amount.
    public static func difference(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        if measure.isFraction {
            let points = scaled(value, by: 2, places: 2)
            return language == .en ? "\(points) percentage point\(points == "1" ? "" : "s")" : "\(points) 个百分点"
        }
        return amount(value, measure, language)
    }

    /// The comparator in words: 不低于/at least, 高于/more than, 不超过/at most, 低于/less than;
    /// an unknown comparator is kept as written.
    public static func comparator(_ comparator: String, _ language: Language) -> String {
        let en = language == .en
        switch comparator {
        case ">=": return en ? "at least" : "不低于"
        case ">": return en ? "more than" : "高于"
        case "<=": return en ? "at most" : "不超过"
        case "<": return en ? "less than" : "低于"
        case "==", "=": return en ? "equal to" : "等于"
        default: return comparator
        }
    }

    /// A bound with its comparator in words: `不低于 20亿元`, `more than 60%`, `不超过 100 平方公里`.
    public static func bound(_ comparator: String, _ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        "\(self.comparator(comparator, language)) \(amount(value, measure, language))"
    }

    /// A margin: how far the observed value is on the good side of its bound (`余量 10亿元` /
    /// `10 billion CNY to spare`) or short of it (`差 5 个百分点` / `short by 5 percentage points`).
    public static func margin(_ value: Decimal, _ measure: Measure, _ language: Language) -> String {
        let size = difference(value < 0 ? -value : value, measure, language)
        if language == .en { return value < 0 ? "short by \(size)" : "\(size) to spare" }
        return value < 0 ? "差 \(size)" : "余量 \(size)"
    }

    /// A date as people write it: `2026年3月15日` / `15 March 2026`.
    public static func date(_ date: CivilDate, _ language: Language) -> String {
        guard language == .en else { return "\(date.year)年\(date.month)月\(date.day)日" }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                      "November", "December"]
        return "\(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// The compound annual growth over two intervals, `(v3/v1)^(1/2) − 1`, to `places` decimals,
    /// as exact decimal bisection gives it (`bisectedGrowth`); nil when `v1` is not positive or `v3`
    /// negative. Most values are found without the bisection (`growthFromRoot`), which proves in
    /// exact arithmetic that the bisection would give its value and leaves the rest to it.
    public static func compoundGrowth(from v1: Decimal, to v3: Decimal, places: Int = 6) -> Decimal? {
        guard v1 > 0, v3 >= 0 else { return nil }
        let ratio = v3 / v1
        return growthFromRoot(ratio, places: places) ?? bisectedGrowth(ratio, places: places)
    }

    /// `√ratio − 1` rounded half away from zero to `places` decimals by bisection: r with r² =
    /// `ratio` searched on [0, max(1, ratio)] until the interval is at most 10^-(places+2) wide,
    /// its lower end less 1 rounded. The definition of `compoundGrowth`.
    static func bisectedGrowth(_ ratio: Decimal, places: Int) -> Decimal {
        var low = Decimal(0), high = max(Decimal(1), ratio)
        // 10^-(places+2), the value that dividing 1 by 10 that many times gives, written at once.
        let step = Decimal(sign: .plus, exponent: -(places + 2), significand: 1)
        while high - low > step {
            // Halved from the digits where the half is exact (the value `/ 2` gives; issue 16:
            // Decimal's long division here was a seventh of the growth modules' CPU).
            let middle = DecimalStorage.half(low + high)
            if middle * middle > ratio { high = middle } else { low = middle }
        }
        var growth = low - 1, rounded = Decimal()
        NSDecimalRound(&rounded, &growth, places, .plain)
        return rounded
    }

    /// `bisectedGrowth(ratio, places:)` without the bisection, or nil where it cannot show that it
    /// is that value (issue 16: the bisection was a twelfth of the workers' CPU).
    ///
    /// The bisection ends with `low` in (√ratio − u/100, √ratio], u = 10^-places, up to
    /// `Decimal`'s 38-digit rounding (relative 10^-36 at most). A candidate `c = k·u` is picked
    /// from a binary square root, then proven in exact integer arithmetic: when
    /// L = 1 + c − u/2 + 2u/100 has L² ≤ ratio and H = 1 + c + u/2 − 2u/100 has H² > ratio,
    /// √ratio lies in [L, H), so `low − 1` lies strictly inside (c − u/2, c + u/2) and rounds to
    /// c, whatever the bisection's path. The result is that rounding applied to a value with the
    /// same scale of digits as the bisection's, so it is the same `Decimal`, written the same.
    /// A growth that rounds to 0 (whose sign the path decides), a candidate that fails either
    /// test, and ratios whose root is 10^9 or more go the bisection's way.
    static func growthFromRoot(_ ratio: Decimal, places: Int) -> Decimal? {
        guard (0...8).contains(places), DecimalStorage.layoutHolds, let (mantissa, exponent, negative) = DecimalStorage.read(ratio),
            !negative, mantissa != 0
        else { return nil }
        let approximate = (Double(mantissa) * pow(10, Double(exponent))).squareRoot()
        guard approximate.isFinite, approximate < 1e9 else { return nil }
        let unit = SmallDecimal.powers[places]  // 1/u
        let k = Int64(((approximate - 1) * Double(unit)).rounded())
        guard k != 0 else { return nil }
        // In hundredths of u: 1 + c = (unit + k)·100; L and H are 48 hundredths inside its bounds.
        // Past Int64 (8 places and a root near 10^9) the bisection takes it, as it does any doubt.
        let (sum, sumOverflows) = Int64(unit).addingReportingOverflow(k)
        let (centre, centreOverflows) = sum.multipliedReportingOverflow(by: 100)
        guard !sumOverflows, !centreOverflows, centre < Int64.max - 48 else { return nil }
        let lowBound = centre - 48, highBound = centre + 48
        guard lowBound > 0 else { return nil }
        func square(_ hundredths: Int64) -> Decimal {
            var digits = UInt128(hundredths) * UInt128(hundredths), power = -2 * (places + 2)
            while digits % 10 == 0 {
                digits /= 10
                power += 1
            }
            return DecimalStorage.write(mantissa: digits, exponent: power, negative: false)
        }
        guard square(lowBound) <= ratio, square(highBound) > ratio else { return nil }
        // c with one more hundredth of u toward its sign: the bisection's `low − 1` has digits
        // past 10^-places too, and rounds the same way to the same digits.
        let magnitude = UInt128(k.magnitude) * 100 + 1
        var near = DecimalStorage.write(mantissa: magnitude, exponent: -(places + 2), negative: k < 0), rounded = Decimal()
        NSDecimalRound(&rounded, &near, places, .plain)
        return rounded
    }
}

/// A `Decimal` whose digits fit 64 bits, read from its storage: `mantissa × 10^exponent`, signed.
///
/// `Decimal` keeps a binary mantissa of up to eight 16-bit words, an 8-bit exponent and its sign;
/// the public API offers no cheap way to the mantissa. The layout is read once against values
/// whose parts are known (`layoutHolds`); where it does not hold, nothing is read and every
/// caller takes the general path.
struct SmallDecimal: Equatable {
    var mantissa: UInt64
    var exponent: Int
    var negative: Bool

    init(mantissa: UInt64, exponent: Int, negative: Bool) {
        self.mantissa = mantissa
        self.exponent = exponent
        self.negative = negative
    }

    /// The parts of `value`, or nil when its mantissa needs more than 64 bits, it is NaN, or the
    /// storage layout is not the one known.
    init?(_ value: Decimal) {
        guard Self.layoutHolds, let parts = Self.read(value) else { return nil }
        self = parts
    }

    /// The parts as the storage holds them: byte 0 the exponent; byte 1 the length in 16-bit
    /// words (high nibble) and the sign (bit 3); the mantissa's words from byte 4, least
    /// significant first.
    static func read(_ value: Decimal) -> SmallDecimal? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: value) { bytes -> SmallDecimal? in
            let flags = bytes[1]
            let length = Int(flags >> 4)
            let negative = flags & 0x08 != 0
            if length == 0 { return negative ? nil : SmallDecimal(mantissa: 0, exponent: 0, negative: false) }
            guard length <= 4 else { return nil }
            var mantissa: UInt64 = 0
            for word in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt64(bytes[4 + 2 * word]) | UInt64(bytes[5 + 2 * word]) << 8
            }
            return SmallDecimal(mantissa: mantissa, exponent: Int(Int8(bitPattern: bytes[0])), negative: negative)
        }
    }

    /// Whether `read` finds the known parts of known values on this platform.
    static let layoutHolds: Bool = {
        let known: [(Decimal, SmallDecimal?)] = [
            (Decimal(string: "-123.45")!, SmallDecimal(mantissa: 12_345, exponent: -2, negative: true)),
            (Decimal(string: "1e30")!, SmallDecimal(mantissa: 1, exponent: 30, negative: false)),
            (Decimal(string: "0.000001")!, SmallDecimal(mantissa: 1, exponent: -6, negative: false)),
            (Decimal(UInt64.max), SmallDecimal(mantissa: UInt64.max, exponent: 0, negative: false)),
            (Decimal(string: "-65536.7")!, SmallDecimal(mantissa: 655_367, exponent: -1, negative: true)),
            (Decimal(0), SmallDecimal(mantissa: 0, exponent: 0, negative: false)),
            (Decimal(string: "18446744073709551616")!, nil),
            (Decimal.nan, nil),
        ]
        return known.allSatisfy { read($0.0) == $0.1 }
    }()

    /// 10^0 … 10^19.
    static let powers: [UInt64] = (0...19).map { (0..<$0).reduce(1) { result, _ in result * 10 } }

    /// The number of decimal digits of `mantissa` (1 for 0).
    var digitCount: Int {
        var count = 1
        while count < 20 && mantissa >= Self.powers[count] { count += 1 }
        return count
    }

    /// Whether |value| ≥ 10^n.
    func magnitudeAtLeast(powerOfTen n: Int) -> Bool {
        guard mantissa != 0 else { return false }
        let needed = n - exponent  // mantissa ≥ 10^needed
        if needed <= 0 { return true }
        if needed >= 20 { return false }
        return mantissa >= Self.powers[needed]
    }

    /// `value × 10^shift` rounded half away from zero to `places` decimals, trailing zeros dropped,
    /// thousands grouped — `Readable.number`'s text; nil where `Decimal` itself would leave its
    /// exponent range on the way (the general path then says what it does).
    func written(shift: Int, places: Int) -> String? {
        var exponent = self.exponent + shift
        guard (-128...127).contains(exponent), places >= 0 else { return nil }
        var digits = mantissa
        if exponent < -places {
            let dropped = -places - exponent
            if dropped >= 20 {
                digits = 0  // mantissa < 2^64 < 10^20 / 2: rounds to zero
            } else {
                let unit = Self.powers[dropped]
                let rest = digits % unit
                digits /= unit
                if rest >= unit / 2 { digits += 1 }
            }
            exponent = -places
        }
        if digits == 0 { return "0" }
        var text: [UInt8] = []
        text.reserveCapacity(40)
        var ascii: [UInt8] = []
        ascii.reserveCapacity(20)
        var rest = digits
        while rest > 0 {
            ascii.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        ascii.reverse()
        // Whole part: the digits before the point (with `exponent` zeros after them when it is
        // positive), or "0".
        let fractionCount = exponent < 0 ? -exponent : 0
        var whole: ArraySlice<UInt8>
        var fraction: ArraySlice<UInt8>
        var padded = ascii
        if exponent > 0 {
            padded.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exponent))
        } else if padded.count <= fractionCount {
            padded.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: fractionCount - padded.count + 1), at: 0)
        }
        whole = padded[..<(padded.count - fractionCount)]
        fraction = padded[(padded.count - fractionCount)...]
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        if negative { text.append(UInt8(ascii: "-")) }
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { text.append(UInt8(ascii: ",")) }
            text.append(digit)
        }
        if !fraction.isEmpty {
            text.append(UInt8(ascii: "."))
            text.append(contentsOf: fraction)
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// `Decimal`'s storage read and written directly, for the few operations the hot paths need
/// (issue 16). The layout (`SmallDecimal.read`) is checked once against known values, writing
/// included (`layoutHolds`); where it does not hold, every operation takes `Decimal`'s own way.
enum DecimalStorage {
    /// Whether values written by `write` read back as `Decimal` itself writes them.
    static let layoutHolds: Bool = {
        guard SmallDecimal.layoutHolds else { return false }
        let known: [(String, UInt128, Int, Bool)] = [
            ("1.5", 15, -1, false), ("-0.000125", 125, -6, true), ("123456789012345678901234567890123456", 123_456_789_012_345_678_901_234_567_890_123_456, 0, false),
            ("7e20", 7, 20, false),
        ]
        return known.allSatisfy { text, mantissa, exponent, negative in
            let written = write(mantissa: mantissa, exponent: exponent, negative: negative)
            let expected = Decimal(string: text)!
            return written == expected && written.description == expected.description
                && read(written).map { $0 == (mantissa, exponent, negative) } == true
        }
    }()

    /// Mantissa (up to 128 bits), exponent and sign; nil for NaN.
    static func read(_ value: Decimal) -> (mantissa: UInt128, exponent: Int, negative: Bool)? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: value) { bytes -> (UInt128, Int, Bool)? in
            let flags = bytes[1]
            let length = Int(flags >> 4)
            let negative = flags & 0x08 != 0
            if length == 0 { return negative ? nil : (0, 0, false) }
            guard length <= 8 else { return nil }
            var mantissa: UInt128 = 0
            for word in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt128(bytes[4 + 2 * word]) | UInt128(bytes[5 + 2 * word]) << 8
            }
            return (mantissa, Int(Int8(bitPattern: bytes[0])), negative)
        }
    }

    /// The compact `Decimal` `mantissa × 10^exponent` (no trailing zeros in the mantissa, as
    /// `Decimal`'s arithmetic leaves its results); `exponent` within −128…127, `mantissa` non-zero.
    static func write(mantissa: UInt128, exponent: Int, negative: Bool) -> Decimal {
        var value = Decimal()
        var words = mantissa
        var length = 0
        withUnsafeMutableBytes(of: &value) { bytes in
            while words != 0 {
                bytes[4 + 2 * length] = UInt8(truncatingIfNeeded: words)
                bytes[5 + 2 * length] = UInt8(truncatingIfNeeded: words >> 8)
                words >>= 16
                length += 1
            }
            bytes[0] = UInt8(bitPattern: Int8(exponent))
            bytes[1] = UInt8(length << 4) | (negative ? 0x08 : 0) | 0x04
        }
        return value
    }

    /// 10^38: `Decimal` keeps 38 digits.
    static let digitLimit: UInt128 = (0..<38).reduce(1) { result, _ in result * 10 }

    /// `value / 2`: from the digits when the half is exact within 38 digits (an even mantissa
    /// halved, an odd one times 5 with the exponent one lower), else `Decimal`'s division.
    static func half(_ value: Decimal) -> Decimal {
        // Far from exponent 0 `Decimal`'s division does its own things (NaN below about 10^-90,
        // where its working exponent underflows): those values go its way.
        guard layoutHolds, let (mantissa, exponent, negative) = read(value), mantissa != 0, (-60...60).contains(exponent) else {
            return value / 2
        }
        var digits = mantissa, power = exponent
        while digits % 10 == 0 && power < 127 {
            digits /= 10
            power += 1
        }
        if digits % 2 == 0 {
            digits /= 2
        } else {
            guard digits < digitLimit / 5 else { return value / 2 }
            digits *= 5
            power -= 1
        }
        return write(mantissa: digits, exponent: power, negative: negative)
    }
}
