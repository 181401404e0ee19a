import Foundation
import IndicatorKit
import Testing
import ClusterStandard

/// Amounts, shares, areas, counts and dates as a reader of the measures writes them.
@Suite struct ReadableTests {
    @Test(arguments: [
        (Decimal(200_000), "20亿元", "2 billion CNY"),
        (Decimal(400_000), "40亿元", "4 billion CNY"),
        (Decimal(372_000), "37.2亿元", "3.72 billion CNY"),
        (Decimal(10_000), "1亿元", "100 million CNY"),
        (Decimal(3_500), "3,500万元", "35 million CNY"),
        (Decimal(string: "7717.5")!, "7,717.5万元", "77.175 million CNY"),
        (Decimal(50), "50万元", "500,000 CNY"),
        (Decimal(-150_000), "-15亿元", "-1.5 billion CNY"),
    ])
    func moneyIsIn万元OrAt亿ScaleIn亿元(_ wan: Decimal, _ zh: String, _ en: String) {
        #expect(Readable.amount(wan, .moneyWan, .zh) == zh)
        #expect(Readable.amount(wan, .moneyWan, .en) == en)
    }

    @Test func sharesAndRatesArePercentages() {
        #expect(Readable.amount(Decimal(string: "0.6")!, .share, .zh) == "60%")
        #expect(Readable.amount(Decimal(string: "0.05")!, .rate, .en) == "5%")
        #expect(Readable.amount(Decimal(string: "0.677419")!, .share, .en) == "67.74%")
        #expect(Readable.difference(Decimal(string: "0.125")!, .share, .zh) == "12.5 个百分点")
        #expect(Readable.difference(Decimal(string: "0.01")!, .rate, .en) == "1 percentage point")
    }

    @Test(arguments: [
        (">=", "不低于 60%", "at least 60%"), (">", "高于 60%", "more than 60%"),
        ("<=", "不超过 60%", "at most 60%"), ("<", "低于 60%", "less than 60%"),
    ])
    func theComparatorIsInWords(_ comparator: String, _ zh: String, _ en: String) {
        #expect(Readable.bound(comparator, Decimal(string: "0.6")!, .share, .zh) == zh)
        #expect(Readable.bound(comparator, Decimal(string: "0.6")!, .share, .en) == en)
    }

    @Test func areasCountsAndPatentsHaveTheirUnits() {
        #expect(Readable.bound("<=", 100, .areaKm2, .zh) == "不超过 100 平方公里")
        #expect(Readable.bound("<=", 100, .areaKm2, .en) == "at most 100 km²")
        #expect(Readable.amount(5, .enterprises, .zh) == "5 家")
        #expect(Readable.amount(1, .enterprises, .en) == "1 enterprise")
        #expect(Readable.amount(2, .platforms, .en) == "2 platforms")
        #expect(Readable.amount(6, .patentsPer10k, .zh) == "每万名从业人员 6 件")
        #expect(Readable.amount(1_234_567, .plain, .en) == "1,234,567")
    }

    @Test func theMarginSaysWhichSideOfTheBound() {
        #expect(Readable.margin(150_000, .moneyWan, .zh) == "余量 15亿元")
        #expect(Readable.margin(150_000, .moneyWan, .en) == "1.5 billion CNY to spare")
        #expect(Readable.margin(Decimal(string: "-0.05")!, .share, .zh) == "差 5 个百分点")
        #expect(Readable.margin(Decimal(string: "-0.05")!, .share, .en) == "short by 5 percentage points")
    }

    @Test func datesAreWrittenAsPeopleWriteThem() {
        #expect(Readable.date(CivilDate("2026-03-15")!, .zh) == "2026年3月15日")
        #expect(Readable.date(CivilDate("2026-03-15")!, .en) == "15 March 2026")
    }

    @Test(arguments: [
        (Decimal(100), Decimal(string: "110.25")!, Decimal(string: "0.05")!),
        (Decimal(100), Decimal(121), Decimal(string: "0.1")!),
        (Decimal(100), Decimal(100), Decimal(0)),
        (Decimal(100), Decimal(81), Decimal(string: "-0.1")!),
    ])
    func compoundGrowthIsExactWithoutFloatingPoint(_ v1: Decimal, _ v3: Decimal, _ growth: Decimal) {
        #expect(Readable.compoundGrowth(from: v1, to: v3) == growth)
    }

    @Test func growthFromNothingHasNoRate() {
        #expect(Readable.compoundGrowth(from: 0, to: 5) == nil)
    }

    @Test(arguments: [("万元", Measure.moneyWan), ("share (0–1)", .share), ("rate (0–1)", .rate), ("km²", .areaKm2),
                      ("enterprises", .enterprises), ("platforms", .platforms), ("patents per 10,000 employees", .patentsPer10k),
                      ("working days", .plain)])
    func everyUnitOfTheRulebooksHasItsMeasure(_ unit: String, _ measure: Measure) {
        #expect(Measure(unit: unit) == measure)
    }
}
