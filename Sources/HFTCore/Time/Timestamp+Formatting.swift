extension Timestamp: CustomStringConvertible {
    /// RFC 3339 in UTC with 9 fractional digits: `2026-08-09T21:05:48.228568804Z`.
    public var description: String {
        let seconds = secondsSinceEpoch
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let dayIndex = secondOfDay < 0 ? days - 1 : days
        let sod = secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay
        let date = CivilDate.civilFromDays(dayIndex)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(Int64(date.year), 4))-\(pad(Int64(date.month), 2))-\(pad(Int64(date.day), 2))"
            + "T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(nanosecondOfSecond, 9))Z"
    }
}
