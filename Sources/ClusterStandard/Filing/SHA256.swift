/// SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), in plain Swift: Foundation on Linux has none
/// and the project takes no package.
///
/// Used for rulebook and filing content hashes, and by the web door for session and form tokens.
/// Tested against the FIPS and RFC 4231 test vectors, and against the plain textbook form
/// (`SHA256Tests`) on random inputs of every length around the block boundaries.
///
/// The message is read block by block where it lies (contiguous bytes: no padded copy of the
/// whole message; only the last one or two blocks are padded, on the stack); the state and the
/// message schedule are locals, not arrays, so a block allocates nothing; the 64 rounds are
/// unrolled eight at a time with the working variables renamed instead of shifted.
public enum SHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The 32-byte digest of `bytes`.
    public static func digest<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        let state = hashState(bytes)
        return [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            withUnsafeBytes(of: state) { words in
                for i in 0..<8 {
                    let word = words.load(fromByteOffset: i * 4, as: UInt32.self)
                    buffer[i * 4] = UInt8(truncatingIfNeeded: word >> 24)
                    buffer[i * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
                    buffer[i * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
                    buffer[i * 4 + 3] = UInt8(truncatingIfNeeded: word)
                }
            }
            count = 32
        }
    }

    /// The digest of `bytes` as 64 lowercase hexadecimal digits.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let state = hashState(bytes)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            withUnsafeBytes(of: state) { words in
                for i in 0..<8 {
                    let word = words.load(fromByteOffset: i * 4, as: UInt32.self)
                    for nibble in 0..<8 {
                        let digit = UInt8(truncatingIfNeeded: word >> UInt32(28 - nibble * 4)) & 0x0F
                        buffer[i * 8 + nibble] = digit < 10 ? 0x30 + digit : 0x57 + digit
                    }
                }
            }
            return 64
        }
    }

    /// HMAC-SHA-256 of `message` under `key` (RFC 2104).
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = digest(block.map { $0 ^ 0x36 } + message)
        return digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// The eight words of the hash state.
    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    /// The final state after every block of `bytes` and the padding.
    static func hashState<Bytes: Sequence>(_ bytes: Bytes) -> State {
        if let state = bytes.withContiguousStorageIfAvailable({ hashState(UnsafeRawBufferPointer($0)) }) { return state }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { hashState($0) }
    }

    static func hashState(_ message: UnsafeRawBufferPointer) -> State {
        var h: State = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        let count = message.count
        let whole = count / 64
        k.withUnsafeBufferPointer { k in
            for block in 0..<whole {
                compress(&h, UnsafeRawBufferPointer(rebasing: message[(block * 64)..<(block * 64 + 64)]), k)
            }
            // The tail, 0x80, zeros and the length in bits: one block, or two when fewer than
            // nine bytes are left after the tail.
            var tail: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &tail) { padded in
                let rest = count - whole * 64
                if rest > 0 {
                    padded.baseAddress!.copyMemory(from: message.baseAddress! + whole * 64, byteCount: rest)
                }
                padded[rest] = 0x80
                let blocks = rest < 56 ? 1 : 2
                let bitLength = UInt64(count) &* 8
                for i in 0..<8 { padded[blocks * 64 - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(i * 8)) }
                for block in 0..<blocks {
                    compress(&h, UnsafeRawBufferPointer(rebasing: padded[(block * 64)..<(block * 64 + 64)]), k)
                }
            }
        }
        return h
    }

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    @inline(__always) static func word(_ block: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
    }

    /// One round: `d` and `h` updated in place, the others read.
    @inline(__always) static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
        _ kw: UInt32
    ) {
        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ kw
        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
        d = d &+ t1
        h = t1 &+ t2
    }

    /// The compression function on one 64-byte block.
    @inline(__always) static func compress(_ state: inout State, _ block: UnsafeRawBufferPointer, _ k: UnsafeBufferPointer<UInt32>) {
        // The message schedule, on the stack.
        var schedule: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &schedule) { raw in
            let w = raw.bindMemory(to: UInt32.self)
            for i in 0..<16 { w[i] = word(block, i) }
            for i in 16..<64 {
                let w15 = w[i - 15], w2 = w[i - 2]
                let s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)
                let s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            var i = 0
            while i < 64 {
                round(a, b, c, &d, e, f, g, &h, k[i] &+ w[i])
                round(h, a, b, &c, d, e, f, &g, k[i + 1] &+ w[i + 1])
                round(g, h, a, &b, c, d, e, &f, k[i + 2] &+ w[i + 2])
                round(f, g, h, &a, b, c, d, &e, k[i + 3] &+ w[i + 3])
                round(e, f, g, &h, a, b, c, &d, k[i + 4] &+ w[i + 4])
                round(d, e, f, &g, h, a, b, &c, k[i + 5] &+ w[i + 5])
                round(c, d, e, &f, g, h, a, &b, k[i + 6] &+ w[i + 6])
                round(b, c, d, &e, f, g, h, &a, k[i + 7] &+ w[i + 7])
                i += 8
            }
            state.0 &+= a; state.1 &+= b; state.2 &+= c; state.3 &+= d
            state.4 &+= e; state.5 &+= f; state.6 &+= g; state.7 &+= h
        }
    }
}
