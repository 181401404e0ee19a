import Foundation
import Testing
import JSONCore
@testable import ClusterStandard

/// The validator's walk keeps its path as bytes and checks scales from the exponent; both must
/// give exactly what the former walk gave (`JSONPath.member`, the exact scale check).
@Suite struct ValidatorWalkTests {
    @Test(arguments: ["kind", "filing_date", "COMP-1", "", "名称", "a b", "x\"]", "_9", "9", "é", "tab\there"])
    func memberPathsAreWrittenAsJSONPathWritesThem(name: String) {
        var walker = FilingValidator.Walker()
        walker.enter(member: "figures")
        walker.enter(index: 2)
        let mark = walker.here.count
        walker.enter(member: name)
        #expect(walker.path == "$" + JSONPath.member("figures") + "[2]" + JSONPath.member(name))
        walker.leave(to: mark)
        #expect(walker.path == "$.figures[2]")
    }

    @Test(arguments: [0, 7, 9, 10, 11, 99, 100, 12_345])
    func elementPathsAreTheIndexInBrackets(index: Int) {
        var walker = FilingValidator.Walker()
        walker.enter(index: index)
        #expect(walker.path == "$[\(index)]")
    }

    /// The former check: scaled by 10^scale, rounded to an integer, compared.
    static func exactScale(_ d: Decimal, atMost scale: Int) -> Bool {
        var scaled = d * Decimal(sign: .plus, exponent: scale, significand: 1)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return rounded == scaled
    }

    @Test func scaleFromTheExponentAgreesWithTheExactCheck() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Decimal] = []
        for text in ["0", "0.0", "0.00", "1.50", "1.5", "1.05", "100", "1e2", "1E-2", "12.3400", "-0.01", "-7", "1e40", "123456789012345678901234567890.12",
                     "0.00001", "99999999999999999999999999999999999999", "9.99"] {
            values.append(try #require(Decimal(string: text)))
        }
        for _ in 0..<5_000 {
            let significand = Decimal(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
            values.append(Decimal(sign: Bool.random(using: &generator) ? .minus : .plus, exponent: Int.random(in: -12...12, using: &generator), significand: significand))
        }
        for text in ["0.1", "12.34", "5", "0.0001", "3.14159"] {
            // What the parser gives for numbers as a filing writes them.
            let value = try JSONValue(parsing: Data("[\(text)]".utf8), limits: .document)
            if case .array(let items) = value, case .number(let d)? = items.first { values.append(d) }
        }
        for value in values {
            for scale in 0...4 {
                #expect(FilingValidator.Walker.hasScale(value, atMost: scale) == Self.exactScale(value, atMost: scale), "\(value) at scale \(scale)")
            }
        }
    }

    /// Issues of unknown members stay ahead of the fields' own, as the former walk added them,
    /// and every path is the one `JSONPath` writes.
    @Test func unknownMembersAndFieldIssuesKeepTheirPaths() {
        let filing: JSONValue = [
            "format_version": 1, "kind": "initial", "filing_date": "not a date", "x_unknown": true, "名": 1,
            "applicant": ["county_code": 460400, "y-extra": "?"],
        ]
        let issues = FilingValidator.validate(filing)
        let paths = Set(issues.map(\.path))
        #expect(paths.contains("$.x_unknown"))
        #expect(paths.contains("$[\"名\"]"))
        #expect(paths.contains("$.applicant[\"y-extra\"]"))
        #expect(paths.contains("$.applicant.county_code"))
        #expect(paths.contains("$.filing_date"))
        #expect(issues.first { $0.path == "$.x_unknown" }?.rule == "unknown_field")
        #expect(issues == issues.sorted { ($0.path, $0.rule) < ($1.path, $1.rule) })
    }
}
