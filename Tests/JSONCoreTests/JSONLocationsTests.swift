import Foundation
import JSONCore
import Testing

/// `JSONLocations`: each member's and element's place, by the validators' paths.
@Suite struct JSONLocationsTests {
    static let text = "\u{FEFF}{\n \"a\": {\"b\": [1, {\"COMP-1\": \"x\\\"y\"}]},\n \"c\\u0041\": null\n}"

    @Test func findsEveryMemberAndElementByItsPath() {
        let data = Data(Self.text.utf8)
        let offsets = JSONLocations.offsets(in: data)
        func line(_ path: String) -> Int? { offsets[path].map { SourcePosition(offset: $0, in: data).line } }
        #expect(line("$") == 1)
        #expect(line("$.a") == 2 && line("$.a.b") == 2 && line("$.a.b[0]") == 2 && line("$.a.b[1]") == 2)
        #expect(line("$.a.b[1][\"COMP-1\"]") == 2)
        #expect(line("$.cA") == 3, "an escaped key is found by its decoded name")
        #expect(offsets["$.a"].map { data[$0] } == UInt8(ascii: "\""), "a member's place is its key")
    }

    @Test func aMissingMemberIsPinnedToTheNearestEnclosingOne() {
        let data = Data(Self.text.utf8)
        let offsets = JSONLocations.offsets(in: data)
        #expect(JSONLocations.offset(of: "$.a.b[1].missing", in: offsets) == offsets["$.a.b[1]"])
        #expect(JSONLocations.offset(of: "$[\"x.y\"].z", in: offsets) == offsets["$"])
    }

    @Test func aBrokenTextYieldsWhatCameBeforeTheFault() {
        let offsets = JSONLocations.offsets(in: Data("{\"a\": 1, \"b\": [".utf8))
        #expect(offsets["$.a"] == 1)
        #expect(offsets["$.b"] == 9)
    }
}
