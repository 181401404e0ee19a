import Foundation

/// Figures recorded once per run, summarized as the median and the spread (min–max) over runs.
///
/// Medians, not means: one run disturbed by another user of the machine moves a mean, not a median.
struct RunFigures {
    /// One named figure and how to print it.
    struct Figure {
        var name: String
        var unit: String
        var decimals: Int
        var values: [Double] = []
    }

    private(set) var figures: [Figure] = []

    /// Records `value` for figure `name` (created on first use, printed in that order).
    mutating func record(_ name: String, _ value: Double, unit: String = "", decimals: Int = 1) {
        if let index = figures.firstIndex(where: { $0.name == name }) {
            figures[index].values.append(value)
        } else {
            figures.append(Figure(name: name, unit: unit, decimals: decimals, values: [value]))
        }
    }

    /// The median of `name`'s values (0 when none).
    func median(_ name: String) -> Double {
        figures.first { $0.name == name }.map { Self.median($0.values) } ?? 0
    }

    /// The table: figure, median, min–max, and each run's value.
    func table(indent: String = "  ") -> String {
        let width = max(24, (figures.map(\.name.count).max() ?? 0) + 2)
        var lines = [indent + "figure".padding(toLength: width, withPad: " ", startingAt: 0) + "median".leftPadded(10)
            + "   spread (min – max)     runs"]
        for figure in figures {
            let format = { (value: Double) in String(format: "%.\(figure.decimals)f", value) }
            let sorted = figure.values.sorted()
            let spread = "\(format(sorted.first ?? 0)) – \(format(sorted.last ?? 0))"
            lines.append(indent + figure.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + format(Self.median(figure.values)).leftPadded(10) + " " + figure.unit.padding(toLength: 9, withPad: " ", startingAt: 0)
                + spread.padding(toLength: 17, withPad: " ", startingAt: 0) + figure.values.map(format).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The middle value; for an even count, the mean of the two middle values.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

extension String {
    /// Right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Seconds of a `Duration`, as a Double for printing.
func durationSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A subcommand's options: `--name VALUE` pairs and bare `--flag`s, checked against what the
/// subcommand accepts.
struct BenchArguments {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments`; nil (a usage error) on an unknown option or a missing value.
    init?(_ arguments: [String], values valueNames: Set<String>, flags flagNames: Set<String> = []) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            if flagNames.contains(name) {
                flags.insert(name)
                index += 1
            } else if valueNames.contains(name), index + 1 < arguments.count {
                values[name] = arguments[index + 1]
                index += 2
            } else {
                return nil
            }
        }
    }

    /// A whole number ≥ `minimum`; `fallback` when absent; nil when given but not such a number.
    func int(_ name: String, default fallback: Int, minimum: Int = 0) -> Int? {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value >= minimum else { return nil }
        return value
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func has(_ name: String) -> Bool { values[name] != nil }
}
