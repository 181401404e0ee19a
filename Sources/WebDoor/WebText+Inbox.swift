import IndicatorKit

/// The words of a person's notifications page.
extension WebText {
    static let notifications = T(zh: "通知", en: "Notifications")
    static let notificationsIntro = T(
        zh: "需要您处理或知悉的事项，最新的在前。发给本县（区）或评审人员的通知，由其中一人标为已读后，对所有人都显示为已读。",
        en: "What you must act on or know, newest first. A notice to your county or to the reviewers is read for all of them once one has marked it read.")
    static let noNotifications = T(zh: "没有通知。", en: "No notifications.")
    static let unread = T(zh: "未读", en: "unread")
    static let readState = T(zh: "已读", en: "read")
    static let noticeWhen = T(zh: "时间", en: "When")
    static let noticeWhat = T(zh: "事项", en: "What")
    static let noticeState = T(zh: "状态", en: "State")
    static let markAllRead = T(zh: "将以上通知标为已读", en: "Mark these read")
    static let notificationsNotYours = T(zh: "您的角色不接收通知。", en: "Your role receives no notifications.")
}
