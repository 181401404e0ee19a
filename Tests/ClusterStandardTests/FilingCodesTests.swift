import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import JSONCore

@Suite struct FilingCodesTests {
    @Test(arguments: ["91110000600037341L", "91460400MA5T000014", "91460401MA5T00002M"])
    func validSocialCreditCodesPass(code: String) {
        #expect(SocialCreditCode.isValid(code))
    }

    @Test(arguments: ["91110000600037341K", "91110000600037341", "9111000060003734IL", "91110000600037341l"])
    func invalidSocialCreditCodesFail(code: String) {
        #expect(!SocialCreditCode.isValid(code))
    }

    @Test func hainanHasTwentySixCountyCodes() {
        #expect(HainanCounty.all.count == 26)
        #expect(HainanCounty.named("460205")?.name == "崖州区")
        #expect(HainanCounty.named("460100") == nil)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesTheFipsVectors(input: String, digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test func canonicalTextSortsKeysAndKeepsDecimalsExact() {
        let value: JSONValue = ["b": .number(Decimal(string: "0.1")!), "a": [1, "x\n"]]
        #expect(value.canonicalText() == "{\"a\":[1,\"x\\n\"],\"b\":0.1}")
    }

    @Test func strictReaderKeepsDecimalsExact() throws {
        let value = try JSONValue(parsing: Data("{\"v\": 0.1, \"w\": 1e2}".utf8), limits: .document)
        #expect(value["v"]?.decimal == Decimal(string: "0.1"))
        #expect(value["w"]?.decimal == 100)
    }
}
