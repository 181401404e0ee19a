import Foundation
import IndicatorKit

/// Public holidays and adjusted working days (调休), and working-day arithmetic on them.
///
/// A day is a working day when the calendar lists it as a `workday`, or when it is Monday to
/// Friday and not listed as a `holiday`. Days the calendar does not cover follow the weekday rule.
/// The same rule is `is_working_day` in sql/004_lifecycle.sql; `install` copies the calendar there.
public struct WorkingCalendar: Sendable, Hashable {
    /// Holidays by date, with their names.
    public var holidays: [CivilDate: String]
    /// Weekend days that are working days, with their names.
    public var workdays: [CivilDate: String]

    /// A calendar from its two lists; a date in both is an error the loader reports.
    public init(holidays: [CivilDate: String] = [:], workdays: [CivilDate: String] = [:]) {
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Whether `day` is a working day.
    public func isWorkingDay(_ day: CivilDate) -> Bool {
        if workdays[day] != nil { return true }
        if holidays[day] != nil { return false }
        return day.weekday <= 5
    }

    /// The `count`-th working day after `day` (`day` itself never counts); `count` at least 1.
    public func adding(workingDays count: Int, to day: CivilDate) -> CivilDate {
        precondition(count >= 1, "count working days from 1")
        var current = day
        var left = count
        while left > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { left -= 1 }
        }
        return current
    }

    /// The public notice for a decision taken on `decidedOn`: it opens on the next working day
    /// and closes at the end of the `workingDays`-th working day after the decision.
    public func noticePeriod(decidedOn: CivilDate, workingDays: Int) -> ClosedRange<CivilDate> {
        adding(workingDays: 1, to: decidedOn)...adding(workingDays: workingDays, to: decidedOn)
    }

    /// Reads `config/calendar.json` (format in docs/lifecycle.md).
    ///
    /// Throws `LifecycleConfigurationError` for an unreadable file, a bad date, a range that runs
    /// backwards, or a day listed as both holiday and working day.
    public static func load(from url: URL) throws -> WorkingCalendar {
        struct File: Decodable {
            struct Holiday: Decodable { var from: String; var to: String?; var name: String }
            struct Workday: Decodable { var date: String; var name: String }
            struct Year: Decodable { var holidays: [Holiday]; var workdays: [Workday] }
            var years: [String: Year]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "\(error)")
        }
        func date(_ text: String) throws -> CivilDate {
            guard let day = CivilDate(text) else {
                throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "'\(text)' is not a date YYYY-MM-DD")
            }
            return day
        }
        var calendar = WorkingCalendar()
        for (_, year) in file.years {
            for holiday in year.holidays {
                let first = try date(holiday.from), last = try date(holiday.to ?? holiday.from)
                guard first <= last else {
                    throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "holiday \(holiday.name) ends before it starts")
                }
                var day = first
                while day <= last {
                    calendar.holidays[day] = holiday.name
                    day = day.adding(days: 1)
                }
            }
            for workday in year.workdays { calendar.workdays[try date(workday.date)] = workday.name }
        }
        if let both = calendar.holidays.keys.first(where: { calendar.workdays[$0] != nil }) {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "\(both) is listed as both a holiday and a working day")
        }
        return calendar
    }
}

/// The lifecycle parameters of `config/lifecycle.json`.
public struct LifecycleSettings: Sendable, Hashable, Codable {
    /// Length of the public notice in working days (default 5).
    public var publicityWorkingDays: Int = 5
    /// A sweep notices recognitions expiring within this many days (default 90).
    public var expiryNoticeDays: Int = 90
    /// `propose` (default: an administrator confirms each revocation) or `apply`.
    public var revocationMode: String = "propose"
    /// Years a recognition or a recertification is valid (Art. 12: 3).
    public var validityYears: Int = 3
    /// When `serve` runs the daily sweep, `HH:MM` in Asia/Shanghai (default 02:00).
    public var sweepTime: String = "02:00"
    /// How long a sweep waits for another one to finish before it stops, saying so (default 60 s).
    public var sweepWaitSeconds: Int = 60
    /// Days after a term's last day during which a recertification filing still counts for it and the
    /// cluster is "expired, recheck pending", not yet a 14(1) case (default 183; criteria.md).
    public var recheckWindowDays: Int = 183
    /// How close to its bound a threshold may pass in monitoring and still be on the watchlist, as a
    /// fraction of the bound ("only just passes"; default 0.10: within 10 %).
    public var watchMargin: Decimal = Decimal(string: "0.10")!

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case publicityWorkingDays = "publicity_working_days", expiryNoticeDays = "expiry_notice_days"
        case revocationMode = "revocation_mode", validityYears = "validity_years", sweepTime = "sweep_time"
        case sweepWaitSeconds = "sweep_wait_seconds", recheckWindowDays = "recheck_window_days"
        case watchMargin = "watch_margin"
    }

    /// Any key may be left out; it keeps its default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LifecycleSettings()
        publicityWorkingDays = try container.decodeIfPresent(Int.self, forKey: .publicityWorkingDays) ?? defaults.publicityWorkingDays
        expiryNoticeDays = try container.decodeIfPresent(Int.self, forKey: .expiryNoticeDays) ?? defaults.expiryNoticeDays
        revocationMode = try container.decodeIfPresent(String.self, forKey: .revocationMode) ?? defaults.revocationMode
        validityYears = try container.decodeIfPresent(Int.self, forKey: .validityYears) ?? defaults.validityYears
        sweepTime = try container.decodeIfPresent(String.self, forKey: .sweepTime) ?? defaults.sweepTime
        sweepWaitSeconds = try container.decodeIfPresent(Int.self, forKey: .sweepWaitSeconds) ?? defaults.sweepWaitSeconds
        recheckWindowDays = try container.decodeIfPresent(Int.self, forKey: .recheckWindowDays) ?? defaults.recheckWindowDays
        watchMargin = try container.decodeIfPresent(Decimal.self, forKey: .watchMargin) ?? defaults.watchMargin
    }

    /// Reads `config/lifecycle.json`; throws `LifecycleConfigurationError` for a bad file or value.
    public static func load(from url: URL) throws -> LifecycleSettings {
        let settings: LifecycleSettings
        do {
            settings = try JSONDecoder().decode(LifecycleSettings.self, from: Data(contentsOf: url))
        } catch {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "\(error)")
        }
        guard ["propose", "apply"].contains(settings.revocationMode) else {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "revocation_mode must be propose or apply")
        }
        guard (1...60).contains(settings.publicityWorkingDays) else {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "publicity_working_days must be 1 to 60")
        }
        guard (1...3600).contains(settings.sweepWaitSeconds) else {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "sweep_wait_seconds must be 1 to 3600")
        }
        guard (0...730).contains(settings.recheckWindowDays) else {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "recheck_window_days must be 0 to 730")
        }
        guard settings.watchMargin >= 0 && settings.watchMargin <= 1 else {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "watch_margin must be 0 to 1 (a fraction of the bound)")
        }
        return settings
    }
}

/// A lifecycle configuration file could not be used; fix the file named.
public struct LifecycleConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, e.g. `calendar.json`.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    /// `config/calendar.json: …`.
    public var description: String { "config/\(file): \(problem)" }
}
