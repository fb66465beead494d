/// The last ``capacity`` command ids seen, for duplicate suppression.
///
/// A ring of ids (the oldest is forgotten when a new one comes) indexed by an open-addressing table of their
/// 64-bit hashes, kept next to the ids: remembering an id costs one hash of its bytes and a probe or two, and
/// forgetting the oldest moves table entries by their stored hashes instead of hashing ids again (what made a
/// `Set<String>` ring cost ~0.5 µs per command). Ids are compared in full on a hash match, so a collision costs
/// time, never a wrong answer; the hash is seeded per window.
///
/// Thread safety: a value; use it from one thread at a time.
struct CommandIDWindow: Sendable {
    let capacity: Int
    private var ids: [String] = []
    private var hashes: [UInt64] = []
    /// The ring slot the next id replaces once the ring is full.
    private var oldest = 0
    /// Ring slot + 1 per position (0: empty); at least twice the capacity, a power of two.
    private var table: [Int32]
    private let mask: Int
    private let seed: UInt64

    init(capacity: Int, seed: UInt64 = .random(in: .min ... .max)) {
        self.capacity = max(1, capacity)
        var size = 8
        while size < self.capacity * 2 { size <<= 1 }
        table = Array(repeating: 0, count: size)
        mask = size - 1
        self.seed = seed
    }

    /// How many ids are remembered.
    var count: Int { ids.count }

    /// Remembers `id`; false (and nothing changes) when it is already in the window.
    mutating func insert(_ id: String) -> Bool {
        let h = Self.hash(id, seed: seed)
        let (found, empty) = probe(id, h)
        if found { return false }
        if ids.count < capacity {
            ids.append(id)
            hashes.append(h)
            table[empty] = Int32(ids.count)
            return true
        }
        let slot = oldest
        oldest = (oldest + 1) % capacity
        forget(slot: slot)
        ids[slot] = id
        hashes[slot] = h
        // Forgetting the oldest may have moved entries: probe again for this id's empty position.
        var position = Int(truncatingIfNeeded: h) & mask
        while table[position] != 0 { position = (position + 1) & mask }
        table[position] = Int32(slot + 1)
        return true
    }

    /// Whether `id` is in the window.
    func contains(_ id: String) -> Bool { probe(id, Self.hash(id, seed: seed)).found }

    /// Looks `id` (of hash `h`) up: found, and where; or not, and the empty position that ends its probe path.
    private func probe(_ id: String, _ h: UInt64) -> (found: Bool, position: Int) {
        var position = Int(truncatingIfNeeded: h) & mask
        while table[position] != 0 {
            let slot = Int(table[position]) - 1
            if hashes[slot] == h && ids[slot] == id { return (true, position) }
            position = (position + 1) & mask
        }
        return (false, position)
    }

    /// Removes ring `slot` from the table (backward-shift deletion: no tombstones, probes stay short).
    private mutating func forget(slot: Int) {
        let entry = Int32(slot + 1)
        var hole = Int(truncatingIfNeeded: hashes[slot]) & mask
        while table[hole] != entry { hole = (hole + 1) & mask }
        var next = (hole + 1) & mask
        while table[next] != 0 {
            let home = Int(truncatingIfNeeded: hashes[Int(table[next]) - 1]) & mask
            // The entry at `next` may fill the hole when the hole lies on its probe path (from home to next).
            if (next - home) & mask >= (next - hole) & mask {
                table[hole] = table[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        table[hole] = 0
    }

    /// A seeded 64-bit hash of the id's UTF-8 bytes (8 bytes at a time, then a 64-bit finalizer).
    static func hash(_ id: String, seed: UInt64) -> UInt64 {
        if let h = id.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) { return h }
        var copy = id
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            for k in i..<bytes.count { tail |= UInt64(bytes[k]) << (UInt64(k - i) * 8) }
            h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 30
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return h
    }
}
