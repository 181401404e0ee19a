import Foundation
import IndicatorKit
import ReviewCore
import Testing

/// The daily sweep slot, in Asia/Shanghai.
@Suite struct SweepScheduleTests {
    /// An instant given in UTC.
    func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func beforeTwoInTheMorningShanghaiTheDueSlotIsYesterdays() throws {
        let schedule = try #require(SweepSchedule(LifecycleSettings()))
        // 17:59 UTC = 01:59 the next day in Shanghai.
        let slot = schedule.dueSlot(at: utc("2027-03-30T17:59:00Z"))
        #expect(slot.slot == "daily:2027-03-30")
        #expect(slot.due == utc("2027-03-29T18:00:00Z"))
    }

    @Test func atTwoInTheMorningShanghaiTheDaysSlotFallsDue() throws {
        let schedule = try #require(SweepSchedule(LifecycleSettings()))
        let slot = schedule.dueSlot(at: utc("2027-03-30T18:00:00Z"))
        #expect(slot.asOf == CivilDate("2027-03-31"))
        #expect(schedule.nextDue(after: utc("2027-03-30T18:00:00Z")) == utc("2027-03-31T18:00:00Z"))
    }

    @Test(arguments: ["2:00am", "24:00", "02:60", ""])
    func anInvalidTimeOfDayHasNoSchedule(time: String) {
        var settings = LifecycleSettings()
        settings.sweepTime = time
        #expect(SweepSchedule(settings) == nil)
    }
}
