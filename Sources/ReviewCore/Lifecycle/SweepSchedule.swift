import Foundation
import IndicatorKit

/// The daily sweep's schedule: once a day at `sweepTime` (config/lifecycle.json, default 02:00)
/// in Asia/Shanghai, for that day's date, under the slot `daily:YYYY-MM-DD`.
///
/// A coordinator (`serve`) asks for the slot due at or before `now` and runs `Sweep.run(asOf:slot:)`
/// with it; since the slot is the sweep's unique key, several coordinators, or a restarted one,
/// running the same slot record each action once.
public struct SweepSchedule: Sendable, Hashable {
    /// Hour of day, 0–23, Asia/Shanghai.
    public var hour: Int
    /// Minute, 0–59.
    public var minute: Int
    /// The zone the measures count days in.
    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// The schedule of `settings.sweepTime` (`HH:MM`); nil when it is not a valid time of day.
    public init?(_ settings: LifecycleSettings) {
        let parts = settings.sweepTime.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else { return nil }
        hour = parts[0]
        minute = parts[1]
    }

    /// The latest slot due at or before `now`: its as-of date, its name and the instant it fell due.
    public func dueSlot(at now: Date) -> (asOf: CivilDate, slot: String, due: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: now)
        var due = calendar.date(from: DateComponents(year: today.year, month: today.month, day: today.day, hour: hour, minute: minute))!
        if due > now { due = calendar.date(byAdding: .day, value: -1, to: due)! }
        let parts = calendar.dateComponents([.year, .month, .day], from: due)
        let day = CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)!
        return (day, "daily:\(day)", due)
    }

    /// The instant of the first slot after `now`.
    public func nextDue(after now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.timeZone
        return calendar.date(byAdding: .day, value: 1, to: dueSlot(at: now).due)!
    }
}
