import Foundation
import Testing

@testable import Indicators

@Suite struct ScoreTests {
    static func score(_ lhs: String, _ comparator: Comparison, _ rhs: String) -> Int {
        let l = Decimal(string: lhs)!, r = Decimal(string: rhs)!
        return Score.of(passed: comparator.holds(l, r), relativeMargin: Score.relativeMargin(l, comparator, r))
    }

    @Test(arguments: [
        ("200000", Comparison.atLeast, "200000", 60),
        ("199999.99", .atLeast, "200000", 59),
        ("300000", .atLeast, "200000", 100),
        ("0", .atLeast, "200000", 0),
        ("186000", .above, "186000", 59),
        ("186000.01", .above, "186000", 60),
        ("100", .atMost, "100", 60),
        ("100.01", .atMost, "100", 59),
        ("0.6", .below, "0.6", 59),
    ])
    func scoreAtTheBound(lhs: String, comparator: Comparison, rhs: String, expected: Int) {
        #expect(Self.score(lhs, comparator, rhs) == expected)
    }

    @Test(arguments: [Comparison.atLeast, .above, .atMost, .below])
    func scoreNeverDecreasesAsTheValueImproves(comparator: Comparison) {
        let values = stride(from: 0, through: 400, by: 1).map { Decimal($0) }
        let ordered = comparator.lowerIsBetter ? values.reversed() : values
        let scores = ordered.map { Score.of(passed: comparator.holds($0, 200), relativeMargin: Score.relativeMargin($0, comparator, 200)) }
        #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(scores.allSatisfy { (0...100).contains($0) })
    }
}
